"""End to end: `alphamed serve <tiny model>` as a real process, driven by the official openai client."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import pytest
from gateway_process import GatewayProcess

openai = pytest.importorskip("openai")
pytest.importorskip("transformers")

KEY = "e2e-key"


def remote_server(model_dir: Path, *args: str, env: dict | None = None) -> GatewayProcess:
    """`alphamed serve` on the tiny model with the embedded transformers backend (like vLLM's
    RemoteOpenAIServer): free port, waits for /health, ``stop()`` at teardown."""
    return GatewayProcess(str(model_dir), "--backend", "transformers", "--log-level", "warning", *args,
                          env=env)


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    s = remote_server(tiny_model_dir, "--max-concurrency", "8", "--max-queue", "16")
    yield s
    s.stop()


MSGS = [{"role": "user", "content": "A patient presents with fever and cough. Which drug?"}]


def test_models(server, tiny_model_dir):
    models = server.client().models.list()
    assert [m.id for m in models.data] == [tiny_model_dir.name]
    assert server.client().models.retrieve(tiny_model_dir.name).id == tiny_model_dir.name


def test_chat_has_reasoning_split_answer_and_usage(server, tiny_model_dir):
    r = server.client().chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=24,
                                                temperature=0, n=2)
    assert len(r.choices) == 2 and r.usage.completion_tokens == 48
    for c in r.choices:
        assert c.finish_reason in ("stop", "length")
        assert set(c.answer) == {"letter", "text", "method"}  # AlphaMed extension, via model_extra
    assert r.usage.completion_tokens_details.reasoning_tokens >= 0


def test_greedy_stream_equals_whole(server, tiny_model_dir):
    c = server.client()
    kw = dict(model=tiny_model_dir.name, messages=MSGS, max_tokens=32, temperature=0)
    whole = c.chat.completions.create(**kw).choices[0]
    content, reasoning, last = [], [], None
    for chunk in c.chat.completions.create(stream=True, stream_options={"include_usage": True}, **kw):
        if chunk.choices:
            d = chunk.choices[0].delta
            content.append(d.content or "")
            reasoning.append(getattr(d, "reasoning", None) or "")
            last = chunk.choices[0]
        else:
            assert chunk.usage.completion_tokens == 32
    assert "".join(content) == (whole.message.content or "")
    assert "".join(reasoning) == (getattr(whole.message, "reasoning", None) or "")
    assert last.finish_reason == whole.finish_reason
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


def test_completions(server, tiny_model_dir):
    r = server.client().completions.create(model=tiny_model_dir.name, prompt="The final answer is",
                                           max_tokens=6, temperature=0, logprobs=2)
    assert r.usage.completion_tokens == 6 and len(r.choices[0].logprobs.tokens) == 6


def test_mcqa_votes(server):
    r = httpx.post(server.url + "/v1/mcqa", timeout=60, json={
        "question": "First-line drug for type 2 diabetes?", "options": ["Insulin", "Metformin", "Warfarin"],
        "n": 4, "temperature": 1.0, "max_tokens": 16, "seed": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["samples"]) == 4
    assert sum(body["votes"].values()) + body["abstained"] == 4
    letters = [s["answer"]["letter"] for s in body["samples"]]
    assert body["abstained"] == letters.count(None)
    if body["answer"] is not None:
        assert body["votes"][body["answer"]] == max(body["votes"].values())


@pytest.mark.parametrize("kwargs,status,param", [
    (dict(messages=[]), 400, "messages"),
    (dict(messages=MSGS, n=100), 400, "n"),
    (dict(messages=MSGS, max_tokens=5000), 400, "max_tokens"),
    (dict(messages=[{"role": "user", "content": "fever " * 3000}]), 400, "messages"),
    (dict(messages=MSGS, temperature="hot"), 400, "temperature"),
    (dict(messages=MSGS, model="gpt-4o"), 404, "model"),
])
def test_bad_input_is_an_openai_error(server, tiny_model_dir, kwargs, status, param):
    kwargs = {"model": tiny_model_dir.name, **kwargs}
    with pytest.raises(openai.APIStatusError) as info:
        server.client().chat.completions.create(max_tokens=kwargs.pop("max_tokens", 4), **kwargs)
    assert info.value.status_code == status
    assert info.value.body["param"] == param


def test_malformed_json(server):
    r = httpx.post(server.url + "/v1/chat/completions", content=b"{oops",
                   headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"


@pytest.fixture(scope="module")
def guarded_server(tiny_model_dir):
    """A server with an API key from the environment and room for one request, no queue."""
    s = remote_server(tiny_model_dir, "--max-concurrency", "1", "--max-queue", "0",
                      env={"ALPHAMED_API_KEY": KEY})
    yield s
    s.stop()


def test_auth(guarded_server):
    s = guarded_server
    with pytest.raises(openai.AuthenticationError):
        s.client(api_key="wrong").models.list()
    assert s.client(api_key=KEY).models.list().data
    assert httpx.get(s.url + "/health").status_code == 200
    assert KEY not in s.logs()


def test_overload_gets_429_with_retry_after(guarded_server, tiny_model_dir):
    s = guarded_server

    async def burst():
        c = s.async_client(api_key=KEY)
        calls = [c.chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=64,
                                           temperature=1.0) for _ in range(4)]
        out = await asyncio.gather(*calls, return_exceptions=True)
        await c.close()
        return out

    results = asyncio.run(burst())
    refused = [r for r in results if isinstance(r, openai.RateLimitError)]
    assert len(refused) >= 1 and any(not isinstance(r, Exception) for r in results)
    assert refused[0].response.headers["retry-after"]
    assert httpx.get(s.url + "/health").status_code == 200


def test_sigterm_lets_in_flight_request_finish(guarded_server, tiny_model_dir):
    """Runs last in this module: it stops the guarded server."""
    s = guarded_server

    async def request_then_term():
        c = s.async_client(api_key=KEY)
        task = asyncio.create_task(c.chat.completions.create(
            model=tiny_model_dir.name, messages=MSGS, max_tokens=120, temperature=1.0))
        async with httpx.AsyncClient() as h:  # wait until the request holds its slot
            for _ in range(200):
                if "alphamed_requests_in_flight 1.0" in (await h.get(s.url + "/metrics")).text:
                    break
                await asyncio.sleep(0.05)
        s.proc.send_signal(signal.SIGTERM)
        r = await task
        await c.close()
        return r

    r = asyncio.run(request_then_term())
    assert r.choices[0].finish_reason in ("stop", "length")
    # uvicorn re-raises SIGTERM after its graceful shutdown: a clean exit by that signal
    assert s.proc.wait(30) in (0, -signal.SIGTERM)
