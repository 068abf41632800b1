"""The embedded engine: a Hugging Face folder served in-process with continuous batching.

The model runs on one worker thread (:class:`~alphamed_serve.backends.batching.BatchEngine`);
requests from the event loop become one :class:`Sequence` per choice, join the running batch
at the next decode step, and receive their tokens through an ``asyncio.Queue`` fed with
``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from alphamed_serve.backend import (
    BackendError,
    BackendOptions,
    GenerationOutput,
    GenerationRequest,
    GenerationResult,
    Health,
    ModelInfo,
    StreamDelta,
)
from alphamed_serve.backends.batching import BatchEngine, Sequence
from alphamed_serve.errors import empty_prompt

logger = logging.getLogger(__name__)

# the largest n: choices beyond --max-batch-size wait for a slot in the running batch
MAX_N = 128
_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float16": "float16",
    "fp16": "float16",
    "half": "float16",
}


def _config_context_length(path: Path) -> int | None:
    try:
        cfg = json.loads((path / "config.json").read_text())
    except (OSError, ValueError):
        return None
    value = cfg.get("max_position_embeddings") or cfg.get("n_positions")
    return int(value) if value else None


class TransformersBackend:
    """Serves a local Hugging Face model folder with transformers.

    Args:
        options: ``model`` (folder), ``device``, ``dtype``, ``max_model_len``, ``max_batch_size``.
    """

    name = "transformers"
    constraint_dialect = None  # no guided decoding here: a constrained request gets a 400 naming the field

    def __init__(self, options: BackendOptions) -> None:
        from alphamed.hub import ModelNotFoundError, is_local, resolve_model

        self.options = options
        try:
            path = resolve_model(options.model, revision=options.revision)
        except ModelNotFoundError as exc:
            raise BackendError(str(exc), status=500, type="server_error", param="model") from None
        self.path = path
        ctx = options.max_model_len or _config_context_length(path) or 2048
        default_id = path.name if is_local(options.model) else options.model  # a hub id is served as is
        self.info = ModelInfo(
            id=options.served_model_name or default_id, context_length=ctx, max_n=MAX_N, root=str(path.resolve())
        )
        self.state, self.detail = "stopped", ""
        self.engine: BatchEngine | None = None
        self.tokenizer: Any = None
        self._max_token_chars = 1
        self.model: Any = None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Load weights and tokenizer off the event loop, then start the batch engine."""
        self.state = "starting"
        try:
            await asyncio.to_thread(self._load)
        except Exception as exc:
            self.state, self.detail = "dead", f"{type(exc).__name__}: {exc}"
            raise
        self.engine.start()
        self.state = "ok"

    def _load(self) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = self.options.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = _DTYPES.get(self.options.dtype, "auto" if self.options.dtype == "auto" else None)
        if dtype is None:
            raise ValueError(f"unknown dtype {self.options.dtype!r}; use auto, float32, bfloat16, float16")
        if dtype == "auto":
            dtype = "bfloat16" if device.startswith("cuda") and torch.cuda.is_bf16_supported() else "float32"
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        self._max_token_chars = max((len(t) for t in self.tokenizer.get_vocab()), default=1) or 1
        model = AutoModelForCausalLM.from_pretrained(self.path, dtype=getattr(torch, dtype))
        self.model = model.to(device).eval()
        eos = self.model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        if self.tokenizer.eos_token_id is not None:
            eos_ids.add(self.tokenizer.eos_token_id)
        pad = self.tokenizer.pad_token_id
        pad = pad if pad is not None else next(iter(eos_ids), 0)
        self.engine = BatchEngine(self.model, self.tokenizer, self.options.max_batch_size, pad, eos_ids)
        logger.info("loaded %s on %s (%s), batch up to %d", self.path, device, dtype, self.options.max_batch_size)

    async def stop(self) -> None:
        """Stop the engine thread (in-flight sequences are aborted)."""
        if self.engine is not None:
            await asyncio.to_thread(self.engine.stop)
        self.state = "stopped"

    def model_info(self) -> ModelInfo:
        return self.info

    async def health(self) -> Health:
        if self.state == "ok" and (self.engine is None or not self.engine.alive()):
            self.state, self.detail = "dead", "the generation thread stopped"
        return Health(ok=self.state == "ok", status=self.state, detail=self.detail)

    # ------------------------------------------------------------ tokens

    def _check_loaded(self) -> None:
        if self.tokenizer is None:
            raise BackendError(
                "the model is still loading",
                status=503,
                type="server_error",
                code="model_loading",
                headers={"Retry-After": "5"},
            )

    def _prompt_text(self, request: GenerationRequest) -> str:
        """The text to tokenize: the prompt, or the messages through the chat template."""
        self._check_loaded()
        if request.prompt is not None:
            return request.prompt
        if not getattr(self.tokenizer, "chat_template", None):
            raise BackendError(
                "this model has no chat template; use /v1/completions", param="messages", code="no_chat_template"
            )
        try:
            text = self.tokenizer.apply_chat_template(
                request.messages, tokenize=False, add_generation_prompt=request.add_generation_prompt
            )
        except Exception as exc:  # noqa: BLE001 - template errors are the request's fault
            raise BackendError(
                f"could not apply the chat template: {exc}", param="messages", code="invalid_value"
            ) from None
        if not isinstance(text, str):
            raise BackendError("the chat template did not render to text", param="messages", code="invalid_value")
        return text

    def _prompt_ids(self, request: GenerationRequest) -> list[int]:
        """The prompt's token ids (tokenized once: kept on the request)."""
        if request.prompt_ids is None and request.prompt_token_ids is not None:
            self._check_loaded()
            vocab = len(self.tokenizer)
            if any(not 0 <= t < vocab for t in request.prompt_token_ids):
                raise BackendError(
                    f"token ids must be below the vocabulary size {vocab}", param="prompt", code="invalid_value"
                )
            request.prompt_ids = list(request.prompt_token_ids)
        if request.prompt_ids is None:
            text = self._prompt_text(request)
            self._refuse_far_too_long(text, request)
            special = request.prompt is not None
            request.prompt_ids = list(self.tokenizer(text, add_special_tokens=special)["input_ids"])
        return request.prompt_ids

    def _refuse_far_too_long(self, text: str, request: GenerationRequest) -> None:
        """400 without tokenizing when ``text`` cannot fit: no token is longer than the longest
        vocabulary entry, so ``len(text) / longest`` tokens is a lower bound of its length."""
        at_least = len(text) // self._max_token_chars
        ctx = self.info.context_length
        if at_least >= ctx:
            raise BackendError(
                f"the prompt has at least {at_least} tokens; this model's context is {ctx} tokens",
                param="messages" if request.messages is not None else "prompt",
                code="context_length_exceeded",
            )

    async def tokenize(self, spec: dict[str, Any]) -> list[int]:
        """Token ids of ``spec["prompt"]``, or of ``spec["messages"]`` after the chat template."""
        if "prompt" in spec:
            if self.tokenizer is None:
                self._prompt_ids(GenerationRequest(prompt=""))  # raises "still loading"
            return list(self.tokenizer(spec["prompt"], add_special_tokens=spec["add_special_tokens"])["input_ids"])
        return self._prompt_ids(
            GenerationRequest(messages=spec["messages"], add_generation_prompt=spec["add_generation_prompt"])
        )

    async def tokenizer_info(self) -> dict[str, Any]:
        """vLLM's ``/tokenizer_info`` fields: special tokens, chat template, class, context length."""
        if self.tokenizer is None:
            self._prompt_ids(GenerationRequest(prompt=""))  # raises "still loading"
        tok = self.tokenizer
        return {
            "tokenizer_class": type(tok).__name__,
            "eos_token": tok.eos_token,
            "bos_token": tok.bos_token,
            "pad_token": tok.pad_token,
            "chat_template": getattr(tok, "chat_template", None),
            "model_max_length": self.info.context_length,
        }

    async def detokenize(self, tokens: list[int]) -> str:
        """The text of ``tokens`` (400 for an id outside the vocabulary)."""
        ids = self._prompt_ids(GenerationRequest(prompt_token_ids=tokens))
        return self.tokenizer.decode(ids)

    async def engine_metrics(self) -> str:
        """None of its own: the in-process engine's numbers are the gateway's ``alphamed_*`` metrics."""
        return ""

    def count_tokens(self, request: GenerationRequest) -> int | None:
        """Prompt length in tokens after the chat template (slow for long prompts: call it off the loop)."""
        try:
            return len(self._prompt_ids(request))
        except BackendError:
            raise
        except Exception as exc:  # noqa: BLE001 - text the tokenizer refuses is the request's fault
            raise BackendError(
                f"could not tokenize the prompt: {type(exc).__name__}: {exc}",
                param="messages" if request.messages is not None else "prompt",
                code="invalid_value",
            ) from None

    def count_text_tokens(self, text: str) -> int | None:
        """Tokens of a piece of generated text (for ``reasoning_tokens``)."""
        if self.tokenizer is None:
            return None
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # ------------------------------------------------------------ generation

    def _sequences(self, request: GenerationRequest, sink) -> list[Sequence]:
        import torch

        prompt_ids = self._prompt_ids(request)
        if not prompt_ids:
            raise empty_prompt(request)
        room = self.info.context_length - len(prompt_ids)
        if room <= 0:
            raise BackendError(
                f"the prompt has {len(prompt_ids)} tokens; the context is {self.info.context_length}",
                code="context_length_exceeded",
            )
        max_new = min(request.max_tokens or room, room)
        temperature = 1.0 if request.temperature is None else request.temperature
        base_seed = request.seed if request.seed is not None else random.getrandbits(62)
        seqs = []
        for i in range(request.n):
            gen = torch.Generator().manual_seed((base_seed + i) % (2**63))
            seqs.append(
                Sequence(
                    index=i,
                    prompt_ids=prompt_ids,
                    max_new_tokens=max_new,
                    temperature=temperature,
                    top_p=1.0 if request.top_p is None else request.top_p,
                    generator=gen,
                    stops=list(request.stop),
                    sink=sink,
                    top_logprobs=(request.top_logprobs or 0) if request.logprobs else None,
                    chat_logprobs=request.messages is not None,
                )
            )
        return seqs

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamDelta]:
        """Stream deltas of every choice, interleaved; aborts the sequences if the consumer leaves."""
        if self.state != "ok" or self.engine is None:
            raise BackendError(
                f"the model is not ready ({self.state})",
                status=503,
                type="server_error",
                code="model_not_ready",
                headers={"Retry-After": "5"},
            )
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[StreamDelta | BaseException] = asyncio.Queue()
        seqs = self._sequences(request, lambda item: loop.call_soon_threadsafe(inbox.put_nowait, item))
        self.engine.submit(seqs)
        remaining = len(seqs)
        try:
            while remaining:
                item = await inbox.get()
                if isinstance(item, BaseException):
                    raise BackendError(
                        f"generation failed: {type(item).__name__}: {item}",
                        status=500,
                        type="server_error",
                        code="generation_failed",
                    )
                if item.finish_reason is not None:
                    remaining -= 1
                yield item
        finally:
            for s in seqs:
                s.cancelled = True

    def stream_batches(self, request: GenerationRequest) -> AsyncIterator[list[StreamDelta]]:
        """:meth:`stream` read ahead, in lists of the deltas that arrived together."""
        from alphamed_serve.collector import DeltaCollector

        return DeltaCollector(self.stream(request)).batches()

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        """Every choice to completion (collected from :meth:`stream`)."""
        texts: dict[int, list[str]] = {i: [] for i in range(request.n)}
        logprobs: dict[int, list[Any]] = {i: [] for i in range(request.n)}
        done: dict[int, StreamDelta] = {}
        prompt_tokens = 0
        async for d in self.stream(request):
            texts[d.index].append(d.text)
            if d.logprobs is not None:
                logprobs[d.index].append(d.logprobs)
            if d.finish_reason is not None:
                done[d.index] = d
                prompt_tokens = d.prompt_tokens or prompt_tokens
        outputs = [
            GenerationOutput(
                i,
                "".join(texts[i]),
                done[i].finish_reason,
                done[i].completion_tokens or 0,
                logprobs=_merge_logprobs(logprobs[i]) if request.logprobs else None,
            )
            for i in sorted(done)
        ]
        return GenerationResult(outputs, prompt_tokens=prompt_tokens)


def _merge_logprobs(parts: list[Any]) -> Any:
    """Concatenate per-token OpenAI logprob objects into one per choice."""
    if not parts:
        return None
    if "content" in parts[0]:
        return {"content": [item for p in parts for item in p["content"]]}
    merged: dict[str, list[Any]] = {"tokens": [], "token_logprobs": [], "top_logprobs": [], "text_offset": []}
    offset = 0
    for p in parts:
        merged["tokens"] += p["tokens"]
        merged["token_logprobs"] += p["token_logprobs"]
        merged["top_logprobs"] += p["top_logprobs"]
        merged["text_offset"].append(offset)
        offset += len(p["tokens"][0])
    return merged
