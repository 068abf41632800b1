"""A proxying backend that starts and supervises its engine's own OpenAI server.

The vLLM and SGLang backends are this plus the engine's command line. With
``--upstream URL`` they start nothing and front that server instead.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from alphamed_serve.backend import BackendError, BackendOptions, Health
from alphamed_serve.backends.supervisor import EngineSupervisor
from alphamed_serve.backends.upstream import OpenAIUpstreamBackend, api_root

logger = logging.getLogger(__name__)


def engine_argv(
    options: BackendOptions,
    *,
    module: str,
    model_flag: str,
    flags: dict[str, str],
    python: str,
    port: int,
    api_key: str | None,
) -> list[str]:
    """An engine's server command line: ``python -m module``, the model, loopback ``port``, then
    each option in ``flags`` (option field -> the engine's flag name) that is set to something
    other than its default, the key (as ``--api-key=KEY``: a generated key may start with "-",
    which argparse would take for a flag), and last the pass-through ``engine_args``.

    >>> engine_argv(BackendOptions(model="m", dtype="bfloat16", enable_prefix_caching=True,
    ...             tensor_parallel_size=1), module="eng", model_flag="--model", python="py", port=9,
    ...             api_key=None, flags={"dtype": "--dtype", "enable_prefix_caching": "--prefix",
    ...                                  "tensor_parallel_size": "--tp"})
    ['py', '-m', 'eng', '--model', 'm', '--host', '127.0.0.1', '--port', '9', '--dtype', 'bfloat16', '--prefix']
    """
    argv = [python, "-m", module, model_flag, options.model, "--host", "127.0.0.1", "--port", str(port)]
    defaults = BackendOptions(model=options.model)
    for field, flag in flags.items():
        value = getattr(options, field)
        if value == getattr(defaults, field) or value in (None, False, "", "auto"):
            continue
        argv += [flag] if value is True else [flag, str(value)]
    if api_key:  # one argument: a key starting with "-" must not read as a flag
        argv.append(f"--api-key={api_key}")
    return argv + list(options.engine_args)


def _fetch_hub_model(options: BackendOptions) -> None:
    """A hub id is fetched into the Hugging Face cache before the engine starts (the engine, which
    inherits HF_HOME/HF_TOKEN/HF_HUB_OFFLINE, then finds it there): a missing or gated id is one line
    here instead of an engine traceback, and a long download does not count against the start timeout.
    Skipped for a bare name (no ``org/``) and when the gateway's environment lacks huggingface_hub: the
    engine then resolves the name itself."""
    import importlib.util

    from alphamed.hub import ModelNotFoundError, looks_like_hub_id, resolve_model

    if (
        "/" not in options.model
        or not looks_like_hub_id(options.model)
        or importlib.util.find_spec("huggingface_hub") is None
    ):
        return
    try:
        resolve_model(options.model, revision=options.revision)
    except ModelNotFoundError as exc:
        raise BackendError(str(exc), status=500, type="server_error", param="model") from None


class _ChildEngine:
    """The engine as this gateway's child process (an :class:`EngineSupervisor`): its private
    port, its state (starting, restarting, dead) and what a dropped connection means."""

    def __init__(self, backend: ManagedEngineBackend) -> None:
        self.engine = backend.engine
        self.model = backend.options.model
        self.supervisor = EngineSupervisor(
            backend.engine,
            backend.engine_command,
            env=backend.env,
            health_path=backend.health_path,
            startup_timeout=backend.options.startup_timeout,
        )

    @property
    def base_url(self) -> str:
        return self.supervisor.base_url

    def model_id(self) -> str | None:
        """A local folder is served under its name (like the transformers backend); a hub id as is."""
        path = Path(self.model)
        return path.name if path.is_dir() else self.model

    async def start(self) -> None:
        await self.supervisor.start()

    async def stop(self) -> None:
        await self.supervisor.stop()

    def check_ready(self) -> None:
        self.supervisor.check_ready()

    async def health(self, engine_health: Callable[[], Awaitable[Health]]) -> Health:
        """The child's state (dead/restarting/...) or, when it runs, the engine's own ``/health``."""
        state = self.supervisor.health()
        if not state.ok:
            return state
        engine = await engine_health()
        if engine.ok:
            return engine
        await asyncio.sleep(0.2)  # a child that just died is reaped in a moment: report that
        state = self.supervisor.health()
        if not state.ok:
            return state
        return Health(ok=False, status="unresponsive", detail=f"the {self.engine} process runs but {engine.detail}")

    def connection_error(self, error: BackendError, exc: httpx.HTTPError) -> BackendError:
        if error.status == 503:
            error.message = (
                f"{self.engine} engine went away during the request ({type(exc).__name__}); "
                f"it is restarted automatically, retry shortly"
            )
            error.code = "engine_unavailable"
            error.args = (error.message,)
        return error


class _ExternalEngine:
    """``--upstream URL``: an engine or router someone else runs; nothing to start or restart."""

    supervisor = None

    def __init__(self, backend: ManagedEngineBackend) -> None:
        self.options = backend.options

    @property
    def base_url(self) -> str:
        return api_root(self.options.upstream)

    def model_id(self) -> str | None:
        return None  # the upstream engine's own id

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def check_ready(self) -> None:
        pass

    async def health(self, engine_health: Callable[[], Awaitable[Health]]) -> Health:
        return await engine_health()

    def connection_error(self, error: BackendError, exc: httpx.HTTPError) -> BackendError:
        return error


class ManagedEngineBackend(OpenAIUpstreamBackend):
    """Base of the engine backends: child process on a private loopback port, or ``--upstream``.

    Subclasses set ``name``/``engine`` and implement :meth:`engine_command`. Where the engine
    runs is one composed object (:class:`_ChildEngine` or :class:`_ExternalEngine`), so no
    method branches on it.
    """

    health_path = "/health"
    env: dict[str, str] = {}

    def __init__(self, options: BackendOptions) -> None:
        super().__init__(options)
        if not options.upstream:
            _fetch_hub_model(options)
            # a private key so nothing else on the machine can use the engine behind our back
            self._api_key = secrets.token_urlsafe(24)
        self.place: _ChildEngine | _ExternalEngine = _ExternalEngine(self) if options.upstream else _ChildEngine(self)

    @property
    def supervisor(self) -> EngineSupervisor | None:
        """The engine child's supervisor (None with ``--upstream``)."""
        return self.place.supervisor

    @property
    def python(self) -> str:
        """Interpreter that runs the engine (``--engine-python``, else this one)."""
        return self.options.engine_python or sys.executable

    def engine_command(self, port: int) -> list[str]:
        """The engine server's command line for ``port``."""
        raise NotImplementedError

    def default_model_id(self) -> str:
        return self.place.model_id() or super().default_model_id()

    @property
    def base_url(self) -> str:
        return self.place.base_url

    async def start(self) -> None:
        """Start the engine child (waiting for its health), then connect to it."""
        await self.place.start()
        await super().start()

    async def stop(self) -> None:
        """Disconnect and stop the engine child."""
        await super().stop()
        await self.place.stop()

    def _check_ready(self) -> None:
        self.place.check_ready()

    async def health(self) -> Health:
        return await self.place.health(super().health)

    def _connection_error(self, exc: httpx.HTTPError) -> BackendError:
        return self.place.connection_error(super()._connection_error(exc), exc)
