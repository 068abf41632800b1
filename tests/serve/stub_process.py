"""Run the engine HTTP stub (``sglang_stub.py``) in a subprocess for a test."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from ports import free_port  # the suite's one helper (tests/support)

HERE = Path(__file__).resolve().parent
STUB = HERE / "sglang_stub.py"
# `python -m sglang.launch_server` / `python -m vllm.entrypoints.openai.api_server` resolved to the stub.
# Written to a temporary folder at run time: kept in the repository, pytest's module collection
# would import them as the top-level `vllm` / `sglang` packages of the test process.
FAKE_LAUNCHERS = {
    "sglang/launch_server.py": "sglang",
    "vllm/entrypoints/openai/api_server.py": "vllm",
}
_LAUNCHER = """\
import sys
sys.path.insert(0, {stub_dir!r})
from sglang_stub import main
if __name__ == "__main__":
    main(sys.argv[1:] + ["--dialect", {dialect!r}])
"""


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


@functools.lru_cache(maxsize=1)
def fake_engines_dir() -> Path:
    """A folder holding fake `sglang` and `vllm` packages whose server modules run the stub."""
    root = Path(tempfile.mkdtemp(prefix="alphamed-fake-engines-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    for relative, dialect in FAKE_LAUNCHERS.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_LAUNCHER.format(stub_dir=str(HERE), dialect=dialect))
        for package in target.relative_to(root).parents:
            if str(package) != ".":
                (root / package / "__init__.py").touch()
    return root


def fake_engine_pythonpath() -> str:
    """PYTHONPATH under which ``python -m sglang.launch_server`` / vLLM's api_server run the stub."""
    return os.pathsep.join(p for p in [str(fake_engines_dir()), os.environ.get("PYTHONPATH", "")] if p)
