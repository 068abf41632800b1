"""Iteration-level (continuous) batching for the transformers backend.

One worker thread owns the model. Every decode step it lets waiting sequences join the
running batch (prefilled with left padding, their KV cache left-padded and concatenated
to the running one), samples one token for every running sequence with that sequence's
own settings, pushes the new text to the sequence's sink, and drops finished sequences
from the batch. A request never waits for another request's generation to end.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alphamed_serve.backend import StreamDelta

logger = logging.getLogger(__name__)

Sink = Callable[["StreamDelta | BaseException"], None]

# Temperatures below this sample greedily (as vLLM's _SAMPLING_EPS): dividing logits by 1e-300
# overflows to inf and the softmax to NaN.
SAMPLING_EPS = 1e-5


class StopText:
    """Finds stop strings in a growing text and holds back what could still become one.

    >>> s = StopText(["END"])
    >>> s.push("abcE"), s.push("Nxyz"), s.push("ENDtail")
    (('abc', False), ('ENxyz', False), ('', True))
    """

    def __init__(self, stops: list[str]) -> None:
        self.stops = [s for s in stops if s]
        self.held = ""

    def push(self, text: str) -> tuple[str, bool]:
        """Add ``text``; returns ``(text safe to emit now, stop string reached)``."""
        buf = self.held + text
        hits = [buf.find(s) for s in self.stops if s in buf]
        if hits:
            self.held = ""
            return buf[: min(hits)], True
        keep = 0
        for s in self.stops:
            for k in range(min(len(s) - 1, len(buf)), 0, -1):
                if buf.endswith(s[:k]):
                    keep = max(keep, k)
                    break
        self.held = buf[len(buf) - keep :] if keep else ""
        return buf[: len(buf) - keep], False

    def flush(self) -> str:
        """What is held back, at the end of generation."""
        out, self.held = self.held, ""
        return out


@dataclass
class Sequence:
    """One choice being generated.

    Args:
        index: the choice index within its request.
        prompt_ids: the prompt's token ids.
        max_new_tokens: the generation limit.
        temperature: below :data:`SAMPLING_EPS` means greedy.
        top_p: nucleus mass.
        generator: the torch RNG of this sequence (seeded per request and index).
        stops: stop strings.
        sink: thread-safe callback receiving StreamDeltas (or an exception on engine failure).
        top_logprobs: None for no logprobs, else how many alternatives per token.
        chat_logprobs: OpenAI chat shape (``content`` list) rather than completions shape.
    """

    index: int
    prompt_ids: list[int]
    max_new_tokens: int
    temperature: float
    top_p: float
    generator: Any
    stops: list[str]
    sink: Sink
    top_logprobs: int | None = None
    chat_logprobs: bool = True
    tokens: list[int] = field(default_factory=list)
    cancelled: bool = False
    finish_reason: str | None = None
    _prefix_offset: int = 0
    _read_offset: int = 0
    _stop: StopText | None = None

    def __post_init__(self) -> None:
        self._stop = StopText(self.stops)

    def new_text(self, tokenizer) -> str:
        """Text added by the last token, decoded incrementally (never a broken multi-byte char)."""
        prefix = tokenizer.decode(self.tokens[self._prefix_offset : self._read_offset], skip_special_tokens=True)
        full = tokenizer.decode(self.tokens[self._prefix_offset :], skip_special_tokens=True)
        if len(full) > len(prefix) and not full.endswith("\ufffd"):
            self._prefix_offset, self._read_offset = self._read_offset, len(self.tokens)
            return full[len(prefix) :]
        return ""

    def step(self, token: int, tokenizer, eos_ids: set[int], logprobs: Any) -> None:
        """Record one sampled token and push the resulting delta."""
        self.tokens.append(token)
        text, hit = self._stop.push(self.new_text(tokenizer) if token not in eos_ids else "")
        if hit or token in eos_ids:
            self.finish_reason = "stop"
        elif len(self.tokens) >= self.max_new_tokens:
            self.finish_reason = "length"
        if self.finish_reason is not None and not hit:
            text += self._stop.flush()
        self.sink(
            StreamDelta(
                self.index,
                text,
                finish_reason=self.finish_reason,
                logprobs=logprobs,
                prompt_tokens=len(self.prompt_ids) if self.finish_reason else None,
                completion_tokens=len(self.tokens) if self.finish_reason else None,
            )
        )

    def fail(self, exc: BaseException) -> None:
        """Finish with ``exc``: this sequence alone failed (the rest of the batch carries on)."""
        self.finish_reason = "error"
        self.sink(exc)

    def abort(self) -> None:
        """Finish without generating more (client went away or the engine stopped)."""
        self.finish_reason = "abort"
        self.sink(
            StreamDelta(
                self.index,
                "",
                finish_reason="abort",
                prompt_tokens=len(self.prompt_ids),
                completion_tokens=len(self.tokens),
            )
        )


class BatchEngine:
    """The decode loop on a worker thread; :meth:`submit` is safe from any thread.

    Args:
        model: a loaded causal LM (eval mode).
        tokenizer: its tokenizer.
        max_batch_size: most sequences decoding together.
        pad_id: the padding token id.
        eos_ids: token ids that end a sequence.
    """

    def __init__(self, model, tokenizer, max_batch_size: int, pad_id: int, eos_ids: set[int]) -> None:
        import inspect

        self.model = model
        self.tokenizer = tokenizer
        self.max_batch_size = max(1, max_batch_size)
        self.pad_id = pad_id
        self.eos_ids = eos_ids
        params = inspect.signature(model.forward).parameters
        self._cache_kw = "cache" if "cache" in params else "past_key_values"
        self._keep_last = {"logits_to_keep": 1} if "logits_to_keep" in params else {}
        self._inbox: queue.Queue[Sequence | None] = queue.Queue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alphamed-batch-engine", daemon=True)
        self.rows: list[Sequence] = []
        self.steps = 0  # decode steps run (for tests and metrics)
        self.max_rows_seen = 0

    def start(self) -> None:
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def submit(self, seqs: list[Sequence]) -> None:
        """Queue sequences; they join the running batch at the next step."""
        for s in seqs:
            self._inbox.put(s)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the loop (running sequences are aborted) and wait for the thread."""
        self._stopping.set()
        self._inbox.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    # ------------------------------------------------------------ worker thread

    def _run(self) -> None:
        import torch

        state = _BatchState()
        with torch.inference_mode():
            while not self._stopping.is_set():
                joining = self._take_new(block=not state.rows)
                if joining:
                    self._join_isolated(state, joining)
                try:
                    if state.rows:
                        self._decode_step(state)
                except Exception as exc:  # noqa: BLE001 - the forward pass failed: fail the batch, keep serving
                    logger.exception("generation failed; failing %d sequences", len(state.rows))
                    for s in state.rows:
                        if s.finish_reason is None:
                            s.sink(exc)
                    state = _BatchState()
                self.rows = state.rows
        for s in state.rows:
            s.abort()
        while not self._inbox.empty():
            s = self._inbox.get_nowait()
            if s is not None:
                s.abort()

    def _take_new(self, block: bool) -> list[Sequence]:
        room = self.max_batch_size - len(self.rows)
        out: list[Sequence] = []
        try:
            if block:
                item = self._inbox.get(timeout=0.1)
                if item is None:
                    return []
                out.append(item)
            while len(out) < room:
                item = self._inbox.get_nowait()
                if item is None:
                    break
                out.append(item)
        except queue.Empty:
            pass
        live = [s for s in out if not s.cancelled]
        for s in out:
            if s.cancelled:
                s.abort()
        return live

    def _join_isolated(self, state: _BatchState, seqs: list[Sequence]) -> None:
        """Prefill ``seqs`` into the batch; when that fails, retry them one by one so that only
        the sequences that fail on their own are failed."""
        try:
            self._join(state, seqs)
            return
        except Exception as exc:  # noqa: BLE001 - isolated below
            if len(seqs) == 1:
                logger.exception("prefill failed; failing 1 sequence")
                seqs[0].fail(exc)
                return
        for s in seqs:
            self._join_isolated(state, [s])

    def _join(self, state: _BatchState, seqs: list[Sequence]) -> None:
        import torch

        device = self.model.device
        width = max(len(s.prompt_ids) for s in seqs)
        ids = torch.full((len(seqs), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, width - len(s.prompt_ids) :] = torch.tensor(s.prompt_ids)
            mask[i, width - len(s.prompt_ids) :] = 1
        ids, mask = ids.to(device), mask.to(device)
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        cache = self._new_cache()
        out = self.model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=pos,
            use_cache=True,
            **self._keep_last,
            **{self._cache_kw: cache},
        )
        state.merge(seqs, out.logits[:, -1, :].float(), cache, mask, pos[:, -1:])
        self.max_rows_seen = max(self.max_rows_seen, len(state.rows))

    def _new_cache(self):
        from transformers import DynamicCache

        try:
            return DynamicCache(config=self.model.config)
        except TypeError:
            return DynamicCache()

    def _decode_step(self, state: _BatchState) -> None:
        import torch

        tokens: list[int] = []
        for s, row in zip(state.rows, state.logits):
            tok = self.pad_id
            if s.cancelled:
                s.abort()
            else:
                try:  # one sequence's failure (its sampling, its text) is its own
                    tok, lp = _sample_row(s, row)
                    s.step(tok, self.tokenizer, self.eos_ids, _shape_logprobs(s, tok, lp, self.tokenizer))
                except Exception as exc:  # noqa: BLE001
                    logger.exception("sampling failed; failing 1 of %d sequences", len(state.rows))
                    s.fail(exc)
            tokens.append(tok)
        keep = [i for i, s in enumerate(state.rows) if s.finish_reason is None]
        state.select(keep)
        if not state.rows:
            return
        next_ids = torch.tensor([[tokens[i]] for i in keep], dtype=torch.long, device=self.model.device)
        state.mask = torch.cat([state.mask, torch.ones_like(state.mask[:, :1])], dim=1)
        state.pos = state.pos + 1
        out = self.model(
            input_ids=next_ids,
            attention_mask=state.mask,
            position_ids=state.pos,
            use_cache=True,
            **{self._cache_kw: state.cache},
        )
        state.logits = out.logits[:, -1, :].float()
        self.steps += 1


