"""Admission control: at most ``max_concurrency`` requests generate at once, at most
``max_queue`` wait for a slot, and the rest are refused at once with 429 + ``Retry-After``
so the server stays responsive under overload.
"""

from __future__ import annotations

import asyncio
from collections import deque

from alphamed_serve.backend import BackendError


class Overloaded(BackendError):
    """429: every slot is busy and the wait queue is full."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "The server is at its concurrency limit and its queue is full; retry later.",
            status=429, type="rate_limit_error", code="server_overloaded",
            headers={"Retry-After": str(retry_after)},
        )


class ConcurrencyLimiter:
    """A FIFO semaphore with a bounded wait queue.

    Args:
        max_concurrency: requests served at once (None or 0: unlimited).
        max_queue: requests allowed to wait for a slot.
        retry_after: seconds suggested to refused clients.
    """

    def __init__(self, max_concurrency: int | None, max_queue: int = 0, retry_after: int = 1) -> None:
        self.max_concurrency = max_concurrency or None
        self.max_queue = max(0, max_queue)
        self.retry_after = retry_after
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def queued(self) -> int:
        """Requests waiting for a slot now."""
        return len(self._waiters)

    async def acquire(self) -> None:
        """Take a slot, waiting in the queue if there is room; raise :class:`Overloaded` otherwise."""
        if self.max_concurrency is None or (self.in_flight < self.max_concurrency and not self._waiters):
            self.in_flight += 1
            return
        if len(self._waiters) >= self.max_queue:
            raise Overloaded(self.retry_after)
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut  # release() hands its slot over: in_flight is already counted
        except BaseException:
            if fut in self._waiters:
                self._waiters.remove(fut)
            elif fut.done() and not fut.cancelled():
                self.release()  # slot was handed to us as we were cancelled: pass it on
            raise

    def release(self) -> None:
        """Give a slot back (to the first waiter, if any)."""
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self.in_flight -= 1
