"""``AlphaMed`` and ``AsyncAlphaMed``: answer and score clinical MCQs against any OpenAI-compatible server.

Both wrap the official ``openai`` client (``OpenAI`` / ``AsyncOpenAI``), so timeouts, retries
with jittered exponential backoff, ``Retry-After`` and connection pooling are the SDK's own.
When the server is ``alphamed serve`` (it answers ``POST /v1/mcqa``) questions go to that
endpoint; otherwise the client builds the prompt and extracts the answer itself with the
same core functions the server uses.

Example (needs a server)::

    from alphamed_client import AlphaMed
    client = AlphaMed(base_url="http://localhost:8000/v1", model="alphamed-8b")
    ans = client.answer("First-line drug for X?", options=["a", "b", "c", "d"])
    print(ans.letter, ans.votes)
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

from alphamed.prompts import DEFAULT_STYLE, get_style
from alphamed.schema import Question
from alphamed_client import protocol
from alphamed_client.errors import AlphaMedClientError, AuthenticationFailed, ModelNotFound, ServerUnreachable
from alphamed_client.models import ModelAnswer

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 600.0
DEFAULT_MAX_RETRIES = 4
POOL_SHARD_SIZE = 8
Options = Sequence[str] | Mapping[str, str]


class _Settings:
    """What both twins are configured with (keyword-only, validated once)."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        prompt_style: str,
        timeout: float,
        max_retries: int,
        mcqa: bool | None,
        max_connections: int,
    ) -> None:
        get_style(prompt_style)  # fail early on an unknown style
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "EMPTY")
        self.prompt_style = prompt_style
        self.timeout = timeout
        self.max_retries = max_retries
        self.mcqa = mcqa
        self.max_connections = max_connections

    def openai_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "api_key": self.api_key,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }


def _translate_preflight(exc: Exception, base_url: str) -> Exception:
    """A one-line client error for a failed server check, or ``exc`` itself."""
    import openai

    if isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError)):
        cause = exc.__cause__ or exc
        return ServerUnreachable(f"cannot reach the server at {base_url}: {cause}")
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return AuthenticationFailed(
            f"the server at {base_url} rejected the API key (HTTP {exc.status_code}); check --api-key / --api-key-env"
        )
    if isinstance(exc, openai.APIStatusError):
        return AlphaMedClientError(
            f"the server at {base_url} failed its check (HTTP {exc.status_code}): "
            f"{str(exc.message).splitlines()[0][:200]}"
        )
    return exc


def _check_models(listed: list[str], model: str, base_url: str) -> None:
    if listed and model not in listed:
        shown = ", ".join(listed[:10]) + (" ..." if len(listed) > 10 else "")
        raise ModelNotFound(f"model {model!r} is not served at {base_url} (it serves: {shown})")


def _probe_says_ours(exc: Exception | None) -> bool:
    """Whether a ``POST /v1/mcqa`` with an empty body showed our endpoint (a 400/422, not a 404)."""
    import openai

    if exc is None:
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (400, 422)
    raise exc


def _http_module() -> Any:
    """The HTTP library of the installed openai (httpx2 from openai 3, httpx before)."""
    try:
        import httpx2 as http
    except ImportError:  # openai < 3
        import httpx as http  # type: ignore[no-redef]
    return http


@functools.lru_cache(maxsize=1)
def _shared_ssl_context() -> Any:
    """One TLS context for every pool (building one costs ~0.2 s; httpx builds one per client)."""
    http = _http_module()
    if hasattr(http, "create_ssl_context"):
        return http.create_ssl_context()
    import ssl

    return ssl.create_default_context()


@functools.lru_cache(maxsize=1)
def aiohttp_available() -> bool:
    """Whether the openai SDK's aiohttp transport can be used (the ``openai[aiohttp]`` extra)."""
    try:
        import aiohttp  # noqa: F401
        import openai

        return hasattr(openai, "DefaultAioHttpClient")
    except ImportError:
        return False


def _http_client(size: int, *, asynchronous: bool) -> Any:
    """An HTTP client for the openai SDK with a pool of ``size`` kept-alive connections.

    The async client uses the SDK's own aiohttp transport when installed (its C HTTP parser
    costs about a third less CPU per request than httpx's pure-Python stack); the SDK's
    retries, timeouts and ``Retry-After`` handling are the same on both transports.
    """
    import openai

    limits = _http_module().Limits(max_connections=size, max_keepalive_connections=size)
    if not asynchronous:
        factory = openai.DefaultHttpxClient
    elif aiohttp_available():
        factory = openai.DefaultAioHttpClient
    else:
        factory = openai.DefaultAsyncHttpxClient
    return factory(limits=limits, verify=_shared_ssl_context())


