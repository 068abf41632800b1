"""``X-Request-Id``: taken from the client (or made), echoed on the response, forwarded to the engine.

The id of the request being served lives in a context variable, so the upstream backends add it to the
engine request without it being threaded through every call (vLLM logs it and uses it as its request id).
"""

from __future__ import annotations

import contextvars
import re
import uuid

HEADER = "X-Request-Id"
_VALID = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII: safe to put back in a header

current: contextvars.ContextVar[str | None] = contextvars.ContextVar("alphamed_request_id", default=None)


def engine_headers() -> dict[str, str]:
    """Headers to add to an engine request: the current request's id, if any.

    >>> engine_headers()
    {}
    """
    rid = current.get()
    return {HEADER: rid} if rid else {}


class RequestIdMiddleware:
    """Pure ASGI middleware: a valid incoming ``X-Request-Id`` is kept, else one is made; either way it is
    set for the request's context and sent back on the response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), "")
        rid = given if _VALID.match(given) else uuid.uuid4().hex
        token = current.set(rid)

        async def _send(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode("latin-1"))]}
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            current.reset(token)
