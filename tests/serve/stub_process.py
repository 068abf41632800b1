"""Run the engine HTTP stub (``sglang_stub.py``) in a subprocess for a test."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
STUB = HERE / "sglang_stub.py"
FAKE_ENGINES = HERE / "fake_engines"


def free_port() -> int:
    """A loopback port nobody listens on."""
    from alphamed_serve.backends.supervisor import free_port as _free_port

    return _free_port()


@contextlib.contextmanager
def stub_server(*args: str, timeout: float = 60.0) -> Iterator[str]:
    """Start the stub with ``args``; yield its root URL once ``/health`` answers; kill it after."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(STUB), "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"stub exited: {proc.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("stub did not become healthy")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fake_engine_pythonpath() -> str:
    """PYTHONPATH under which ``python -m sglang.launch_server`` / vLLM's api_server run the stub."""
    return os.pathsep.join(p for p in [str(FAKE_ENGINES), os.environ.get("PYTHONPATH", "")] if p)
