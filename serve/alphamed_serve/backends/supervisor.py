"""Run an engine server as a child process and keep it alive.

:class:`EngineSupervisor` starts the engine's own HTTP server on a free loopback
port, waits until its ``/health`` answers, forwards its output to logging, and when
it dies restarts it with exponential backoff. While it is down, :meth:`check_ready`
raises a 503 so requests fail fast instead of hanging; :meth:`health` says why.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence

import httpx

from alphamed_serve.backend import BackendError, Health

logger = logging.getLogger(__name__)

CommandBuilder = Callable[[int], Sequence[str]]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now.

    Args:
        host: interface to probe.

    Returns:
        The port number.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the gateway dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _redacted(argv: Sequence[str]) -> list[str]:
    """``argv`` with the value of ``--api-key`` hidden, for logs.

    >>> _redacted(["vllm", "--api-key", "s3cret", "--port", "1", "--api-key=-x"])
    ['vllm', '--api-key', '***', '--port', '1', '--api-key=***']
    """
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--api-key" and i + 1 < len(out):
            out[i + 1] = "***"
        elif arg.startswith("--api-key="):
            out[i] = "--api-key=***"
    return out


class EngineStartError(RuntimeError):
    """The engine exited or never became healthy while starting."""


class EngineSupervisor:
    """One supervised engine child process.

    Args:
        name: engine name for logs and errors (``vllm``, ``sglang``).
        command: builds the command line for a given port.
        env: extra environment variables for the child.
        health_path: the engine's readiness route.
        startup_timeout: seconds to wait for health on each (re)start.
        backoff_initial: first wait before a restart, doubled after each failed one.
        backoff_max: longest wait between restarts.
        host: loopback address the engine binds.
    """

    def __init__(
        self,
        name: str,
        command: CommandBuilder,
        *,
        env: dict[str, str] | None = None,
        health_path: str = "/health",
        startup_timeout: float = 900.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.name = name
        self.command = command
        self.env = env or {}
        self.health_path = health_path
        self.startup_timeout = startup_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.host = host
        self.port: int | None = None
        self.process: asyncio.subprocess.Process | None = None
        self.state = "stopped"  # starting | ok | dead | restarting | stopped
        self.detail = ""
        self.restarts = 0
        self.log_tail: collections.deque[str] = collections.deque(maxlen=40)
        self._monitor: asyncio.Task[None] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def base_url(self) -> str:
        """Root URL of the running engine."""
        return f"http://{self.host}:{self.port}"

    # -- public ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start the engine and wait until it is healthy.

        Raises:
            EngineStartError: it exited or stayed unhealthy for ``startup_timeout`` seconds
                (the message ends with the last lines it printed).
        """
        self._stopping = False
        self.state = "starting"
        await self._spawn_and_wait()
        self._monitor = asyncio.create_task(self._watch(), name=f"{self.name}-supervisor")

    async def stop(self) -> None:
        """Stop supervising and terminate the engine (its whole process group)."""
        self._stopping = True
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None
        await self._terminate()
        self.state = "stopped"

    def check_ready(self) -> None:
        """Raise a 503 :class:`BackendError` (with ``Retry-After``) unless the engine is up."""
        if self.state == "ok" and self.process is not None and self.process.returncode is None:
            return
        detail = self.detail or f"{self.name} engine is {self.state}"
        raise BackendError(
            f"{self.name} engine is {self.state}: {detail}",
            status=503,
            type="server_error",
            code=f"engine_{self.state}",
            headers={"Retry-After": "5"},
        )

    def health(self) -> Health:
        """The supervisor's view: ``ok``, ``starting``, ``dead`` or ``restarting``."""
        if self.state == "ok" and self.process is not None and self.process.returncode is not None:
            return Health(ok=False, status="dead", detail=f"exited with code {self.process.returncode}")
        return Health(ok=self.state == "ok", status=self.state, detail=self.detail)

    # -- internals -------------------------------------------------------------------

    async def _spawn_and_wait(self) -> None:
        self.port = free_port(self.host)
        argv = list(self.command(self.port))
        logger.info("starting %s engine: %s", self.name, " ".join(_redacted(argv)))
        try:
            self.process = await self._exec(argv)
        except OSError as exc:
            self.state, self.detail = "dead", f"cannot run {argv[0]}: {exc.strerror or exc}"
            raise EngineStartError(f"{self.name} engine: {self.detail}") from exc
        self._pump = asyncio.create_task(self._pump_output(self.process), name=f"{self.name}-output")
        started = time.monotonic()
        try:
            await self._wait_healthy(self.process)
        except EngineStartError:
            await self._terminate()
            raise
        self.state, self.detail = "ok", ""
        logger.info("%s engine ready on %s after %.1f s", self.name, self.base_url, time.monotonic() - started)

    async def _exec(self, argv: list[str]) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, **self.env},
            start_new_session=True,  # its own process group: workers die with it
            preexec_fn=_die_with_parent,
        )

    async def _wait_healthy(self, process: asyncio.subprocess.Process) -> None:
        deadline = time.monotonic() + self.startup_timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if process.returncode is not None:
                    raise EngineStartError(self._failure(f"exited with code {process.returncode} while starting"))
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.get(self.base_url + self.health_path)
                    if response.status_code == 200:
                        return
                await asyncio.sleep(0.5)
        raise EngineStartError(self._failure(f"not healthy after {self.startup_timeout:.0f} s"))

    def _failure(self, what: str) -> str:
        tail = "\n".join(list(self.log_tail)[-15:])
        return f"{self.name} engine {what}; its last output:\n{tail}"

    async def _pump_output(self, process: asyncio.subprocess.Process) -> None:
        """Forward the engine's output to logging and keep its last lines."""
        assert process.stdout is not None
        engine_log = logging.getLogger(f"alphamed_serve.engine.{self.name}")
        while True:
            line = await process.stdout.readline()
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip()
            self.log_tail.append(text)
            engine_log.info("%s", text)

    async def _watch(self) -> None:
        """Wait for the engine to die, then restart it with exponential backoff, forever."""
        backoff = self.backoff_initial
        while not self._stopping:
            assert self.process is not None
            code = await self.process.wait()
            if self._stopping:
                return
            self.restarts += 1
            self.state = "dead"
            self.detail = f"exited with code {code}; restarting in {backoff:.0f} s"
            logger.error(
                "%s engine died (exit code %s); restart %d in %.1f s", self.name, code, self.restarts, backoff
            )
            await asyncio.sleep(backoff)
            backoff = await self._restart(backoff)

    async def _restart(self, backoff: float) -> float:
        """One restart attempt; returns the next backoff (reset after a success)."""
        self.state, self.detail = "restarting", f"restart {self.restarts} in progress"
        try:
            await self._spawn_and_wait()
        except EngineStartError as exc:
            logger.error("%s", exc)
            self.state, self.detail = "dead", str(exc).splitlines()[0]
            return min(backoff * 2, self.backoff_max)
        return self.backoff_initial

    async def _terminate(self) -> None:
        """SIGTERM the engine's process group, SIGKILL it if it lingers."""
        process = self.process
        if process is None:
            return
        if process.returncode is None:
            self._signal_group(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except asyncio.TimeoutError:
                self._signal_group(process.pid, signal.SIGKILL)
                await process.wait()
        self._signal_group(process.pid, signal.SIGKILL)  # workers left behind in the group
        if self._pump is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._pump, timeout=5)
            self._pump = None

    @staticmethod
    def _signal_group(pid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
