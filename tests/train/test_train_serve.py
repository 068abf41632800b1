"""The checkpoint a run writes is served, as it is, by `alphamed serve` (official openai client)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # starts a real server on the trained tiny model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"alphamed serve exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("alphamed serve did not become healthy")


def test_final_checkpoint_serves(short_run: dict[str, Any]) -> None:
    pytest.importorskip("alphamed_serve.cli")
    openai = pytest.importorskip("openai")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "alphamed", "serve", str(short_run["out"] / "final"), "--port", str(port),
                             "--backend", "transformers", "--device", "cpu", "--served-model-name", "trained"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc)
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=120)
        assert [m.id for m in client.models.list().data] == ["trained"]
        reply = client.chat.completions.create(model="trained", max_tokens=8,
                                               messages=[{"role": "user", "content": "First-line treatment of anaphylaxis?"}])
        assert reply.choices[0].finish_reason in ("stop", "length")
        assert reply.usage.completion_tokens >= 1
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
