"""End to end: `alphamed serve <tiny model>` as a real process, driven by the official openai client."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import pytest
from gateway_process import GatewayProcess
from openai_contract import (  # noqa: F401  (the shared OpenAI contract, run against this backend)
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
pytest.importorskip("transformers")

KEY = "e2e-key"


def remote_server(model_dir: Path, *args: str, env: dict | None = None) -> GatewayProcess:
    """`alphamed serve` on the tiny model with the embedded transformers backend (like vLLM's
    RemoteOpenAIServer): free port, waits for /health, ``stop()`` at teardown."""
    return GatewayProcess(str(model_dir), "--backend", "transformers", "--log-level", "warning", *args, env=env)


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    s = remote_server(tiny_model_dir, "--max-concurrency", "8", "--max-queue", "16")
    yield s
    s.stop()


def test_prompt_longer_than_the_context_is_a_400(server, tiny_model_dir):
    with pytest.raises(openai.BadRequestError) as info:
        server.client().chat.completions.create(
            model=tiny_model_dir.name, max_tokens=4, messages=[{"role": "user", "content": "fever " * 3000}]
        )
    assert info.value.body["param"] == "messages"


@pytest.fixture(scope="module")
def guarded_server(tiny_model_dir):
    """A server with an API key from the environment and room for one request, no queue."""
    s = remote_server(tiny_model_dir, "--max-concurrency", "1", "--max-queue", "0", env={"ALPHAMED_API_KEY": KEY})
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
        calls = [
            c.chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=64, temperature=1.0)
            for _ in range(4)
        ]
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
        task = asyncio.create_task(
            c.chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=120, temperature=1.0)
        )
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
    assert s.proc.wait(30) == 0  # drained: a clean exit, not death by the signal
