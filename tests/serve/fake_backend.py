"""A scripted in-memory :class:`~alphamed_serve.backend.Backend` for the gateway tests (not shipped).

It generates no text of its own: each choice's output comes from ``reply`` (a string, or a
function of the request and the choice index), streamed in pieces of ``chunk`` characters
with an optional ``delay`` per piece, so gateway behaviour is tested without any model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from alphamed_serve.backend import (
    BackendError,
    GenerationOutput,
    GenerationRequest,
    GenerationResult,
    Health,
    ModelInfo,
    StreamDelta,
)

Reply = str | Callable[[GenerationRequest, int], str]


class FakeBackend:
    """A backend that answers with scripted text.

    Args:
        reply: the text of every choice, or ``fn(request, index) -> text``.
        model_id: the model id it reports.
        context_length: its context window in "tokens" (whitespace-separated words).
        chunk: characters per streamed delta.
        delay: seconds to sleep before each delta (and per chunk in ``generate``); with 0 the
            stream still yields to the event loop between deltas, as an engine does between tokens.
        max_n: the largest ``n`` it accepts.
    """

    name = "fake"
    constraint_dialect = None

    def __init__(
        self,
        reply: Reply = "<think>Thinking.</think>The final answer is: $\\boxed{B}$",
        *,
        model_id: str = "fake-model",
        context_length: int = 256,
        chunk: int = 3,
        delay: float = 0.0,
        max_n: int = 8,
    ) -> None:
        self.reply = reply
        self.info = ModelInfo(id=model_id, context_length=context_length, max_n=max_n, root="/fake")
        self.chunk = max(1, chunk)
        self.delay = delay
        self.started = False
        self.requests: list[GenerationRequest] = []

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.started = False

    def model_info(self) -> ModelInfo:
        return self.info

    async def health(self) -> Health:
        return Health(ok=self.started, status="ok" if self.started else "starting")

    def count_tokens(self, request: GenerationRequest) -> int | None:
        if request.prompt_token_ids is not None:
            return len(request.prompt_token_ids)
        if request.prompt is not None:
            return len(request.prompt.split())
        return sum(len(str(m.get("content", "")).split()) for m in request.messages or [])

    async def tokenize(self, spec: dict[str, Any]) -> list[int]:
        """One token per character (its code point); messages are joined with newlines."""
        text = spec["prompt"] if "prompt" in spec else "\n".join(str(m["content"]) for m in spec["messages"])
        return [ord(c) for c in text]

    async def tokenizer_info(self) -> dict[str, Any]:
        return {
            "tokenizer_class": "FakeCharTokenizer",
            "eos_token": "\x03",
            "bos_token": None,
            "pad_token": None,
            "chat_template": None,
            "model_max_length": self.info.context_length,
        }

    async def engine_metrics(self) -> str:
        return ""

    async def detokenize(self, tokens: list[int]) -> str:
        if any(not 0 <= t <= 0x10FFFF for t in tokens):
            raise BackendError("token ids must be code points (at most 1114111)", param="tokens")
        return "".join(chr(t) for t in tokens)

    def count_text_tokens(self, text: str) -> int:
        return len(text.split())

    def stream_batches(self, request: GenerationRequest) -> AsyncIterator[list[StreamDelta]]:
        from alphamed_serve.collector import DeltaCollector

        return DeltaCollector(self.stream(request)).batches()

    def _text(self, request: GenerationRequest, index: int) -> tuple[str, str]:
        text = self.reply(request, index) if callable(self.reply) else self.reply
        finish = "stop"
        if request.max_tokens is not None and len(text.split()) > request.max_tokens:
            text, finish = " ".join(text.split()[: request.max_tokens]), "length"
        return text, finish

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        self.requests.append(request)
        outputs = []
        for i in range(request.n):
            text, finish = self._text(request, i)
            if self.delay:
                await asyncio.sleep(self.delay * max(1, len(text) // self.chunk))
            outputs.append(GenerationOutput(i, text, finish, len(text.split())))
        return GenerationResult(outputs, prompt_tokens=self.count_tokens(request) or 0)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamDelta]:
        self.requests.append(request)
        prompt_tokens = self.count_tokens(request)
        for i in range(request.n):
            text, finish = self._text(request, i)
            pieces = [text[k : k + self.chunk] for k in range(0, len(text), self.chunk)] or [""]
            for k, piece in enumerate(pieces):
                await asyncio.sleep(self.delay)  # 0 still yields to the loop, as engines do between tokens
                last = k == len(pieces) - 1
                yield StreamDelta(
                    i,
                    piece,
                    finish_reason=finish if last else None,
                    prompt_tokens=prompt_tokens if last else None,
                    completion_tokens=len(text.split()) if last else None,
                )
