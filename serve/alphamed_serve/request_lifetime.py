"""What ends a request before its generation does: the client leaving, or the shutdown deadline.

A non-streaming request whose client disconnects is cancelled at once (its slot freed, its
sequences aborted in the engine), as a stream already is. After SIGTERM in-flight requests get
``--graceful-timeout`` seconds to finish; past it, :meth:`ShutdownDeadline.expire` cancels the
ones still running, and each ends in OpenAI's shape (a 503, or an error event then ``[DONE]``)
rather than being cut by the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

from alphamed_serve.backend import BackendError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ClientDisconnected(Exception):
    """The client closed the connection before its response was ready."""


async def unless_client_leaves(receive: Any, work: Awaitable[T]) -> T:
    """Await ``work``, cancelling it when an ``http.disconnect`` arrives on ``receive``.

    Args:
        receive: the request's ASGI receive channel, its body already read.
        work: the coroutine that produces the response.

    Raises:
        ClientDisconnected: the client left first (``work`` was cancelled).
    """
    task = asyncio.ensure_future(work)
    left = {"yes": False}

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        if not task.done():
            left["yes"] = True
            task.cancel()

    watcher = asyncio.get_running_loop().create_task(watch())
    try:
        return await task
    except asyncio.CancelledError:
        if left["yes"] and not _cancelling():
            raise ClientDisconnected from None
        raise
    finally:
        watcher.cancel()


def _cancelling() -> bool:
    """Whether the current task itself is being cancelled (not only the work it awaited)."""
    task = asyncio.current_task()
    return bool(task is not None and task.cancelling())


def shutting_down() -> BackendError:
    """The 503 a request still running at the graceful-shutdown deadline ends with."""
    return BackendError(
        "the server is shutting down and this request did not finish within its "
        "graceful timeout; retry on another replica",
        status=503,
        type="server_error",
        code="server_shutting_down",
    )


class ShutdownDeadline:
    """The requests generating now, so that the ones left at the shutdown deadline can be ended."""

    def __init__(self) -> None:
        self.expired = False
        self._tasks: set[asyncio.Task[Any]] = set()

    def add(self, task: asyncio.Task[Any]) -> None:
        """``task`` is generating (ended by :meth:`expire` if it still is then)."""
        self._tasks.add(task)

    def discard(self, task: asyncio.Task[Any]) -> None:
        """``task`` no longer generates."""
        self._tasks.discard(task)

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Mark the current task as generating until the block ends."""
        task = asyncio.current_task()
        self.add(task)
        try:
            yield
        finally:
            self.discard(task)

    def expire(self) -> None:
        """Cancel every request still generating; each ends with :func:`shutting_down`."""
        self.expired = True
        if self._tasks:
            logger.warning("graceful timeout reached: ending %d request(s) still running", len(self._tasks))
        for task in list(self._tasks):
            task.cancel()