def _pool_shards(max_connections: int) -> tuple[int, int]:
    """(clients, connections each): httpcore scans every pooled connection on each request, so
    httpx pools are split in small shards; aiohttp's pool does not need that."""
    if aiohttp_available():
        return 1, max_connections
    shards = max(1, -(-max_connections // POOL_SHARD_SIZE))
    return shards, -(-max_connections // shards)


class AsyncAlphaMed:
    """The asyncio client.

    Args:
        base_url: the server's OpenAI base URL, e.g. ``http://localhost:8000/v1``.
        model: the model name to ask for.
        api_key: bearer key; defaults to ``$OPENAI_API_KEY`` or ``EMPTY``.
        prompt_style: ``alphamed`` (default), ``think-answer`` or ``plain``.
        timeout: seconds per request attempt.
        max_retries: retries of transient failures (429, 5xx, timeouts, resets), by the openai SDK.
        mcqa: use ``/v1/mcqa`` (True), never (False), or detect it (None, default).
        max_connections: connection pool size (keep >= the scoring concurrency).
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        prompt_style: str = DEFAULT_STYLE,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        mcqa: bool | None = None,
        max_connections: int = 256,
    ) -> None:
        import openai

        self.settings = _Settings(
            base_url=base_url,
            model=model,
            api_key=api_key,
            prompt_style=prompt_style,
            timeout=timeout,
            max_retries=max_retries,
            mcqa=mcqa,
            max_connections=max_connections,
        )
        shards, per_shard = _pool_shards(max_connections)
        self._pool = [
            openai.AsyncOpenAI(http_client=_http_client(per_shard, asynchronous=True), **self.settings.openai_kwargs())
            for _ in range(shards)
        ]
        self._next = itertools.cycle(self._pool)
        self.openai = self._pool[0]
        self.model_card: dict[str, Any] | None = None
        self._mcqa = mcqa
        self._probe_lock = asyncio.Lock()

    @property
    def model(self) -> str:
        return self.settings.model

    async def check_server(self) -> list[str]:
        """Fail fast: the server answers, accepts the key and serves the model.

        Returns:
            The model ids the server lists (empty when it has no ``/v1/models``).

        Raises:
            ServerUnreachable, AuthenticationFailed, ModelNotFound: one-line messages.
        """
        import openai

        try:
            page = await self.openai.models.list()
            listed = [m.id for m in page.data]
            self.model_card = next((m.model_dump() for m in page.data if m.id == self.settings.model), None)
        except openai.NotFoundError:
            logger.warning("%s has no /v1/models; cannot check the model name", self.settings.base_url)
            listed = []
        except Exception as exc:  # translated to one line, or re-raised
            raise _translate_preflight(exc, self.settings.base_url) from exc
        _check_models(listed, self.settings.model, self.settings.base_url)
        await self.uses_mcqa()
        return listed

    async def describe_server(self) -> dict[str, Any]:
        """What the server says about itself, for a run header (best effort, never raises).

        Returns:
            ``model_card`` (its ``/v1/models`` entry, after :meth:`check_server`), ``server_info``
            (``GET /server_info``: alphamed serve, SGLang) and ``version`` (``GET /version``: vLLM),
            each None when the server does not tell.
        """
        root = self.settings.base_url.removesuffix("/v1")
        found: dict[str, Any] = {"model_card": self.model_card, "server_info": None, "version": None}
        for key, path in (("server_info", "/server_info"), ("version", "/version")):
            try:
                found[key] = await self.openai.get(
                    root + path, cast_to=object, options={"max_retries": 0, "timeout": 10.0}
                )
            except Exception as exc:  # an optional probe: absent on most servers
                logger.debug("%s%s: %s", root, path, exc)
        return found

    async def uses_mcqa(self) -> bool:
        """Whether questions go to ``/v1/mcqa`` (probed once with an empty body, no generation)."""
        if self._mcqa is not None:
            return self._mcqa
        async with self._probe_lock:
            if self._mcqa is None:
                error: Exception | None = None
                try:
                    await self.openai.post("/mcqa", body={}, cast_to=object, options={"max_retries": 0})
                except Exception as exc:
                    error = exc
                try:
                    self._mcqa = _probe_says_ours(error)
                except Exception as exc:
                    raise _translate_preflight(exc, self.settings.base_url) from exc
                logger.info(
                    "server at %s: %s",
                    self.settings.base_url,
                    "alphamed serve (/v1/mcqa)" if self._mcqa else "plain OpenAI-compatible",
                )
        return bool(self._mcqa)

    async def answer(
        self,
        question: Question | str,
        *,
        options: Options | None = None,
        context: str | None = None,
        n: int = 1,
        temperature: float | None = None,
        max_tokens: int | None = None,
        prompt_style: str | None = None,
        seed: int | None = None,
    ) -> ModelAnswer:
        """Answer one multiple-choice question.

        Args:
            question: a :class:`~alphamed.schema.Question`, or the question text.
            options: option texts in order or letter -> text (with a text question).
            context: supporting passage (with a text question).
            n: samples; ``n > 1`` is a majority vote (ties and all-abstain give ``letter=None``).
            temperature: sampling temperature (default 0 for n=1, 0.7 for a vote).
            max_tokens: completion length limit (server default when None).
            prompt_style: override the client's prompt style.
            seed: sampling seed sent to the server (engines that honour it reproduce the samples).

        Returns:
            A :class:`~alphamed_client.models.ModelAnswer`.
        """
        q = protocol.as_question(question, options, context)
        kwargs = {
            "model": self.settings.model,
            "prompt_style": prompt_style or self.settings.prompt_style,
            "n": n,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "seed": seed,
        }
        start = time.perf_counter()
        client = next(self._next)
        # the SDK's low-level post: its retries, timeouts and Retry-After, without re-validating
        # the body and building typed response objects (a third of the CPU per question)
        if await self.uses_mcqa():
            payload = await client.post("/mcqa", body=protocol.mcqa_body(q, **kwargs), cast_to=object)
            return protocol.model_answer_from_mcqa(payload, q, time.perf_counter() - start)
        payload = await client.post("/chat/completions", body=protocol.chat_params(q, **kwargs), cast_to=object)
        return protocol.model_answer_from_chat(payload, q, time.perf_counter() - start)

    async def close(self) -> None:
        for client in self._pool:
            await client.close()

    async def __aenter__(self) -> AsyncAlphaMed:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class AlphaMed:
    """The synchronous twin of :class:`AsyncAlphaMed` (same arguments, same method names)."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        prompt_style: str = DEFAULT_STYLE,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        mcqa: bool | None = None,
        max_connections: int = 256,
    ) -> None:
        import openai

        self.settings = _Settings(
            base_url=base_url,
            model=model,
            api_key=api_key,
            prompt_style=prompt_style,
            timeout=timeout,
            max_retries=max_retries,
            mcqa=mcqa,
            max_connections=max_connections,
        )
        self.openai = openai.OpenAI(
            http_client=_http_client(max_connections, asynchronous=False), **self.settings.openai_kwargs()
        )
        self._mcqa = mcqa

    @property
    def model(self) -> str:
        return self.settings.model

    def check_server(self) -> list[str]:
        """See :meth:`AsyncAlphaMed.check_server`."""
        import openai

        try:
            listed = [m.id for m in self.openai.models.list().data]
        except openai.NotFoundError:
            listed = []
        except Exception as exc:
            raise _translate_preflight(exc, self.settings.base_url) from exc
        _check_models(listed, self.settings.model, self.settings.base_url)
        self.uses_mcqa()
        return listed

    def uses_mcqa(self) -> bool:
        """See :meth:`AsyncAlphaMed.uses_mcqa`."""
        if self._mcqa is None:
            error: Exception | None = None
            try:
                self.openai.post("/mcqa", body={}, cast_to=object, options={"max_retries": 0})
            except Exception as exc:
                error = exc
            try:
                self._mcqa = _probe_says_ours(error)
            except Exception as exc:
                raise _translate_preflight(exc, self.settings.base_url) from exc
        return self._mcqa

    def answer(
        self,
        question: Question | str,
        *,
        options: Options | None = None,
        context: str | None = None,
        n: int = 1,
        temperature: float | None = None,
        max_tokens: int | None = None,
        prompt_style: str | None = None,
        seed: int | None = None,
    ) -> ModelAnswer:
        """See :meth:`AsyncAlphaMed.answer`."""
        q = protocol.as_question(question, options, context)
        kwargs = {
            "model": self.settings.model,
            "prompt_style": prompt_style or self.settings.prompt_style,
            "n": n,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "seed": seed,
        }
        start = time.perf_counter()
        if self.uses_mcqa():
            payload = self.openai.post("/mcqa", body=protocol.mcqa_body(q, **kwargs), cast_to=object)
            return protocol.model_answer_from_mcqa(payload, q, time.perf_counter() - start)
        payload = self.openai.post("/chat/completions", body=protocol.chat_params(q, **kwargs), cast_to=object)
        return protocol.model_answer_from_chat(payload, q, time.perf_counter() - start)

    def close(self) -> None:
        self.openai.close()

    def __enter__(self) -> AlphaMed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
