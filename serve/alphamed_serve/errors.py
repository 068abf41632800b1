"""OpenAI-shaped errors: ``{"error": {"message", "type", "param", "code"}}``.

Every failure the gateway can see becomes one of these with a 4xx/5xx status; a client never
gets FastAPI's 422 shape, a bare 500, or a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from alphamed_serve.backend import BackendError

logger = logging.getLogger(__name__)

# documented on every /v1 route so schema checks know these statuses
ERROR_STATUSES = (400, 401, 404, 413, 429, 500, 503)


def encodable(text: str | None) -> str | None:
    r"""``text`` with lone surrogates (which UTF-8 cannot encode) escaped as ``\udXXX``.

    >>> encodable("t\ud800")
    't\\ud800'
    """
    if text is None:
        return None
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_payload(
    message: str, type: str = "invalid_request_error", param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """The OpenAI error body (always UTF-8 encodable, whatever the request echoed into it)."""
    return {"error": {"message": encodable(message), "type": type, "param": encodable(param), "code": code}}


def error_response(exc: BackendError):
    """A JSONResponse for ``exc`` (its status, headers and OpenAI fields)."""
    from fastapi.responses import JSONResponse

    return JSONResponse(
        error_payload(exc.message, exc.type, exc.param, exc.code),
        status_code=exc.status,
        headers=exc.headers or None,
    )


def model_not_found(name: str) -> BackendError:
    """OpenAI's 404 for an unknown ``model``."""
    return BackendError(f"The model `{name}` does not exist.", status=404, param="model", code="model_not_found")


def empty_prompt(request: Any) -> BackendError:
    """400 for a prompt of zero tokens (nothing for the engine to condition on)."""
    param = "messages" if getattr(request, "messages", None) is not None else "prompt"
    return BackendError("the prompt is empty (0 tokens)", param=param, code="empty_prompt")


def _param_from_loc(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    # drop pydantic's union-member tags like "str" / "list[str]" / "function-after[...]"
    parts = [p for p in parts if not any(ch in p for ch in "[]()") and p not in _TYPE_TAGS]
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out += f"[{p}]" if p.isdigit() else f".{p}"
    return out


_TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict", "none", "is-instance", "literal"}


def validation_error(errors: list[dict[str, Any]]) -> BackendError:
    """A 400 naming the first bad field of a RequestValidationError."""
    if not errors:
        return BackendError("invalid request body")
    first = errors[0]
    if first.get("type") == "json_invalid":
        return BackendError(
            f"malformed JSON body: {first.get('ctx', {}).get('error', 'invalid JSON')}", code="invalid_json"
        )
    loc = tuple(first.get("loc", ()))
    param = _param_from_loc(loc)
    if loc == ("body",) or param is None and first.get("type") in ("missing", "model_attributes_type", "dict_type"):
        return BackendError("the request body must be a JSON object", code="invalid_body")
    msg = str(first.get("msg", "invalid value"))
    return BackendError(f"{param}: {msg}" if param else msg, param=param, code="invalid_value")


def install_error_handlers(app) -> None:
    """Render validation errors, BackendErrors, HTTP errors and crashes in OpenAI's shape."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(RequestValidationError)
    async def _validation(request, exc: RequestValidationError):
        return error_response(validation_error(list(exc.errors())))

    @app.exception_handler(BackendError)
    async def _backend(request, exc: BackendError):
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        kind = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
        payload = error_payload(str(exc.detail), kind, code=getattr(exc, "code", None))
        return JSONResponse(payload, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request, exc: Exception):
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_payload("internal server error", "server_error"), status_code=500)
