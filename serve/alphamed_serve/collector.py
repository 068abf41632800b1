"""Read an engine stream ahead of the client, handing over whatever has piled up at once, merged.

The gateway writes one SSE event per engine delta as long as it keeps up. When it falls
behind (many streams on a busy CPU), the deltas that arrived meanwhile are taken together
and the gateway sends each choice's new text as one merged event: fewer JSON encodings,
socket writes and ASGI sends per token, so a loaded gateway catches up instead of falling
further behind. A lone delta is never held back to wait for company. This is what vLLM's
``RequestOutputCollector`` does between its engine and its API server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from alphamed_serve.backend import StreamDelta

logger = logging.getLogger(__name__)


def delta_batches(backend: Any, request: Any) -> AsyncIterator[list[StreamDelta]]:
    """The backend's deltas for ``request`` in lists of those that arrived together.

    A backend that reads its engine in batches itself (the proxying backends, which get
    several server-sent events from one socket read) does so in ``stream_batches(request)``;
    any other backend's ``stream_batches`` reads its ``stream`` ahead with a :class:`DeltaCollector`.

    Args:
        backend: a :class:`~alphamed_serve.backend.Backend`.
        request: the generation request.

    Returns:
        An async generator of non-empty lists; closing it stops the engine stream.
    """
    return backend.stream_batches(request)


def coalesce(batch: list[StreamDelta]) -> list[tuple[StreamDelta, int]]:
    """Merge the deltas that arrived together: each choice's consecutive plain text deltas become one.

    A delta with a finish, logprobs or token counts stays where the engine put it (after the
    text merged before it); so do switches between raw and engine-split text.

    Args:
        batch: deltas in engine order.

    Returns:
        ``(delta, pieces)`` in the order to send them; ``pieces``: how many engine deltas it stands for.

    >>> out = coalesce([StreamDelta(0, "B12 "), StreamDelta(1, "x"), StreamDelta(0, "is low")])
    >>> [(d.index, d.text, n) for d, n in out]
    [(0, 'B12 is low', 2), (1, 'x', 1)]
    """
    out: list[tuple[StreamDelta, int]] = []
    merging: dict[int, _MergedDelta] = {}
    for delta in batch:
        merged = merging.get(delta.index)
        if _mergeable(delta):
            if merged is not None and merged.takes(delta):
                merged.add(delta)
                continue
            if merged is not None:
                out.append((merged.delta(), merged.pieces))
            merging[delta.index] = _MergedDelta(delta)
            continue
        if merged is not None:
            del merging[delta.index]
            out.append((merged.delta(), merged.pieces))
        out.append((delta, 1))
    out.extend((merged.delta(), merged.pieces) for merged in merging.values())
    return out


def _mergeable(delta: StreamDelta) -> bool:
    """Plain text: no finish, logprobs or token counts that must stay where the engine put them."""
    return (
        delta.finish_reason is None
        and delta.logprobs is None
        and delta.completion_tokens is None
        and delta.prompt_tokens is None
    )


class _MergedDelta:
    """Consecutive plain text deltas of one choice, joined (all raw text, or all engine-split)."""

    def __init__(self, first: StreamDelta) -> None:
        self.first = first
        self.split = first.reasoning is not None
        self.texts = [first.text]
        self.reasonings = [first.reasoning or ""]
        self.pieces = 1

    def takes(self, delta: StreamDelta) -> bool:
        return (delta.reasoning is not None) == self.split

    def add(self, delta: StreamDelta) -> None:
        self.texts.append(delta.text)
        self.reasonings.append(delta.reasoning or "")
        self.pieces += 1

    def delta(self) -> StreamDelta:
        if self.pieces == 1:
            return self.first
        return StreamDelta(
            self.first.index, "".join(self.texts), reasoning="".join(self.reasonings) if self.split else None
        )


class DeltaCollector:
    """Pumps an engine's delta stream in its own task; :meth:`batches` yields what arrived.

    Args:
        engine: the backend's stream.

    The engine stream is closed by the pump (its own task) when it ends or fails, or when
    the consumer closes :meth:`batches`.
    """

    def __init__(self, engine: AsyncIterator[StreamDelta]) -> None:
        self._engine = engine
        self._pending: list[StreamDelta] = []
        self._error: BaseException | None = None
        self._done = False
        self._wakeup: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = False

    async def _pump(self) -> None:
        self._started = True
        try:
            async for delta in self._engine:
                self._pending.append(delta)
                self._wake()
        except Exception as exc:  # noqa: BLE001 - handed to the consumer after the deltas before it
            self._error = exc
        finally:
            self._done = True
            self._wake()
            await aclose_stream(self._engine)

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def batches(self) -> AsyncIterator[list[StreamDelta]]:
        """Every delta, in engine order, in lists of those that arrived since the last look.

        Raises:
            Exception: whatever the engine stream raised, after the deltas sent before it.
        """
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._pump())
        try:
            while True:
                if self._pending:
                    batch, self._pending = self._pending, []
                    yield batch
                elif self._done:
                    if self._error is not None:
                        raise self._error
                    return
                else:
                    self._wakeup = loop.create_future()
                    try:
                        await self._wakeup
                    finally:
                        self._wakeup = None
        finally:
            await self._stop()

    async def _stop(self) -> None:
        """Stop reading the engine and wait for the pump to close it."""
        task = self._task
        if not task.done():
            task.cancel()
        await asyncio.wait([task])  # never raises; a cancellation of our own still does
        if not self._started:  # cancelled before its first step: the engine stream is still open
            await aclose_stream(self._engine)


async def aclose_stream(engine: Any) -> None:
    close = getattr(engine, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:  # noqa: BLE001 - closing a broken engine stream must not mask the cause
            logger.debug("engine stream close failed", exc_info=True)
