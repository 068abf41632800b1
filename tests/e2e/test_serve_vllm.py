"""End to end on a real vLLM engine: `alphamed serve TINY --backend vllm` driven by the openai SDK.

The same checks as the transformers end-to-end suite (models, chat with n, reasoning split and
answer, streaming, async concurrency, completions with logprobs, /v1/mcqa, OpenAI-shaped
errors) plus supervision of the real engine (killed mid-request, restarted). Needs
``.venv-vllm`` (``make test-vllm``); skipped cleanly without it.
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

from gateway_process import GatewayProcess  # noqa: E402

openai = pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = Path(os.environ.get("ALPHAMED_VLLM_PYTHON", ROOT / ".venv-vllm" / "bin" / "python"))

pytestmark = [
    pytest.mark.require_vllm,
    pytest.mark.skipif(not VLLM_PYTHON.exists(), reason=f"no vLLM environment at {VLLM_PYTHON} (make test-vllm)"),
    pytest.mark.timeout(900),
]

MSGS = [{"role": "user", "content": "A patient presents with fever and cough. Which drug?"}]
CONTEXT = 1024


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    s = GatewayProcess(str(tiny_model_dir), "--backend", "vllm", "--engine-python", str(VLLM_PYTHON),
                       "--max-model-len", str(CONTEXT), "--log-level", "warning", "--", "--enforce-eager",
                       env={"VLLM_CPU_KVCACHE_SPACE": "1"}, timeout=600)
    print(f"gateway + vLLM healthy after {s.started_in:.0f} s", file=sys.stderr)
    yield s
    s.stop()


def test_models(server, tiny_model_dir):
    models = server.client().models.list()
    assert [m.id for m in models.data] == [tiny_model_dir.name]
    assert models.data[0].model_extra["max_model_len"] == CONTEXT
    assert server.client().models.retrieve(tiny_model_dir.name).id == tiny_model_dir.name


def test_health_reports_the_engine(server):
    body = httpx.get(server.url + "/health").json()
    assert body["status"] == "ok" and body["backend"] == "vllm"


def test_chat_has_reasoning_split_answer_and_usage(server, tiny_model_dir):
    r = server.client().chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=24,
                                                temperature=1.0, n=2)
    assert len(r.choices) == 2
    assert r.usage.completion_tokens == 48 and r.usage.prompt_tokens > 10
    for c in r.choices:
        assert c.finish_reason in ("stop", "length")
        assert set(c.answer) == {"letter", "text", "method"}
    assert r.usage.completion_tokens_details.reasoning_tokens >= 0


def test_greedy_stream_equals_whole(server, tiny_model_dir):
    c = server.client()
    kw = dict(model=tiny_model_dir.name, messages=MSGS, max_tokens=32, temperature=0)
    whole = c.chat.completions.create(**kw).choices[0]
    content, reasoning, last, usage = [], [], None, None
    for chunk in c.chat.completions.create(stream=True, stream_options={"include_usage": True}, **kw):
        if chunk.choices:
            d = chunk.choices[0].delta
            content.append(d.content or "")
            reasoning.append(getattr(d, "reasoning", None) or "")
            last = chunk.choices[0]
        else:
            usage = chunk.usage
    assert usage.completion_tokens == 32
    assert "".join(content) == (whole.message.content or "")
    assert "".join(reasoning) == (getattr(whole.message, "reasoning", None) or "")
    assert last.finish_reason == whole.finish_reason == "length"
    assert last.answer == whole.answer


def test_async_client_concurrent_chats(server, tiny_model_dir):
    async def go():
        c = server.async_client()
        rs = await asyncio.gather(*[
            c.chat.completions.create(model=tiny_model_dir.name, max_tokens=8, temperature=0,
                                      messages=[{"role": "user", "content": f"case {i}"}]) for i in range(6)])
        stream = await c.chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=8,
                                                 stream=True)
        chunks = [ch async for ch in stream]
        await c.close()
        return rs, chunks

    rs, chunks = asyncio.run(go())
    assert all(r.usage.completion_tokens == 8 for r in rs)
    assert chunks[-1].choices[0].finish_reason == "length"


def test_completions_with_logprobs(server, tiny_model_dir):
    r = server.client().completions.create(model=tiny_model_dir.name, prompt="The final answer is",
                                           max_tokens=6, temperature=0, logprobs=2)
    assert r.usage.completion_tokens == 6 and len(r.choices[0].logprobs.tokens) == 6


def test_mcqa_votes(server):
    r = httpx.post(server.url + "/v1/mcqa", timeout=120, json={
        "question": "First-line drug for type 2 diabetes?", "options": ["Insulin", "Metformin", "Warfarin"],
        "n": 4, "temperature": 1.0, "max_tokens": 16, "seed": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["samples"]) == 4
    assert sum(body["votes"].values()) + body["abstained"] == 4
    letters = [s["answer"]["letter"] for s in body["samples"]]
    assert body["abstained"] == letters.count(None)


@pytest.mark.parametrize("kwargs,status,param", [
    (dict(messages=[]), 400, "messages"),
    (dict(messages=MSGS, n=100), 400, "n"),
    (dict(messages=MSGS, max_tokens=5000), 400, "max_tokens"),  # vLLM's own check, its param kept
    (dict(messages=MSGS, temperature="hot"), 400, "temperature"),
    (dict(messages=MSGS, model="gpt-4o"), 404, "model"),
])
def test_bad_input_is_an_openai_error(server, tiny_model_dir, kwargs, status, param):
    kwargs = {"model": tiny_model_dir.name, **kwargs}
    with pytest.raises(openai.APIStatusError) as info:
        server.client().chat.completions.create(max_tokens=kwargs.pop("max_tokens", 4), **kwargs)
    assert info.value.status_code == status
    assert info.value.body["param"] == param
    assert info.value.body["type"] == "invalid_request_error" or status == 404


def test_too_long_prompt_is_a_400_from_the_engine(server, tiny_model_dir):
    with pytest.raises(openai.BadRequestError) as info:
        server.client().chat.completions.create(
            model=tiny_model_dir.name, max_tokens=4, messages=[{"role": "user", "content": "fever " * 3000}])
    assert str(CONTEXT) in info.value.body["message"]


def test_engine_killed_mid_request_then_recovers(server, tiny_model_dir):
    """Runs last: kill vLLM while a stream is in flight; clear errors, /health says so, then it is back."""
    engine = server.engine_pid("vllm.entrypoints.openai.api_server")
    client = server.client()
    stream = client.chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=600,
                                            temperature=1.0, stream=True)
    first = next(iter(stream))
    assert first.choices
    os.killpg(engine, signal.SIGKILL)
    with pytest.raises(openai.APIError) as info:
        for _ in stream:
            pass
    assert "vllm engine" in str(info.value.message)

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
    assert server.engine_pid("vllm.entrypoints.openai.api_server") != engine
