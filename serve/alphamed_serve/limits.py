"""Admission control: at most ``max_concurrency`` requests generate at once, at most
``max_queue`` wait for a slot, and the rest are refused at once with 429 + ``Retry-After``
so the server stays responsive under overload.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from starlette.exceptions import HTTPException

from alphamed_serve.backend import BackendError


class Overloaded(BackendError):
    """429: every slot is busy and the wait queue is full."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "The server is at its concurrency limit and its queue is full; retry later.",
            status=429,
            type="rate_limit_error",
            code="server_overloaded",
            headers={"Retry-After": str(retry_after)},
        )


class ConcurrencyLimiter:
    """A FIFO semaphore with a bounded wait queue.

    Args:
        max_concurrency: requests served at once (None or 0: unlimited).
        max_queue: requests allowed to wait for a slot.
        retry_after: seconds suggested to refused clients.
        on_queue_change: called with the number of waiters whenever it changes (a gauge's ``set``).
    """

    def __init__(
        self,
        max_concurrency: int | None,
        max_queue: int = 0,
        retry_after: int = 1,
        on_queue_change: Callable[[int], None] | None = None,
    ) -> None:
        self.max_concurrency = max_concurrency or None
        self.max_queue = max(0, max_queue)
        self.retry_after = retry_after
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._on_queue_change = on_queue_change or (lambda queued: None)

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
        self._on_queue_change(len(self._waiters))
        try:
            await fut  # release() hands its slot over: in_flight is already counted
        except BaseException:
            if fut in self._waiters:
                self._waiters.remove(fut)
                self._on_queue_change(len(self._waiters))
            elif fut.done() and not fut.cancelled():
                self.release()  # slot was handed to us as we were cancelled: pass it on
            raise

    def release(self) -> None:
        """Give a slot back (to the first waiter, if any)."""
        while self._waiters:
            fut = self._waiters.popleft()
            self._on_queue_change(len(self._waiters))
            if not fut.done():
                fut.set_result(None)
                return
        self.in_flight -= 1


def _too_large_message(max_bytes: int) -> str:
    return (
        f"the request body is larger than this server's limit of {max_bytes} bytes "
        f"(alphamed serve --max-request-bytes)"
    )


class RequestTooLarge(HTTPException):
    """413: the request body passed the size limit while it was being read (an HTTPException,
    so that the framework's body reader lets it through to the error handlers)."""

    code = "request_too_large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _too_large_message(max_bytes))


class RequestSizeLimit:
    """Pure ASGI middleware: a body over ``max_bytes`` gets a 413 in OpenAI's shape before
    anything parses it (at once when ``Content-Length`` says so, else as soon as the bytes read
    pass the limit), so one huge request cannot tie up the event loop or the memory.

    Args:
        app: the ASGI app.
        max_bytes: the largest body accepted; None or 0: unlimited.
    """

    def __init__(self, app, max_bytes: int | None) -> None:
        self.app = app
        self.max_bytes = max_bytes or None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.max_bytes is None:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send)
            return
        seen = {"bytes": 0, "started": False}

        async def limited_receive():
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > limit:
                    raise RequestTooLarge(limit)
            return message

        async def tracked_send(message) -> None:
            seen["started"] = seen["started"] or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except RequestTooLarge:
            if seen["started"]:
                raise
            await self._refuse(send)

    async def _refuse(self, send) -> None:
        import json

        from alphamed_serve.errors import error_payload

        body = json.dumps(error_payload(_too_large_message(self.max_bytes), code=RequestTooLarge.code)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