class _BatchState:
    """The running batch: its sequences, KV cache, attention mask, positions and next logits."""

    def __init__(self) -> None:
        self.rows: list[Sequence] = []
        self.cache = None
        self.mask = None
        self.pos = None
        self.logits = None

    def merge(self, seqs: list[Sequence], logits, cache, mask, pos) -> None:
        """Append prefilled sequences: left-pad both caches and masks to one width, concatenate."""
        import torch

        if not self.rows:
            self.rows, self.cache, self.mask, self.pos, self.logits = list(seqs), cache, mask, pos, logits
            return
        width = max(self.mask.shape[1], mask.shape[1])
        for mine, theirs in zip(self.cache.layers, cache.layers):
            mine.keys = torch.cat([_left_pad(mine.keys, width), _left_pad(theirs.keys, width)], dim=0)
            mine.values = torch.cat([_left_pad(mine.values, width), _left_pad(theirs.values, width)], dim=0)
        self.mask = torch.cat([_left_pad(self.mask, width, dim=1), _left_pad(mask, width, dim=1)], dim=0)
        self.pos = torch.cat([self.pos, pos], dim=0)
        self.logits = torch.cat([self.logits, logits], dim=0)
        self.rows.extend(seqs)

    def select(self, keep: list[int]) -> None:
        """Keep only the rows at ``keep`` (drop finished sequences from every tensor)."""
        import torch

        if len(keep) == len(self.rows):
            return
        if not keep:
            self.__init__()
            return
        idx = torch.tensor(keep, device=self.mask.device)
        for layer in self.cache.layers:
            layer.keys, layer.values = layer.keys[idx], layer.values[idx]
        self.mask, self.pos, self.logits = self.mask[idx], self.pos[idx], self.logits[idx]
        self.rows = [self.rows[i] for i in keep]


