"""The FastAPI app: thin routers over :class:`~alphamed_serve.serving.Gateway`.

>>> from unittest.mock import MagicMock
>>> app = create_app(MagicMock(spec=Backend), Settings())
>>> sorted(p for p in app.openapi()["paths"] if p.startswith("/v1"))[:3]
['/v1/chat/completions', '/v1/completions', '/v1/mcqa']
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from starlette.requests import Request  # resolved at route registration (postponed annotations)

from alphamed_serve.api_models import (
    ChatCompletionRequest,
    ChatCompletionResponse,
    CompletionRequest,
    CompletionResponse,
    DetokenizeRequest,
    ErrorResponse,
    MCQARequest,
    MCQAResponse,
    ModelCard,
    ModelList,
    TokenizeRequest,
)
from alphamed_serve.backend import Backend
from alphamed_serve.errors import ERROR_STATUSES, install_error_handlers
from alphamed_serve.limits import RequestSizeLimit
from alphamed_serve.metrics import GatewayMetrics, MetricsMiddleware
from alphamed_serve.request_id import HEADER as REQUEST_ID_HEADER
from alphamed_serve.request_id import RequestIdMiddleware
from alphamed_serve.serving import Gateway, Settings
from alphamed_serve.worker_info import add_probe_routes

logger = logging.getLogger(__name__)

__all__ = ["create_app", "Settings"]

_ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": ErrorResponse} for s in ERROR_STATUSES}
_STREAMING: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {"type": "string", "description": "a JSON chunk, or [DONE]"},
                        "event": {"type": "string"},
                    },
                }
            }
        },
        "description": "JSON body, or server-sent events when `stream` is true.",
    },
}


def create_app(backend: Backend, settings: Settings | None = None, *, manage_backend: bool = True):
    """Build the gateway app around ``backend``.

    Args:
        backend: the engine.
        settings: gateway settings.
        manage_backend: start the backend on startup and stop it on shutdown.

    Returns:
        A FastAPI app.
    """
    from fastapi import FastAPI

    settings = settings or Settings()
    metrics = GatewayMetrics()
    gateway = Gateway(backend, settings, metrics)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if manage_backend:
            await backend.start()
        logger.info("serving %s with the %s backend", gateway.served_name, backend.name)
        try:
            yield
        finally:
            if manage_backend:
                await backend.stop()

    app = FastAPI(
        title="AlphaMed serve",
        version="0.1.0",
        lifespan=lifespan,
        summary="OpenAI-compatible API with reasoning split, answer extraction and MCQA.",
    )
    app.state.gateway = gateway
    app.state.metrics = metrics
    install_error_handlers(app)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    if settings.allowed_origins:  # CORS: off unless --allowed-origins names origins (or *)
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.allowed_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[REQUEST_ID_HEADER],
        )
    app.add_middleware(RequestIdMiddleware)  # outermost: every answer carries the id, errors and 429s too
    _add_open_routes(app, gateway)
    add_probe_routes(app, gateway)  # /model_info, /server_info: what sglang-router registers
    app.include_router(_v1_router(gateway))
    app.include_router(_token_router(gateway))
    _drop_422(app)
    return app


def _add_open_routes(app, gateway: Gateway) -> None:
    from fastapi.responses import JSONResponse, Response

    @app.get("/health", response_model=None, responses={503: {"description": "The backend cannot serve now."}})
    async def health():
        """The backend's real state: 200 when it can serve a request now, else 503."""
        state = await gateway.backend.health()
        body = {"status": state.status, "detail": state.detail, "backend": gateway.backend.name}
        return JSONResponse(body, status_code=200 if state.ok else 503)

    @app.get("/metrics", response_class=Response, response_model=None)
    async def metrics():
        """Prometheus metrics: the gateway's ``alphamed_*`` and the engine's own ``vllm:*`` / ``sglang:*`` (KV
        cache use, engine queue; labelled ``model_name`` by the engine), read from its private port."""
        from alphamed_serve.metrics import engine_families

        data, content_type = gateway.metrics.render()
        text = data.decode()
        text += engine_families(await gateway.backend.engine_metrics())
        return Response(text, media_type=content_type)


