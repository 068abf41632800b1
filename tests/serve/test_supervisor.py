"""Supervision of the engine child: start, health, death mid-request, restart with backoff.

The child is a fake engine (the HTTP stub behind ``python -m vllm.entrypoints.openai.api_server``
or ``python -m sglang.launch_server``), started exactly the way the real engines are.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alphamed_serve.backend import BackendError, BackendOptions, GenerationRequest  # noqa: E402
from alphamed_serve.backends import create_backend  # noqa: E402
from alphamed_serve.backends.supervisor import EngineStartError, EngineSupervisor, _redacted  # noqa: E402
from stub_process import STUB, fake_engine_pythonpath  # noqa: E402

QUESTION = [{"role": "user", "content": "First-line drug for anaphylaxis?"}]


@pytest.fixture
def fake_engines(monkeypatch):
    """Children started from here find the fake `vllm` / `sglang` packages."""
    monkeypatch.setenv("PYTHONPATH", fake_engine_pythonpath())


async def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("condition not reached in time")


@pytest.mark.parametrize("engine", ["vllm", "sglang"])
async def test_child_engine_serves_and_uses_engine_reasoning(fake_engines, engine):
    parser = "deepseek_r1" if engine == "vllm" else "deepseek-r1"
    backend = create_backend(
        engine,
        BackendOptions(
            model="/models/tiny", reasoning_parser=parser, engine_python=sys.executable, startup_timeout=60
        ),
    )
    await backend.start()
    try:
        assert (await backend.health()).ok
        assert backend.model_info().id == "/models/tiny"
        result = await backend.generate(GenerationRequest(messages=QUESTION))
        assert result.outputs[0].reasoning.startswith(
            "The patient has"
        )  # vLLM: `reasoning`, SGLang: `reasoning_content`
        assert result.outputs[0].text == "The final answer is: $\\boxed{A}$"
        # the child listens on loopback only and wants the private key the backend holds
        unauthorised = httpx.get(backend.base_url + "/v1/models")
        assert unauthorised.status_code == 401
        assert backend.base_url.startswith("http://127.0.0.1:")
    finally:
        await backend.stop()
    assert backend.supervisor.process.returncode is not None


async def test_engine_killed_mid_request_then_restarted(fake_engines):
    backend = create_backend(
        "vllm",
        BackendOptions(
            model="/models/tiny",
            engine_python=sys.executable,
            engine_args=["--token-delay", "0.2"],
            startup_timeout=60,
        ),
    )
    backend.supervisor.backoff_initial = 0.5
    await backend.start()
    try:
        first_pid = backend.supervisor.process.pid
        held = [{"role": "user", "content": QUESTION[0]["content"] + " __hold__"}]  # the stub never finishes it
        stream = backend.stream(GenerationRequest(messages=held))
        got = [await stream.__anext__() for _ in range(2)]  # the request is in flight, held open
        assert got[0].text
        os.killpg(first_pid, signal.SIGKILL)
        with pytest.raises(BackendError) as err:
            async for _ in stream:
                pass
        assert err.value.status == 503 and err.value.type == "server_error"
        assert "went away" in err.value.message

        await _wait_for(lambda: _not_ok(backend), timeout=10)
        health = await backend.health()
        assert health.status in ("dead", "restarting")
        started = time.monotonic()
        with pytest.raises(BackendError) as err:  # fails fast while down, no hang
            await backend.generate(GenerationRequest(messages=QUESTION))
        assert err.value.status == 503 and time.monotonic() - started < 2
        assert err.value.headers["Retry-After"]

        await _wait_for(lambda: _ok(backend), timeout=60)
        assert backend.supervisor.process.pid != first_pid and backend.supervisor.restarts == 1
        result = await backend.generate(GenerationRequest(messages=QUESTION, max_tokens=3))
        assert result.outputs[0].finish_reason == "length"
    finally:
        await backend.stop()


async def _ok(backend) -> bool:
    return (await backend.health()).ok


async def _not_ok(backend) -> bool:
    return not (await backend.health()).ok


async def test_crash_loop_backs_off_and_reports_dead(caplog):
    """After the first start, every restart fails: waits double up to the cap, the engine stays dead."""
    calls: list[float] = []

    def command(port: int) -> list[str]:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return [sys.executable, str(STUB), "--model-path", "m", "--port", str(port)]
        return [sys.executable, "-c", "import sys; print('boom: bad weights'); sys.exit(3)"]

    caplog.set_level("INFO", logger="alphamed_serve")
    supervisor = EngineSupervisor("fake", command, startup_timeout=30, backoff_initial=0.2, backoff_max=0.8)
    await supervisor.start()
    try:
        os.killpg(supervisor.process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(calls) < 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert len(calls) >= 5
        waits = [r.getMessage().rsplit(" in ", 1)[1] for r in caplog.records if "fake engine died" in r.getMessage()]
        assert waits[:4] == ["0.2 s", "0.4 s", "0.8 s", "0.8 s"]
        health = supervisor.health()
        assert not health.ok and health.status in ("dead", "restarting")
        with pytest.raises(BackendError) as err:
            supervisor.check_ready()
        assert err.value.status == 503
        assert "boom: bad weights" in "\n".join(supervisor.log_tail)
    finally:
        await supervisor.stop()
    assert supervisor.state == "stopped"


async def test_engine_that_cannot_start_fails_with_its_output(fake_engines):
    backend = create_backend(
        "sglang",
        BackendOptions(
            model="/models/tiny",
            engine_python=sys.executable,
            engine_args=["--no-such-flag-and-missing-value", "--port"],
            startup_timeout=30,
        ),
    )
    with pytest.raises(EngineStartError, match="exited with code 2 while starting") as err:
        await backend.start()
    assert "usage:" in str(err.value)  # the engine's own complaint is shown


async def test_engine_that_never_gets_healthy_times_out(fake_engines):
    backend = create_backend(
        "vllm",
        BackendOptions(
            model="/models/tiny",
            engine_python=sys.executable,
            engine_args=["--startup-delay", "60"],
            startup_timeout=3,
        ),
    )
    started = time.monotonic()
    with pytest.raises(EngineStartError, match="not healthy after 3 s"):
        await backend.start()
    assert time.monotonic() - started < 20
    assert backend.supervisor.process.returncode is not None  # not left running


def test_engine_dies_with_a_killed_gateway(tmp_path):
    """SIGKILL the process that supervises the engine: the engine (own session) must not linger."""
    import subprocess

    script = tmp_path / "gateway.py"
    script.write_text(
        "import asyncio, sys\n"
        f"sys.path.insert(0, {str(STUB.parent)!r})\n"
        "from alphamed_serve.backends.supervisor import EngineSupervisor\n"
        "async def main():\n"
        f"    s = EngineSupervisor('fake', lambda p: [sys.executable, {str(STUB)!r}, '--model-path', 'm', '--port', str(p)])\n"
        "    await s.start()\n"
        "    print(s.process.pid, flush=True)\n"
        "    await asyncio.sleep(600)\n"
        "asyncio.run(main())\n"
    )
    gateway = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        engine_pid = int(gateway.stdout.readline())
        os.kill(engine_pid, 0)  # running
        gateway.kill()
        gateway.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and Path(f"/proc/{engine_pid}").exists():
            stat = Path(f"/proc/{engine_pid}/stat").read_text() if Path(f"/proc/{engine_pid}").exists() else ""
            if ") Z" in stat:  # a zombie waiting for init to reap it is gone for our purposes
                break
            time.sleep(0.2)
        lingering = Path(f"/proc/{engine_pid}").exists() and ") Z" not in Path(f"/proc/{engine_pid}/stat").read_text()
        if lingering:
            os.killpg(engine_pid, signal.SIGKILL)
        assert not lingering
    finally:
        gateway.kill()


async def test_missing_engine_interpreter_is_a_clear_start_error():
    backend = create_backend("vllm", BackendOptions(model="/models/tiny", engine_python="/nonexistent/python"))
    with pytest.raises(EngineStartError, match="cannot run /nonexistent/python: No such file or directory"):
        await backend.start()
    assert (await backend.health()).status == "dead"


@pytest.mark.parametrize("backend", ["vllm", "sglang"])
def test_a_generated_key_starting_with_a_dash_reaches_the_engine_as_the_key(backend, monkeypatch):
    """secrets.token_urlsafe starts with "-" once in 64 keys; the engine's argparse must still read it as the key."""
    import argparse

    import alphamed_serve.backends.managed as managed

    monkeypatch.setattr(managed.secrets, "token_urlsafe", lambda n: "-Xk3_" + "a" * 27)
    engine = create_backend(backend, BackendOptions(model="m"))
    argv = engine.engine_command(8001)
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-key")
    known, _ = parser.parse_known_args(argv[3:])
    assert known.api_key == "-Xk3_" + "a" * 27
    assert "-Xk3_" not in " ".join(_redacted(argv))  # never in the logs