def _left_pad(t, width: int, dim: int = -2):
    """Zero-pad ``t`` on the left of ``dim`` to ``width``."""
    import torch

    missing = width - t.shape[dim]
    if missing <= 0:
        return t
    shape = list(t.shape)
    shape[dim] = missing
    return torch.cat([torch.zeros(shape, dtype=t.dtype, device=t.device), t], dim=dim)


def _sample_row(s: Sequence, row) -> tuple[int, Any]:
    """One token for ``s`` with its temperature / top-p / RNG; plus raw log-probs if asked."""
    import torch

    if s.temperature < SAMPLING_EPS:
        tok = int(torch.argmax(row))
    else:
        probs = torch.softmax(row / s.temperature, dim=-1)
        if s.top_p < 1.0:
            sorted_p, order = torch.sort(probs, descending=True)
            outside = sorted_p.cumsum(-1) - sorted_p > s.top_p
            sorted_p[outside] = 0.0
            probs = torch.zeros_like(probs).scatter(0, order, sorted_p)
        tok = int(torch.multinomial(probs.cpu(), 1, generator=s.generator))
    return tok, torch.log_softmax(row, dim=-1) if s.top_logprobs is not None else None


def _shape_logprobs(s: Sequence, tok: int, lp, tokenizer) -> Any:
    """OpenAI-shaped log-probs of one sampled token (chat or completions shape), or None."""
    if lp is None:
        return None
    import torch

    text = tokenizer.decode([tok])
    alts = []
    if s.top_logprobs:
        values, ids = torch.topk(lp, s.top_logprobs)
        alts = [(tokenizer.decode([int(i)]), float(v)) for v, i in zip(values, ids)]
    chosen = float(lp[tok])
    if s.chat_logprobs:
        return {
            "content": [
                {
                    "token": text,
                    "logprob": chosen,
                    "bytes": list(text.encode()),
                    "top_logprobs": [{"token": t, "logprob": v, "bytes": list(t.encode())} for t, v in alts],
                }
            ]
        }
    return {"tokens": [text], "token_logprobs": [chosen], "top_logprobs": [dict(alts)], "text_offset": [0]}
