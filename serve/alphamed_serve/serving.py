"""The gateway's request logic, between the thin routers and a :class:`Backend`.

Validates what the backend cannot (model name, ``n``, context length), holds a concurrency
slot for the whole generation (stream included), post-processes every choice (reasoning
split, answer) and renders OpenAI-shaped bodies or SSE events.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson

from alphamed_serve.api_models import ChatCompletionRequest, CompletionRequest, MCQARequest, TokenizeRequest
from alphamed_serve.backend import Backend, BackendError, GenerationRequest, GenerationResult, StreamDelta
from alphamed_serve.collector import coalesce, delta_batches
from alphamed_serve.constraints import constrain
from alphamed_serve.errors import empty_prompt, error_payload, model_not_found
from alphamed_serve.limits import ConcurrencyLimiter
from alphamed_serve.mcqa import build_question, mcqa_body, to_generation_request
from alphamed_serve.metrics import GatewayMetrics
from alphamed_serve.postprocess import ChoiceStream, FinishedChoice, ReasoningField, finish_output, put_reasoning
from alphamed_serve.request_lifetime import ShutdownDeadline, shutting_down

logger = logging.getLogger(__name__)

DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024


@dataclass
class Settings:
    """Gateway settings (the non-engine flags of ``alphamed serve``).

    Args:
        served_model_name: the name clients use; default: the backend's model id.
        api_key: Bearer key required on ``/v1/*``; None: open.
        max_concurrency: requests generating at once; None: unlimited.
        max_queue: requests waiting for a slot before 429.
        max_request_bytes: the largest request body; larger ones get a 413 before parsing (None: no limit).
        reasoning_field: ``reasoning`` (vLLM), ``reasoning_content`` (SGLang/DeepSeek) or ``both``.
        retry_after: seconds in the 429's ``Retry-After``.
        default_prompt_style: prompt style of ``/v1/mcqa`` when a request names none.
        untagged_text: where free text with no reasoning marker goes: ``reasoning`` (the released
            AlphaMed models reason in free text and end with a final-answer sentence, which alone
            becomes the content; reasoning streams as it is generated) or ``content`` (for models
            that answer directly; free text is then held back until the output ends).
        split_style: the core's split style for outputs the gateway splits itself. ``final-answer``
            (AlphaMed's free text): the first of ``</think>`` and a final-answer sentence ends the
            reasoning, so a stream sends the answer as it is generated. ``auto``: a ``</think>``
            after a final-answer sentence still wins, so a stream must hold everything from that
            sentence on until the output ends. The graded region is the same either way
            (:func:`alphamed.reasoning.answer_region`).
        allowed_origins: origins a browser may call from (CORS); empty: CORS off.
    """

    served_model_name: str | None = None
    api_key: str | None = None
    max_concurrency: int | None = None
    max_queue: int = 0
    max_request_bytes: int | None = DEFAULT_MAX_REQUEST_BYTES
    reasoning_field: ReasoningField = "reasoning"
    retry_after: int = 1
    default_prompt_style: str = "alphamed"
    untagged_text: str = "reasoning"
    split_style: str = "final-answer"
    allowed_origins: tuple[str, ...] = ()


_INLINE_TOKENIZE_CHARS = 8192  # about a millisecond of tokenizing


def _prompt_chars(gen: GenerationRequest) -> int:
    """Characters of the prompt's text (the messages' contents for chat)."""
    if gen.prompt is not None:
        return len(gen.prompt)
    return sum(len(str(m.get("content") or "")) for m in gen.messages or [])


_LOGGED_NAMES = 20
_LOGGED_NAME_CHARS = 64


def _names_for_log(names: list[str]) -> str:
    """At most 20 names of at most 64 characters each (a request may carry thousands of fields).

    >>> _names_for_log(["a", "b" * 100])
    'a, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...'
    >>> _names_for_log([str(i) for i in range(25)]).endswith("19 (and 5 more)")
    True
    """
    shown = [
        repr(n)[1:-1] if len(n) <= _LOGGED_NAME_CHARS else repr(n[:_LOGGED_NAME_CHARS])[1:-1] + "..."
        for n in names[:_LOGGED_NAMES]
    ]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" (and {more} more)" if more else "")


def _json(payload: Any) -> str:
    """Compact JSON (orjson: several times faster than ``json`` on every streamed chunk)."""
    try:
        return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson refuses (integers past 64 bits): the standard library
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _sse(payload: dict[str, Any] | str) -> str:
    body = payload if isinstance(payload, str) else _json(payload)
    return f"data: {body}\n\n"


def _usage(prompt_tokens: int, completion_tokens: int, reasoning_tokens: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "completion_tokens_details": {"reasoning_tokens": reasoning_tokens},
    }


class Gateway:
    """Serves chat, completions and MCQA requests on one backend."""

    def __init__(self, backend: Backend, settings: Settings, metrics: GatewayMetrics) -> None:
        self.backend = backend
        self.settings = settings
        self.metrics = metrics
        self.limiter = ConcurrencyLimiter(
            settings.max_concurrency, settings.max_queue, settings.retry_after, on_queue_change=metrics.queued.set
        )
        self._count_text = backend.count_text_tokens
        self.deadline = ShutdownDeadline()

    # ------------------------------------------------------------ checks

    @property
    def served_name(self) -> str:
        """The model name clients see."""
        return self.settings.served_model_name or self.backend.model_info().id

    def check_model(self, name: str | None) -> None:
        """404 ``model_not_found`` unless ``name`` is None or the served name."""
        if name is not None and name != self.served_name:
            raise model_not_found(name)

    async def prepare(self, gen: GenerationRequest, unknown: list[str], prompt_param: str) -> int:
        """Check ``n`` and the context budget; returns the prompt length in tokens (0 if unknown).

        A long prompt is tokenized on a worker thread: it never stalls the event loop (a short
        one inline: the thread hop would cost more than the tokenizing).
        """
        if unknown:
            logger.info("ignoring unknown request fields: %s", _names_for_log(unknown))
        gen.extra = constrain(gen.extra, self.backend.constraint_dialect, self.backend.name)
        info = self.backend.model_info()
        if info.max_n is not None and gen.n > info.max_n:
            raise BackendError(f"n must be at most {info.max_n}, got {gen.n}", param="n", code="invalid_value")
        if _prompt_chars(gen) > _INLINE_TOKENIZE_CHARS:
            prompt_tokens = await asyncio.to_thread(self.backend.count_tokens, gen)
        else:
            prompt_tokens = self.backend.count_tokens(gen)
        if prompt_tokens is None:
            return 0
        if prompt_tokens == 0:
            raise empty_prompt(gen)
        ctx = info.context_length
        if prompt_tokens >= ctx:
            raise BackendError(
                f"the prompt has {prompt_tokens} tokens; this model's context is {ctx} tokens",
                param=prompt_param,
                code="context_length_exceeded",
            )
        if gen.max_tokens is not None and prompt_tokens + gen.max_tokens > ctx:
            raise BackendError(
                f"max_tokens={gen.max_tokens} plus the prompt's {prompt_tokens} tokens exceeds this "
                f"model's context of {ctx} tokens (at most {ctx - prompt_tokens})",
                param="max_tokens",
                code="context_length_exceeded",
            )
        return prompt_tokens

    # ------------------------------------------------------------ whole responses

    async def _generate(self, gen: GenerationRequest) -> GenerationResult:
        await self._acquire()
        try:
            with self.deadline.track():
                return await self.backend.generate(gen)
        except asyncio.CancelledError:
            if self.deadline.expired:
                raise shutting_down() from None
            raise
        finally:
            self._release()

    def _finish_all(self, result: GenerationResult, options: Any) -> tuple[list[FinishedChoice], dict]:
        choices = [
            finish_output(
                o, options, self._count_text, untagged=self.settings.untagged_text, style=self.settings.split_style
            )
            for o in result.outputs
        ]
        completion = sum(c.completion_tokens for c in choices)
        for c in choices:
            self.metrics.record_answer(c.answer)
        self.metrics.record_usage(result.prompt_tokens, completion)
        usage = _usage(result.prompt_tokens, completion, sum(c.reasoning_tokens for c in choices))
        return choices, usage

    async def chat(self, req: ChatCompletionRequest) -> dict[str, Any]:
        """A whole ``chat.completion`` body."""
        gen = await self._chat_request(req)
        result = await self._generate(gen)
        choices, usage = self._finish_all(result, req.answer_options)
        out = []
        for c in sorted(choices, key=lambda c: c.index):
            message: dict[str, Any] = {"role": "assistant", "content": c.content}
            put_reasoning(message, c.reasoning or None, self.settings.reasoning_field)
            out.append(
                {
                    "index": c.index,
                    "message": message,
                    "finish_reason": c.finish_reason,
                    "logprobs": c.logprobs,
                    "answer": c.answer,
                }
            )
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.served_name,
            "choices": out,
            "usage": usage,
        }

    async def completion(self, req: CompletionRequest) -> dict[str, Any]:
        """A whole ``text_completion`` body (raw text; ``answer`` from its answer part). Several prompts are
        generated concurrently; prompt ``i``'s choices get indices ``i*n .. i*n+n-1`` (as vLLM does)."""
        self.check_model(req.model)
        prompts = req.prompts()
        gens = [await self._prepared_completion(req, p) for p in prompts]
        results = await asyncio.gather(*(self._generate(g) for g in gens))
        outputs = []
        for i, result in enumerate(results):
            for o in result.outputs:
                o.index += i * req.n
                outputs.append(o)
        merged = GenerationResult(outputs, prompt_tokens=sum(r.prompt_tokens for r in results))
        choices, usage = self._finish_all(merged, req.answer_options)
        raw = {o.index: (o.reasoning or "") + o.text for o in outputs}
        echoes = [await self._echo(p) if req.echo else "" for p in prompts]
        out = [
            {
                "index": c.index,
                "text": echoes[c.index // req.n] + raw[c.index],
                "finish_reason": c.finish_reason,
                "logprobs": c.logprobs,
                "answer": c.answer,
            }
            for c in sorted(choices, key=lambda c: c.index)
        ]
        return {
            "id": f"cmpl-{uuid.uuid4().hex}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": self.served_name,
            "choices": out,
            "usage": usage,
        }

    async def _echo(self, prompt: str | list[int]) -> str:
        return prompt if isinstance(prompt, str) else await self.detokenize(prompt)

    # ------------------------------------------------------------ tokens

    async def tokenize(self, req: TokenizeRequest) -> dict[str, Any]:
        """vLLM's ``/tokenize`` body: ``count``, ``max_model_len``, ``tokens`` (and ``token_strs``)."""
        self.check_model(req.model)
        try:
            spec = req.to_tokenize_input()
        except ValueError as exc:
            raise BackendError(str(exc), param="prompt", code="invalid_value") from None
        tokens = await self.backend.tokenize(spec)
        return {
            "count": len(tokens),
            "max_model_len": self.backend.model_info().context_length,
            "tokens": tokens,
            "token_strs": None,
        }

    async def tokenizer_info(self) -> dict[str, Any]:
        """Special tokens, chat template and context length of the served model's tokenizer."""
        return await self.backend.tokenizer_info()

    async def detokenize(self, tokens: list[int]) -> str:
        """The text of ``tokens``."""
        return await self.backend.detokenize(tokens)

    async def mcqa(self, req: MCQARequest) -> dict[str, Any]:
        """A ``/v1/mcqa`` body: samples, votes and the majority answer."""
        self.check_model(req.model)
        question = build_question(req)
        gen = to_generation_request(req, question, self.settings.default_prompt_style)
        await self.prepare(gen, req.unknown_fields(), "question")
        result = await self._generate(gen)
        options = question.options
        choices, usage = self._finish_all(result, options)
        samples = [
            {"reasoning": c.reasoning, "content": c.content, "answer": c.answer, "finish_reason": c.finish_reason}
            for c in sorted(choices, key=lambda c: c.index)
        ]
        body = mcqa_body(question, samples)
        return {
            "id": f"mcqa-{uuid.uuid4().hex}",
            "object": "mcqa.result",
            "model": self.served_name,
            **body,
            "usage": usage,
        }

    async def _chat_request(self, req: ChatCompletionRequest) -> GenerationRequest:
        self.check_model(req.model)
        try:
            gen = req.to_generation_request()
        except ValueError as exc:
            raise BackendError(str(exc), param="messages", code="invalid_value") from None
        await self.prepare(gen, req.unknown_fields(), "messages")
        return gen

    async def _completion_request(self, req: CompletionRequest) -> GenerationRequest:
        """The engine request of a streamed completion (one prompt: streams are not merged across prompts)."""
        self.check_model(req.model)
        prompts = req.prompts()
        if len(prompts) != 1:
            raise BackendError(
                f"a streamed completion takes one prompt, got {len(prompts)}", param="prompt", code="invalid_value"
            )
        return await self._prepared_completion(req, prompts[0])

    async def _prepared_completion(self, req: CompletionRequest, prompt: str | list[int]) -> GenerationRequest:
        gen = req.to_generation_request(prompt)
        await self.prepare(gen, req.unknown_fields(), "prompt")
        return gen

    # ------------------------------------------------------------ slots

    async def _acquire(self) -> None:
        try:
            await self.limiter.acquire()
        except BackendError:
            self.metrics.rejected.inc()
            raise
        finally:
            self.metrics.queued.set(self.limiter.queued)
        self.metrics.in_flight.set(self.limiter.in_flight)

    def _release(self) -> None:
        self.limiter.release()
        self.metrics.in_flight.set(self.limiter.in_flight)
        self.metrics.queued.set(self.limiter.queued)

    # ------------------------------------------------------------ streams

    async def open_stream(self, req: ChatCompletionRequest | CompletionRequest) -> AsyncIterator[str]:
        """Validate, take a slot and start the engine; returns the SSE event iterator.

        The first engine delta is awaited here so an engine error still becomes an HTTP error
        rather than an event inside a 200 stream.
        """
        chat = isinstance(req, ChatCompletionRequest)
        gen = await (self._chat_request(req) if chat else self._completion_request(req))
        start = time.perf_counter()
        await self._acquire()
        source = delta_batches(self.backend, gen)
        try:
            with self.deadline.track():
                first = await anext(source, [])
        except BaseException as exc:
            self._release()
            await source.aclose()
            if isinstance(exc, asyncio.CancelledError) and self.deadline.expired:
                raise shutting_down() from None
            raise
        events = self._events(req, gen, source, first, start)
        # start the generator now (it yields "" once): a started async generator always runs its
        # `finally` (the slot release), even when the client leaves before the response iterates it
        await anext(events)
        return events

    async def _events(
        self,
        req,
        gen: GenerationRequest,
        source: AsyncIterator[list[StreamDelta]],
        first: list[StreamDelta],
        start: float,
    ) -> AsyncIterator[str]:
        renderer = _ChunkRenderer(req, self.served_name, self.settings.reasoning_field)
        streams = {i: self._choice_stream(i, req.answer_options) for i in range(gen.n)}
        state = {"prompt_tokens": 0, "start": start}
        task = None
        try:
            yield ""
            # the task that iterates the events (Starlette's response task, not the handler's that took
            # the first one): ended by the shutdown deadline
            task = asyncio.current_task()
            self.deadline.add(task)
            opening = "".join(renderer.opening(gen.n))
            if opening:
                yield opening
            events = self._on_batch(renderer, streams, first, state)
            if events:
                yield events
            async for batch in source:
                events = self._on_batch(renderer, streams, batch, state)
                if events:
                    yield events
            usage = self._stream_usage(streams, state["prompt_tokens"], req.include_usage())
            if usage is not None:
                yield renderer.usage(usage)
            yield _sse("[DONE]")
        except BackendError as exc:
            yield _sse(error_payload(exc.message, exc.type, exc.param, exc.code))
            yield _sse("[DONE]")
        except asyncio.CancelledError:
            if not self.deadline.expired:
                raise
            exc = shutting_down()
            yield _sse(error_payload(exc.message, exc.type, exc.param, exc.code))
            yield _sse("[DONE]")
        except Exception:  # noqa: BLE001 - a 200 stream can only end with an error event
            logger.exception("stream failed")
            yield _sse(error_payload("internal server error", "server_error"))
            yield _sse("[DONE]")
        finally:
            if task is not None:
                self.deadline.discard(task)
            self._release()
            await source.aclose()

    def _choice_stream(self, index: int, options: Any) -> ChoiceStream:
        return ChoiceStream(index, options, untagged=self.settings.untagged_text, style=self.settings.split_style)

    def _stream_usage(
        self, streams: dict[int, ChoiceStream], prompt_tokens: int, wanted: bool
    ) -> dict[str, Any] | None:
        """Record a finished stream's tokens; its usage object when the client asked for it."""
        completion = sum(s.completion_tokens for s in streams.values())
        self.metrics.record_usage(prompt_tokens, completion)
        if not wanted:
            return None
        reasoning = sum(s.reasoning_tokens(self._count_text) for s in streams.values())
        return _usage(prompt_tokens, completion, reasoning)

    def _on_batch(
        self,
        renderer: _ChunkRenderer,
        streams: dict[int, ChoiceStream],
        batch: list[StreamDelta],
        state: dict[str, Any],
    ) -> str:
        """The SSE text for deltas that arrived together, each choice's text merged
        (:func:`alphamed_serve.collector.coalesce`)."""
        out: list[str] = []
        for delta, pieces in coalesce(batch):
            if state.get("start") is not None and (delta.text or delta.reasoning):
                self.metrics.ttft.observe(time.perf_counter() - state.pop("start"))
            state["prompt_tokens"] = delta.prompt_tokens or state["prompt_tokens"]
            out.append(self._emit(renderer, streams, delta, pieces))
        return "".join(out)

    def _emit(
        self, renderer: _ChunkRenderer, streams: dict[int, ChoiceStream], delta: StreamDelta, pieces: int
    ) -> str:
        """Post-process one (possibly merged) delta; its SSE chunk, or "" when nothing is to be sent yet."""
        stream = streams.get(delta.index)
        if stream is None:
            stream = streams[delta.index] = self._choice_stream(delta.index, renderer.options)
        raw = (delta.reasoning or "") + delta.text
        reasoning, content = stream.feed(delta, pieces)
        answer = None
        if delta.finish_reason is not None:
            answer = stream.answer()
            self.metrics.record_answer(answer)
        return renderer.delta(delta.index, reasoning, content, raw, delta.finish_reason, delta.logprobs, answer) or ""


class _ChunkRenderer:
    """Renders SSE chunks for chat (``chat.completion.chunk``) or completions (``text_completion``)."""

    def __init__(self, req, model: str, reasoning_field: ReasoningField) -> None:
        self.chat = isinstance(req, ChatCompletionRequest)
        self.options = req.answer_options
        self.echo = req.prompt_text() if not self.chat and req.echo else ""
        self.reasoning_field = reasoning_field
        self.base = {
            "id": f"{'chatcmpl' if self.chat else 'cmpl'}-{uuid.uuid4().hex}",
            "object": "chat.completion.chunk" if self.chat else "text_completion",
            "created": int(time.time()),
            "model": model,
        }
        self._prefix = "data: " + _json(self.base)[:-1] + ',"choices":['  # serialised once

    def _chunk(self, choices: list[dict[str, Any]]) -> str:
        return self._prefix + ",".join(_json(c) for c in choices) + "]}\n\n"

    def opening(self, n: int) -> list[str]:
        """The first chunk of each choice (chat: the assistant role; completions: echoed prompt)."""
        if self.chat:
            return [
                self._chunk(
                    [
                        {
                            "index": i,
                            "delta": {"role": "assistant", "content": ""},
                            "logprobs": None,
                            "finish_reason": None,
                        }
                    ]
                )
                for i in range(n)
            ]
        if self.echo:
            return [
                self._chunk([{"index": i, "text": self.echo, "logprobs": None, "finish_reason": None}])
                for i in range(n)
            ]
        return []

    def delta(
        self,
        index: int,
        reasoning: str,
        content: str,
        raw: str,
        finish: str | None,
        logprobs: Any,
        answer: dict[str, Any] | None,
    ) -> str | None:
        """One choice's chunk, or None when there is nothing to send yet."""
        if self.chat:
            body: dict[str, Any] = {}
            if content:
                body["content"] = content
            put_reasoning(body, reasoning or None, self.reasoning_field)
            if not body and finish is None:
                return None
            choice: dict[str, Any] = {"index": index, "delta": body, "logprobs": logprobs, "finish_reason": finish}
        else:
            if not raw and finish is None:
                return None
            choice = {"index": index, "text": raw, "logprobs": logprobs, "finish_reason": finish}
        if answer is not None:
            choice["answer"] = answer
        return self._chunk([choice])

    def usage(self, usage: dict[str, Any]) -> str:
        """The final usage-only chunk."""
        return _sse({**self.base, "choices": [], "usage": usage})
