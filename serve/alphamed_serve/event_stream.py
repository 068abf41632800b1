"""The ASGI response that sends a stream's server-sent events.

Starlette's ``StreamingResponse`` does the same, but under ASGI servers that report spec 2.3
(uvicorn) it runs every response in an anyio task group to notice a client that leaves: a
cost paid per request that showed up when hundreds of streams start at once. This response
watches for the disconnect with one plain asyncio task and, when the client leaves, cancels
the streaming, so the event iterator's ``finally`` (slot release, engine stream closed) runs
at once, as with Starlette.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response


class EventStreamResponse(Response):
    """Send ``events`` (SSE text) as a ``text/event-stream`` response.

    Args:
        events: an async generator of SSE text; closed when the response ends, however it ends.
        status_code: HTTP status.
    """

    media_type = "text/event-stream"

    def __init__(self, events: AsyncIterator[str], status_code: int = 200) -> None:
        self.events = events
        self.status_code = status_code
        self.background = None
        self.raw_headers = [(b"content-type", b"text/event-stream; charset=utf-8")]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        task = asyncio.current_task()
        state = {"streaming": True, "left": False}

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            if state["streaming"]:
                state["left"] = True
                task.cancel()

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            async for chunk in self.events:
                await send({"type": "http.response.body", "body": chunk.encode(), "more_body": True})
            state["streaming"] = False
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            if self.background is not None:
                await self.background()
        except asyncio.CancelledError:
            if not state["left"]:
                raise
            uncancel = getattr(task, "uncancel", None)  # Python >= 3.11: the cancel was ours
            if uncancel is not None:
                uncancel()
        finally:
            state["streaming"] = False
            watcher.cancel()
            await self.events.aclose()