def _v1_router(gateway: Gateway):
    from fastapi import APIRouter, Depends, Header
    from fastapi.responses import Response
    from starlette.responses import StreamingResponse

    from alphamed_serve.auth import check_bearer
    from alphamed_serve.request_lifetime import ClientDisconnected, unless_client_leaves

    async def require_key(authorization: str | None = Header(default=None)) -> None:
        check_bearer(authorization, gateway.settings.api_key)

    router = APIRouter(prefix="/v1", dependencies=[Depends(require_key)], responses=_ERRORS)

    def _card() -> dict[str, Any]:
        info = gateway.backend.model_info()
        # root: the served name, never the weights' path on this machine
        return {
            "id": gateway.served_name,
            "object": "model",
            "created": int(time.time()),
            "owned_by": info.owned_by,
            "root": gateway.served_name,
            "max_model_len": info.context_length,
        }

    @router.get("/models", response_model=ModelList)
    async def list_models() -> dict[str, Any]:
        """The served model."""
        return {"object": "list", "data": [_card()]}

    @router.get("/models/{model_id:path}", response_model=ModelCard)
    async def get_model(model_id: str) -> dict[str, Any]:
        """One model by name (404 ``model_not_found`` for any other name)."""
        gateway.check_model(model_id)
        return _card()

    async def whole(request: Request, work):
        """A whole response, its work cancelled if the client leaves first (slot and engine freed)."""
        try:
            return await unless_client_leaves(request.receive, work)
        except ClientDisconnected:
            logger.info("client left before its %s response; generation stopped", request.url.path)
            return Response(status_code=499)  # nginx's "client closed request": for the logs and metrics

    @router.post("/chat/completions", response_model=ChatCompletionResponse, responses=_STREAMING)
    async def chat(req: ChatCompletionRequest, request: Request):
        """Chat completion: ``content`` holds the answer part, ``reasoning`` the trace, ``answer`` the option."""
        if req.stream:
            return StreamingResponse(await gateway.open_stream(req), media_type="text/event-stream")
        return await whole(request, gateway.chat(req))

    @router.post("/completions", response_model=CompletionResponse, responses=_STREAMING)
    async def completions(req: CompletionRequest, request: Request):
        """Text completion of one prompt (raw text, plus ``answer`` on each choice)."""
        if req.stream:
            return StreamingResponse(await gateway.open_stream(req), media_type="text/event-stream")
        return await whole(request, gateway.completion(req))

    @router.post("/mcqa", response_model=MCQAResponse)
    async def mcqa(req: MCQARequest, request: Request) -> dict[str, Any]:
        """Answer one multiple-choice question with ``n`` samples and a majority vote."""
        return await whole(request, gateway.mcqa(req))

    return router


def _token_router(gateway: Gateway):
    """``/tokenize``, ``/detokenize`` and ``/tokenizer_info`` as vLLM serves them (`vllm bench`, lm-eval)."""
    from fastapi import APIRouter, Depends, Header

    from alphamed_serve.auth import check_bearer

    async def require_key(authorization: str | None = Header(default=None)) -> None:
        check_bearer(authorization, gateway.settings.api_key)

    router = APIRouter(dependencies=[Depends(require_key)], responses=_ERRORS)

    @router.post("/tokenize")
    async def tokenize(req: TokenizeRequest) -> dict[str, Any]:
        """Token ids of a prompt, or of chat messages after the chat template."""
        return await gateway.tokenize(req)

    @router.get("/tokenizer_info")
    async def tokenizer_info() -> dict[str, Any]:
        """The tokenizer's special tokens and chat template (vLLM's ``/tokenizer_info``; lm-eval's remote
        tokenizer reads it)."""
        return await gateway.tokenizer_info()

    @router.post("/detokenize")
    async def detokenize(req: DetokenizeRequest) -> dict[str, Any]:
        """The text of token ids."""
        gateway.check_model(req.model)
        return {"prompt": await gateway.detokenize(req.tokens)}

    return router


def _drop_422(app) -> None:
    """Validation failures are 400s in OpenAI's shape: remove FastAPI's 422 from the schema."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            for path in schema.get("paths", {}).values():
                for op in path.values():
                    op.get("responses", {}).pop("422", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
