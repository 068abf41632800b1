"""End to end through the gateway with engine backends, on the fake engines (fast, no GPU, no vLLM).

`alphamed serve --backend vllm|sglang` starts `python -m vllm.entrypoints.openai.api_server` /
`python -m sglang.launch_server`, here resolved to the HTTP stub (tests/serve/stub_process.py), and
`--backend openai --upstream URL` fronts a stub already running. Checks what a client sees:
engine-split reasoning passed through with the answer extracted, supervision (engine killed
mid-request: OpenAI-shaped error, /health 503, fast 503s, recovery), and upstream failures.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "serve"))

from gateway_process import GatewayProcess, free_port  # noqa: E402
from stub_process import fake_engine_pythonpath, stub_server  # noqa: E402

openai = pytest.importorskip("openai")

MSGS = [{"role": "user", "content": "Anaphylaxis: first-line drug? A. epinephrine B. insulin"}]
ANSWER = "The final answer is: $\\boxed{A}$"


def _serve(*args: str) -> GatewayProcess:
    return GatewayProcess(
        "/models/stub",
        "--served-model-name",
        "stub",
        "--log-level",
        "warning",
        *args,
        env={"PYTHONPATH": fake_engine_pythonpath()},
        timeout=90,
    )


@pytest.fixture(scope="module")
def vllm_gateway():
    s = _serve(
        "--backend",
        "vllm",
        "--engine-python",
        sys.executable,
        "--reasoning-parser",
        "deepseek_r1",
        "--",
        "--token-delay",
        "0.05",
    )
    yield s
    s.stop()


def test_engine_reasoning_passes_through_with_the_answer(vllm_gateway):
    r = vllm_gateway.client().chat.completions.create(model="stub", messages=MSGS, max_tokens=64)
    message = r.choices[0].message
    assert message.content == ANSWER
    assert message.model_extra["reasoning"].startswith("The patient has Anaphylaxis")
    assert r.choices[0].answer["letter"] == "A"
    chunks = list(
        vllm_gateway.client().chat.completions.create(model="stub", messages=MSGS, max_tokens=64, stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ANSWER
    assert (
        "".join(getattr(c.choices[0].delta, "reasoning", None) or "" for c in chunks if c.choices)
        == message.model_extra["reasoning"]
    )


def test_engine_killed_mid_request_then_recovers(vllm_gateway):
    engine = vllm_gateway.engine_pid("vllm.entrypoints.openai.api_server")
    client = vllm_gateway.client()
    held = [{"role": "user", "content": MSGS[0]["content"] + " __hold__"}]  # the stub never finishes it
    stream = client.chat.completions.create(model="stub", messages=held, max_tokens=64, stream=True)
    assert next(iter(stream)).choices
    os.killpg(engine, signal.SIGKILL)  # the request is in flight: the stub holds it open
    with pytest.raises(openai.APIError) as info:
        for _ in stream:
            pass
    assert "vllm engine" in str(info.value.message)

    health = httpx.get(vllm_gateway.url + "/health", timeout=10)
    assert health.status_code == 503 and health.json()["status"] in ("dead", "restarting")
    started = time.monotonic()
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(model="stub", messages=MSGS, max_tokens=4)
    assert info.value.status_code == 503 and time.monotonic() - started < 5
    assert info.value.body["type"] == "server_error"

    vllm_gateway.wait_healthy(60)
    assert client.chat.completions.create(model="stub", messages=MSGS).choices[0].answer["letter"] == "A"
    assert vllm_gateway.engine_pid("vllm.entrypoints.openai.api_server") != engine


def test_sglang_reasoning_content_and_mcqa():
    s = _serve(
        "--backend",
        "sglang",
        "--engine-python",
        sys.executable,
        "--reasoning-parser",
        "deepseek-r1",
        "--reasoning-field",
        "reasoning_content",
    )
    try:
        r = s.client().chat.completions.create(model="stub", messages=MSGS, n=2)
        assert [c.message.content for c in r.choices] == [ANSWER, ANSWER]
        assert r.choices[0].message.model_extra["reasoning_content"].startswith("The patient has")
        body = httpx.post(
            s.url + "/v1/mcqa",
            timeout=30,
            json={"question": "First-line drug for anaphylaxis?", "options": ["Epinephrine", "Insulin"], "n": 3},
        ).json()
        assert body["answer"] == "A" and body["votes"] == {"A": 3}
    finally:
        s.stop()


def test_upstream_failures_are_openai_errors():
    with stub_server("--model-path", "/models/stub", "--served-model-name", "stub") as url:
        s = _serve("--backend", "openai", "--upstream", url + "/v1")
        try:
            client = s.client()
            assert client.chat.completions.create(model="stub", messages=MSGS).choices[0].answer["letter"] == "A"
            with pytest.raises(openai.InternalServerError) as info:
                client.chat.completions.create(model="stub", messages=[{"role": "user", "content": "__500__"}])
            assert info.value.status_code == 500 and "upstream engine error" in info.value.body["message"]
            with pytest.raises(openai.APIStatusError) as info:
                client.chat.completions.create(model="stub", messages=[{"role": "user", "content": "__malformed__"}])
            assert info.value.status_code == 502 and info.value.body["type"] == "server_error"
        finally:
            s.stop()


def test_unreachable_upstream_is_503_not_a_hang():
    s = GatewayProcess(
        "stub",
        "--backend",
        "openai",
        "--upstream",
        f"http://127.0.0.1:{free_port()}",
        "--log-level",
        "warning",
        healthy=False,
        timeout=60,
    )
    try:
        health = httpx.get(s.url + "/health", timeout=10)
        assert health.status_code == 503 and health.json()["status"] == "unreachable"
        started = time.monotonic()
        with pytest.raises(openai.APIStatusError) as info:
            s.client().chat.completions.create(model="stub", messages=MSGS)
        assert info.value.status_code == 503 and time.monotonic() - started < 10
        assert "upstream engine unavailable" in info.value.body["message"]
    finally:
        s.stop()


def test_engine_that_cannot_start_exits_the_cli_with_a_message():
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alphamed",
            "serve",
            "/models/stub",
            "--backend",
            "vllm",
            "--port",
            str(free_port()),
            "--engine-python",
            "/nonexistent/python",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "vllm engine: cannot run /nonexistent/python: No such file or directory" in output
    assert "--api-key=***" in output  # the private engine key is passed (as one argument) but not logged
