"""End to end on a real vLLM engine: `alphamed serve TINY --backend vllm` driven by the openai SDK.

The shared OpenAI contract (``openai_contract.py``: models, chat with n, reasoning split and
answer, streaming, async concurrency, completions with logprobs, /v1/mcqa, OpenAI-shaped
errors), the same tests the transformers suite runs, plus vLLM's own limits and supervision of the real engine (killed mid-request, restarted). Needs
``.venv-vllm`` (``make test-vllm``); skipped cleanly without it.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gateway_process import GatewayProcess, cmdline  # noqa: E402
from openai_contract import (  # noqa: E402, F401  (the shared OpenAI contract, run against vLLM)
    MSGS,
    test_async_client_concurrent_chats,
    test_bad_input_is_an_openai_error,
    test_chat_has_reasoning_split_answer_and_usage,
    test_completions_with_logprobs,
    test_greedy_stream_equals_whole,
    test_malformed_json,
    test_mcqa_votes,
    test_models,
)

openai = pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = Path(os.environ.get("ALPHAMED_VLLM_PYTHON", ROOT / ".venv-vllm" / "bin" / "python"))

pytestmark = [
    pytest.mark.require_vllm,
    pytest.mark.skipif(not VLLM_PYTHON.exists(), reason=f"no vLLM environment at {VLLM_PYTHON} (make test-vllm)"),
    pytest.mark.timeout(900),
]

CONTEXT = 1024
ENGINE = "vllm.entrypoints.openai.api_server"


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    # VLLM_SERVER_DEV_MODE: the engine's own /pause and /resume, with which a test holds a request inside it
    s = GatewayProcess(
        str(tiny_model_dir),
        "--backend",
        "vllm",
        "--engine-python",
        str(VLLM_PYTHON),
        "--max-model-len",
        str(CONTEXT),
        "--log-level",
        "warning",
        "--",
        "--enforce-eager",
        env={"VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_SERVER_DEV_MODE": "1"},
        timeout=600,
    )
    print(f"gateway + vLLM healthy after {s.started_in:.0f} s", file=sys.stderr)
    yield s
    s.stop()


def test_max_model_len_is_vllms(server, tiny_model_dir):
    assert server.client().models.list().data[0].model_extra["max_model_len"] == CONTEXT


def test_health_reports_the_engine(server):
    body = httpx.get(server.url + "/health").json()
    assert body["status"] == "ok" and body["backend"] == "vllm"


def test_too_long_prompt_is_a_400_from_the_engine(server, tiny_model_dir):
    with pytest.raises(openai.BadRequestError) as info:
        server.client().chat.completions.create(
            model=tiny_model_dir.name, max_tokens=4, messages=[{"role": "user", "content": "fever " * 3000}]
        )
    assert str(CONTEXT) in info.value.body["message"]


def _engine_url(server) -> str:
    """The engine's private loopback address (the ``--port`` the gateway gave it)."""
    argv = cmdline(server.engine_pid(ENGINE)).split()
    return f"http://127.0.0.1:{argv[argv.index('--port') + 1]}"


def _engine_requests(engine: str) -> tuple[int, int]:
    """(requests inside the engine now, requests it ever finished), from vLLM's /metrics."""
    text = httpx.get(engine + "/metrics", timeout=30).text

    def total(name: str) -> int:
        return sum(int(float(v)) for v in re.findall(rf"^vllm:{name}{{[^}}]*}} ([0-9.e+]+)$", text, flags=re.M))

    return total("num_requests_running") + total("num_requests_waiting"), total("request_success_total")


def _gateway_in_flight(server) -> int:
    """Requests holding a generation slot at the gateway, from its own /metrics."""
    text = httpx.get(server.url + "/metrics", timeout=30).text
    return int(float(re.search(r"^alphamed_requests_in_flight ([0-9.e+]+)$", text, flags=re.M).group(1)))


def _request_frozen_in_the_engine(server, model: str) -> tuple[threading.Thread, list[BaseException]]:
    """A chat stream whose request is held at the engine, by construction: no race with its tokens.

    The engine's scheduler is paused first (vLLM's ``/pause?mode=keep``: no request is scheduled until a
    resume, which never comes), then the request is sent from a thread that reads its stream and keeps what
    it raises; the gateway's own gauge must show it in flight before this returns. It cannot finish: the
    engine makes no token while paused.
    """
    engine, client = _engine_url(server), server.client()
    httpx.post(engine + "/pause", params={"mode": "keep"}, timeout=60).raise_for_status()
    raised: list[BaseException] = []

    def ask() -> None:
        try:
            for _ in client.chat.completions.create(
                model=model, messages=MSGS, max_tokens=64, stream=True, extra_body={"ignore_eos": True}
            ):
                pass
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            raised.append(exc)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while _gateway_in_flight(server) != 1:
        assert time.monotonic() < deadline, "the request never reached the gateway's engine call"
        time.sleep(0.05)
    time.sleep(0.5)  # the gateway's proxy call to the engine is made right after the slot is taken
    assert thread.is_alive() and not raised, raised  # held: the paused engine made no token
    print("the request is held at the paused engine", file=sys.stderr)
    return thread, raised


def test_engine_killed_mid_request_then_recovers(server, tiny_model_dir):
    """Runs last: kill vLLM while a stream is in flight; clear errors, /health says so, then it is back."""
    engine = server.engine_pid(ENGINE)
    client = server.client()
    thread, raised = _request_frozen_in_the_engine(server, tiny_model_dir.name)
    os.killpg(engine, signal.SIGKILL)  # the request is inside the engine: the kill lands mid-request
    thread.join(120)
    assert not thread.is_alive(), "the client still waits: the engine's death never reached it"
    assert len(raised) == 1 and isinstance(raised[0], openai.APIError), raised
    assert "vllm engine" in str(raised[0].message)

    health = httpx.get(server.url + "/health", timeout=10)
    assert health.status_code == 503 and health.json()["status"] in ("dead", "restarting")
    started = time.monotonic()
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=4)
    assert info.value.status_code == 503 and time.monotonic() - started < 5  # fails fast, no hang
    assert info.value.body["type"] == "server_error" and info.value.response.headers["retry-after"]

    recovered_in = server.wait_healthy(600)
    print(f"vLLM restarted and healthy after {recovered_in:.0f} s", file=sys.stderr)
    r = client.chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=4)
    assert r.choices[0].finish_reason == "length"
    assert server.engine_pid(ENGINE) != engine
