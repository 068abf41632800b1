"""Run `alphamed serve` as a real process for end-to-end tests (like vLLM's RemoteOpenAIServer)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from ports import free_port  # the suite's one helper (tests/support)


def children_of(pid: int) -> list[int]:
    """Direct child process ids of ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry.name))
    return out


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class GatewayProcess:
    """`python -m alphamed serve MODEL ARGS...` on a free port; waits for /health; stops at exit."""

    def __init__(
        self, model: str, *args: str, env: dict[str, str] | None = None, timeout: float = 120, healthy: bool = True
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "alphamed", "serve", model, "--port", str(self.port), *args]
        self.log = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        try:
            self.started_in = self.wait_healthy(timeout, any_status=not healthy)
        except BaseException:
            self.stop()  # a server that never got healthy is not left running
            raise

    def wait_healthy(self, timeout: float, any_status: bool = False) -> float:
        """Seconds until /health answers 200 (or answers at all, with ``any_status``)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.logs()[-4000:]}")
            try:
                status = httpx.get(self.url + "/health", timeout=10).status_code
            except httpx.HTTPError:
                status = None
            if status == 200 or (any_status and status is not None):
                return time.monotonic() - started
            time.sleep(0.3)
        raise TimeoutError(f"server not healthy after {timeout} s:\n{self.logs()[-4000:]}")

    def engine_pid(self, marker: str) -> int:
        """Process id of the engine child whose command line contains ``marker``."""
        pids = [p for p in children_of(self.proc.pid) if marker in cmdline(p)]
        assert len(pids) == 1, f"engine children: {pids}"
        return pids[0]

    def logs(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def client(self, **kw):
        import openai

        return openai.OpenAI(base_url=self.url + "/v1", api_key=kw.pop("api_key", "none"), max_retries=0, **kw)

    def async_client(self, **kw):
        import openai

        return openai.AsyncOpenAI(base_url=self.url + "/v1", api_key=kw.pop("api_key", "none"), max_retries=0, **kw)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
