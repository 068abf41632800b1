"""Front an OpenAI-compatible engine or router that is already running (``--upstream URL``).

The same class is the base of the vLLM and SGLang backends, which start their engine
as a child process first and then talk to it exactly like this.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import orjson

from alphamed_serve import request_id
from alphamed_serve.backend import (
    BackendError,
    BackendOptions,
    GenerationRequest,
    GenerationResult,
    Health,
    ModelInfo,
    StreamDelta,
)
from alphamed_serve.backends import openai_wire as proxy
from alphamed_serve.backends.sse import EventSplitter

logger = logging.getLogger(__name__)

DEFAULT_CONTEXT_LENGTH = 4096
# generation may take minutes; connecting must not
_TIMEOUT = httpx.Timeout(connect=5.0, read=600.0, write=60.0, pool=60.0)
# httpx's default pool (100 connections) would queue streams beyond 100 behind each other; the
# gateway's own --max-concurrency is what bounds the load, so the pool must not be the limit.
_LIMITS = httpx.Limits(max_connections=4096, max_keepalive_connections=512)
# streams are read with aiohttp (C HTTP parser; a third of httpx's CPU per token in bench/stream_cpu.py)
_IDLE_KEEPALIVE = 4.0
_STREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=_TIMEOUT.connect, sock_read=_TIMEOUT.read)


def api_root(url: str) -> str:
    """The server root of an upstream URL given with or without ``/v1``.

    Args:
        url: e.g. ``http://10.0.0.5:8000`` or ``http://10.0.0.5:8000/v1/``.

    Returns:
        The URL without a trailing ``/v1`` or slash.

    >>> api_root("http://h:8000/v1/")
    'http://h:8000'
    """
    root = url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


def _json_bytes(body: dict[str, Any]) -> bytes:
    """``body`` as JSON (orjson; ``json`` for what orjson refuses, such as integers past 64 bits)."""
    try:
        return orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(body).encode()


class OpenAIUpstreamBackend:
    """Proxy generation to an OpenAI-compatible server; no child process.

    Args:
        options: ``upstream`` (required here), ``upstream_api_key``, ``served_model_name``,
            ``max_model_len``.
    """

    name = "openai"
    engine = "upstream"  # how errors name the engine
    constraint_dialect = "passthrough"  # guided_* etc. go to the server untouched (see alphamed_serve.constraints)

    def __init__(self, options: BackendOptions) -> None:
        self.options = options
        self._client: httpx.AsyncClient | None = None
        self._streams: aiohttp.ClientSession | None = None  # engine streams (keep-alive connections)
        self._engine_model: str | None = None  # the model id the engine itself serves
        self._context_length: int | None = options.max_model_len
        self._api_key = options.upstream_api_key

    @property
    def engine_splits(self) -> bool:
        """Whether the engine runs a reasoning parser (``--reasoning-parser``): then the gateway never splits."""
        return bool(self.options.reasoning_parser)

    # -- where to send requests (the managed backends override these) ---------------

    @property
    def base_url(self) -> str:
        """Root URL of the engine server."""
        if not self.options.upstream:
            raise ValueError("the openai backend needs --upstream URL (an OpenAI-compatible server)")
        return api_root(self.options.upstream)

    def _check_ready(self) -> None:
        """Raise a 503 :class:`BackendError` when no engine can take a request now."""

    def _extra_body(self, request: GenerationRequest) -> dict[str, Any]:
        """Engine-specific request fields added to every body."""
        return {}

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        """Open the HTTP client and learn the served model id and context length."""
        self.base_url  # noqa: B018 - validates the option early
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        self._client = httpx.AsyncClient(timeout=_TIMEOUT, limits=_LIMITS, headers=headers)
        # trust_env: HTTP(S)_PROXY / NO_PROXY apply as they do to httpx; limit=0: the gateway's own
        # --max-concurrency bounds the load, not the pool; idle connections are dropped before uvicorn's
        # 5 s keep-alive (vLLM, SGLang) closes them under a request
        connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=_IDLE_KEEPALIVE)
        self._streams = aiohttp.ClientSession(
            headers=headers, timeout=_STREAM_TIMEOUT, trust_env=True, connector=connector
        )
        try:
            await self.refresh_model()
        except BackendError as exc:
            logger.warning("upstream %s not answering yet (%s); will retry per request", self.base_url, exc.message)

    async def stop(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._streams is not None:
            await self._streams.close()
            self._streams = None

    async def refresh_model(self) -> None:
        """Ask the engine's ``/v1/models`` which model it serves and how long a context it takes."""
        response = await self._send("GET", "/v1/models")
        try:
            card = response.json()["data"][0]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise proxy.unavailable(self.engine, "malformed /v1/models answer", status=502) from exc
        self._engine_model = card.get("id")
        if self.options.max_model_len is None and isinstance(card.get("max_model_len"), int):
            self._context_length = card["max_model_len"]

    # -- protocol --------------------------------------------------------------------

    def default_model_id(self) -> str:
        """The model name without ``--served-model-name``: the upstream engine's own id."""
        return self._engine_model or self.options.model

    def model_info(self) -> ModelInfo:
        """Served name (``--served-model-name`` or :meth:`default_model_id`) and context length."""
        model_id = self.options.served_model_name or self.default_model_id()
        return ModelInfo(
            id=model_id,
            context_length=self._context_length or DEFAULT_CONTEXT_LENGTH,
            owned_by="alphamed",
            root=self.options.model,
            extra={"backend": self.name, "engine_model": self._engine_model},
        )

    async def health(self) -> Health:
        """Whether the engine answers its ``/health`` right now."""
        try:
            self._check_ready()
        except BackendError as exc:
            return Health(ok=False, status=exc.code or "unavailable", detail=exc.message)
        try:
            response = await self._http().get(self.base_url + "/health", timeout=5.0)
        except httpx.HTTPError as exc:
            return Health(ok=False, status="unreachable", detail=f"{self.base_url}: {exc!r}")
        if response.status_code == 404:  # a plain OpenAI-compatible server without /health
            return await self._models_health()
        if response.status_code != 200:
            return Health(ok=False, status="unhealthy", detail=f"engine /health answered {response.status_code}")
        return Health(ok=True, status="ok")

    async def _models_health(self) -> Health:
        try:
            await self._send("GET", "/v1/models")
        except BackendError as exc:
            return Health(ok=False, status="unhealthy", detail=exc.message)
        return Health(ok=True, status="ok")

    def count_tokens(self, request: GenerationRequest) -> int | None:
        """Unknown here: the engine checks the prompt length itself."""
        return None

    def count_text_tokens(self, text: str) -> int | None:
        """Unknown here (no tokenizer): the gateway estimates ``reasoning_tokens``."""
        return None

    async def engine_metrics(self) -> str:
        """The engine's own Prometheus exposition (``/metrics``), or ``""`` when it does not answer."""
        try:
            self._check_ready()
            response = await self._http().get(self.base_url + "/metrics", timeout=5.0)
        except (BackendError, httpx.HTTPError) as exc:
            logger.debug("engine /metrics not read: %s", exc)
            return ""
        return response.text if response.status_code == 200 else ""

    async def tokenize(self, spec: dict[str, Any]) -> list[int]:
        """The engine's own ``/tokenize`` (vLLM's; SGLang's)."""
        data = await self._token_call("/tokenize", spec)
        return list(data.get("tokens") or data.get("input_ids") or [])

    async def detokenize(self, tokens: list[int]) -> str:
        """The engine's own ``/detokenize``."""
        data = await self._token_call("/detokenize", {"tokens": tokens})
        return str(data.get("prompt", data.get("text", "")))

    async def tokenizer_info(self) -> dict[str, Any]:
        """The engine's ``/tokenizer_info`` (vLLM: with ``-- --enable-tokenizer-info-endpoint``)."""
        return await self._token_call("/tokenizer_info", None)

    async def _token_call(self, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        if self._engine_model is None:
            await self.refresh_model()
        try:
            if body is None:
                response = await self._send("GET", path)
            else:
                response = await self._send("POST", path, json={"model": self._engine_model, **body})
        except BackendError as exc:
            if exc.status in (404, 405):
                raise BackendError(
                    f"the {self.engine} engine has no {path}", status=501, type="server_error", code="unsupported"
                ) from None
            raise
        try:
            return response.json()
        except ValueError as exc:
            raise proxy.unavailable(self.engine, f"{path} answer is not JSON", status=502) from exc

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        """Generate every choice through the engine's OpenAI API."""
        chat = request.messages is not None
        body = await self._body(request, stream=False)
        response = await self._send("POST", "/v1/chat/completions" if chat else "/v1/completions", json=body)
        try:
            data = response.json()
        except ValueError as exc:
            raise proxy.unavailable(self.engine, f"answer is not JSON: {response.text[:200]!r}", status=502) from exc
        return proxy.parse_result(data, chat=chat, engine=self.engine, engine_splits=self.engine_splits)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamDelta]:
        """Stream deltas as the engine sends them (each event passed on as soon as it is read)."""
        async for batch in self.stream_batches(request):
            for delta in batch:
                yield delta

    async def stream_batches(self, request: GenerationRequest) -> AsyncIterator[list[StreamDelta]]:
        """The deltas of :meth:`stream`, in lists of those whose events were read together
        (the gateway merges a list into one chunk per choice: see :mod:`alphamed_serve.collector`)."""
        chat = request.messages is not None
        body = await self._body(request, stream=True)
        url = self.base_url + ("/v1/chat/completions" if chat else "/v1/completions")
        reader = proxy.StreamReader(chat=chat, engine=self.engine, engine_splits=self.engine_splits)
        self._check_ready()
        events = self._events(url, body)
        try:
            async for payloads in events:
                batch: list[StreamDelta] = []
                for payload in payloads:
                    if payload == "[DONE]":
                        yield batch + reader.close(request.n)
                        return
                    batch.extend(reader.feed(payload))
                if batch:
                    yield batch
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise self._connection_error(exc) from exc
        finally:
            await events.aclose()
        raise proxy.unavailable(self.engine, "the stream ended before [DONE]", status=502)

    async def _events(self, url: str, body: dict[str, Any]) -> AsyncIterator[list[str]]:
        """The engine stream's event payloads, in lists of those read together."""
        if self._streams is None:
            raise BackendError("backend not started", status=503, type="server_error", code="engine_unavailable")
        headers = {"Content-Type": "application/json", **request_id.engine_headers()}
        data = _json_bytes(body)
        try:
            response = await self._streams.post(url, data=data, headers=headers)
        except aiohttp.ServerDisconnectedError:  # an idle connection the engine had just closed: once more
            response = await self._streams.post(url, data=data, headers=headers)
        async with response:
            if response.status != 200:
                raise proxy.upstream_error(response.status, await response.read(), self.engine)
            events = EventSplitter()
            async for chunk in response.content.iter_any():
                payloads: list[str] = []
                events.feed(chunk, payloads)
                if payloads and payloads[-1] == "[DONE]":
                    await response.read()  # the body's last bytes: then the connection is reused
                if payloads:
                    yield payloads
            payloads = []
            events.close(payloads)
            if payloads:
                yield payloads

    # -- HTTP ------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            raise BackendError("backend not started", status=503, type="server_error", code="engine_unavailable")
        return self._client

    async def _body(self, request: GenerationRequest, *, stream: bool) -> dict[str, Any]:
        if self._engine_model is None:
            await self.refresh_model()
        body = proxy.request_body(request, self._engine_model or self.options.model, stream=stream)
        for key, value in self._extra_body(request).items():
            body.setdefault(key, value)
        return body

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request to the engine; any failure becomes a :class:`BackendError`."""
        self._check_ready()
        try:
            headers = {**kwargs.pop("headers", {}), **request_id.engine_headers()}
            response = await self._http().request(method, self.base_url + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise self._connection_error(exc) from exc
        if response.status_code != 200:
            raise proxy.upstream_error(response.status_code, response.content, self.engine)
        return response

    def _connection_error(self, exc: Exception) -> BackendError:
        """A 503 (cannot connect, engine went away) or 504 (timed out) for a transport failure
        (``httpx.HTTPError``, ``aiohttp.ClientError``, ``asyncio.TimeoutError``)."""
        if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
            return BackendError(
                f"{self.engine} engine timed out: {exc!r}", status=504, type="server_error", code="engine_timeout"
            )
        return proxy.unavailable(self.engine, f"{type(exc).__name__} talking to {self.base_url}: {exc}")
