"""Faults and fuzz against the real `alphamed serve` process on the tiny model (transformers backend).

One bad request must never hurt another: each entry of ``BAD`` gets a 4xx in OpenAI's shape (never
a 5xx) and leaves ``/health`` at 200; bad requests sent among healthy concurrent ones leave those
healthy; the work one request can cost is bounded (body size, prompt length, a client that left);
and SIGTERM drains, ends what is left in OpenAI's shape and exits 0.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time

import httpx
import pytest
from gateway_process import GatewayProcess

pytest.importorskip("transformers")

LIMIT = 4 * 1024 * 1024  # the default --max-request-bytes
HI = [{"role": "user", "content": "hi"}]


def _json(obj) -> bytes:
    return json.dumps(obj).encode()


# (id, route, raw body, status, param): bodies are raw bytes so that what JSON allows but Python
# strings do not (a lone surrogate escape) reaches the server as a client would send it
BAD = [
    (
        "lone-surrogate-model",
        "chat/completions",
        b'{"model": "t\\ud800", "messages": [{"role": "user", "content": "hi"}]}',
        404,
        "model",
    ),
    (
        "lone-surrogate-content",
        "chat/completions",
        b'{"messages": [{"role": "user", "content": "hi\\udfff"}], "max_tokens": 2}',
        400,
        "messages",
    ),
    ("lone-surrogate-prompt", "completions", b'{"prompt": "\\ud800", "max_tokens": 2, "echo": true}', 400, "prompt"),
    ("empty-prompt", "completions", _json({"prompt": "", "max_tokens": 4}), 400, "prompt"),
    ("empty-prompt-list", "completions", _json({"prompt": [""], "max_tokens": 4}), 400, "prompt"),
    ("empty-prompt-stream", "completions", _json({"prompt": "", "max_tokens": 4, "stream": True}), 400, "prompt"),
    ("stream-yes", "chat/completions", _json({"messages": HI, "stream": "yes"}), 400, "stream"),
    ("stream-one", "completions", _json({"prompt": "hi", "stream": 1}), 400, "stream"),
    ("n-true", "chat/completions", _json({"messages": HI, "n": True}), 400, "n"),
    ("n-float", "chat/completions", _json({"messages": HI, "n": 1.5}), 400, "n"),
    ("n-string", "mcqa", _json({"question": "q", "options": ["a", "b"], "n": "2"}), 400, "n"),
    ("n-huge", "chat/completions", _json({"messages": HI, "n": 10**6}), 400, "n"),
    ("mcqa-27-options", "mcqa", _json({"question": "q", "options": [f"o{i}" for i in range(27)]}), 400, "options"),
    ("temperature-negative", "chat/completions", _json({"messages": HI, "temperature": -1e-300}), 400, "temperature"),
    ("temperature-nan", "completions", b'{"prompt": "hi", "temperature": NaN}', 400, "temperature"),
    (
        "temperature-inf",
        "mcqa",
        b'{"question": "q", "options": ["a", "b"], "temperature": Infinity}',
        400,
        "temperature",
    ),
    ("top-p-zero", "chat/completions", _json({"messages": HI, "top_p": 0}), 400, "top_p"),
    ("max-tokens-past-context", "completions", _json({"prompt": "hi", "max_tokens": 10**9}), 400, "max_tokens"),
    ("max-tokens-zero", "chat/completions", _json({"messages": HI, "max_tokens": 0}), 400, "max_tokens"),
    ("prompt-past-context", "completions", _json({"prompt": "fever " * 5000, "max_tokens": 2}), 400, "prompt"),
    (
        "huge-prompt-under-the-body-limit",
        "chat/completions",
        _json({"messages": [{"role": "user", "content": "x" * (LIMIT - 200)}]}),
        400,
        "messages",
    ),
    (
        "body-over-the-limit",
        "chat/completions",
        _json({"messages": [{"role": "user", "content": "x" * (LIMIT + 10)}]}),
        413,
        None,
    ),
    ("no-messages", "chat/completions", _json({"messages": []}), 400, "messages"),
    ("bad-role", "chat/completions", _json({"messages": [{"role": "wizard", "content": "x"}]}), 400, None),
    (
        "image-part",
        "chat/completions",
        _json({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}),
        400,
        "messages",
    ),
    ("two-prompts-streamed", "completions", _json({"prompt": ["a", "b"], "stream": True}), 400, "prompt"),
    ("five-stops", "chat/completions", _json({"messages": HI, "stop": ["a", "b", "c", "d", "e"]}), 400, "stop"),
    ("empty-stop", "chat/completions", _json({"messages": HI, "stop": [""]}), 400, "stop"),
    ("deep-nesting", "chat/completions", b'{"messages": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, None),
    ("not-json", "chat/completions", b"{this is not json", 400, None),
    ("json-array", "mcqa", b"[1, 2, 3]", 400, None),
    ("invalid-utf8", "chat/completions", b'{"messages": [{"role": "user", "content": "\xff\xfe"}]}', 400, None),
    (
        "unknown-prompt-style",
        "mcqa",
        _json({"question": "q", "options": ["a", "b"], "prompt_style": "zz"}),
        400,
        "prompt_style",
    ),
    ("duplicate-mcqa-letters", "mcqa", _json({"question": "q", "options": {"A": "x", "a": "y"}}), 400, None),
]


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    s = GatewayProcess(
        str(tiny_model_dir),
        "--backend",
        "transformers",
        "--log-level",
        "warning",
        "--max-concurrency",
        "8",
        "--max-queue",
        "32",
    )
    yield s
    s.stop()


def _post(server, route: str, body: bytes, timeout: float = 120) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/{route}", content=body, timeout=timeout, headers={"content-type": "application/json"}
    )


def assert_openai_error(r: httpx.Response, status: int, param: str | None = None) -> None:
    assert r.status_code == status, r.text[:500]
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    if param is not None:
        assert error["param"] == param, error


@pytest.mark.parametrize("route,body,status,param", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_request_is_a_4xx_in_openai_shape_and_the_server_stays_healthy(server, route, body, status, param):
    assert_openai_error(_post(server, route, body), status, param)
    assert httpx.get(server.url + "/health", timeout=10).status_code == 200


async def _post_async(c: httpx.AsyncClient, route: str, body: dict) -> httpx.Response:
    return await c.post(f"/v1/{route}", json=body, timeout=300)


@pytest.mark.parametrize(
    "route,bad",
    [
        ("chat/completions", {"messages": HI, "temperature": 1e-300}),
        ("completions", {"prompt": "hi", "temperature": 5e-324}),
        ("mcqa", {"question": "q?", "options": ["a", "b"], "temperature": 1e-45}),
    ],
)
def test_a_degenerate_temperature_hurts_no_concurrent_request(server, route, bad):
    """#19.1: such a temperature is sampled greedily; every healthy neighbour in the batch succeeds."""
    healthy = {"messages": [{"role": "user", "content": "fever and cough"}], "temperature": 1.0}

    async def go():
        async with httpx.AsyncClient(base_url=server.url) as c:
            victims = [
                asyncio.create_task(_post_async(c, "chat/completions", {**healthy, "max_tokens": 32}))
                for _ in range(4)
            ]
            await asyncio.sleep(0)
            hit = await _post_async(c, route, {**bad, "max_tokens": 4})
            return hit, await asyncio.gather(*victims)

    hit, victims = asyncio.run(go())
    assert hit.status_code == 200, hit.text
    assert [v.status_code for v in victims] == [200] * 4


def test_an_empty_prompt_hurts_no_concurrent_stream(server):
    """#19.2: refused with a 400 before the engine; streams decoding meanwhile end normally."""

    async def stream(c: httpx.AsyncClient) -> str:
        body = {"messages": [{"role": "user", "content": "fever"}], "max_tokens": 32, "stream": True}
        async with c.stream("POST", "/v1/chat/completions", json=body, timeout=300) as r:
            assert r.status_code == 200
            return "".join([t async for t in r.aiter_text()])

    async def go():
        async with httpx.AsyncClient(base_url=server.url) as c:
            streams = [asyncio.create_task(stream(c)) for _ in range(3)]
            await asyncio.sleep(0)
            bad = [await _post_async(c, "completions", {"prompt": "", "max_tokens": 8}) for _ in range(3)]
            return bad, await asyncio.gather(*streams)

    bad, texts = asyncio.run(go())
    for r in bad:
        assert_openai_error(r, 400, "prompt")
    for text in texts:
        # a normal end: the token budget, or end-of-sequence when the sampled tiny model emits it first
        assert '"error"' not in text and text.endswith("data: [DONE]\n\n")
        assert '"finish_reason":"length"' in text or '"finish_reason":"stop"' in text


def test_health_stays_responsive_during_a_huge_prompt(server):
    """#19.4: a prompt just under the body limit is refused without stalling the event loop."""
    body = _json({"messages": [{"role": "user", "content": "fever " * ((LIMIT - 200) // 6)}]})

    async def go():
        async with httpx.AsyncClient(base_url=server.url) as c:
            big = asyncio.create_task(
                c.post("/v1/chat/completions", content=body, timeout=300, headers={"content-type": "application/json"})
            )
            waits = []
            while not big.done():
                start = time.monotonic()
                assert (await c.get("/health", timeout=5)).status_code == 200
                waits.append(time.monotonic() - start)
                await asyncio.sleep(0.05)
            return await big, waits

    r, waits = asyncio.run(go())
    assert_openai_error(r, 400, "messages")
    assert r.json()["error"]["code"] == "context_length_exceeded"
    assert max(waits, default=0) < 5


def _in_flight(server) -> float:
    text = httpx.get(server.url + "/metrics", timeout=10).text
    return float(
        next(line.split()[1] for line in text.splitlines() if line.startswith("alphamed_requests_in_flight "))
    )


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_client_that_leaves_a_whole_response_frees_its_slot(server):
    """#19.5: the greedy 1,500-token generation is stopped, not run for nobody."""
    body = _json({"prompt": "hi", "max_tokens": 1500, "temperature": 0})
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        assert _wait_for(lambda: _in_flight(server) == 1, 60)
    left = time.monotonic()
    assert _wait_for(lambda: _in_flight(server) == 0, 10), "the slot is still held"
    assert time.monotonic() - left < 10


def test_sigterm_drains_ends_the_rest_in_openai_shape_and_exits_0(tiny_model_dir):
    """#19.6: past --graceful-timeout a whole response is a 503, a stream gets an error event and [DONE]."""
    s = GatewayProcess(
        str(tiny_model_dir), "--backend", "transformers", "--log-level", "warning", "--graceful-timeout", "1"
    )
    try:
        long = {"prompt": "hi", "max_tokens": 1500, "temperature": 0}

        async def go():
            async with httpx.AsyncClient(base_url=s.url, timeout=120) as c:

                async def stream() -> str:
                    async with c.stream("POST", "/v1/completions", json={**long, "stream": True}) as r:
                        return "".join([t async for t in r.aiter_text()])

                tasks = [asyncio.create_task(c.post("/v1/completions", json=long)), asyncio.create_task(stream())]
                while _in_flight(s) < 2:
                    await asyncio.sleep(0.1)
                s.proc.send_signal(signal.SIGTERM)
                return await asyncio.gather(*tasks)

        whole, events = asyncio.run(go())
        assert_openai_error(whole, 503)
        assert whole.json()["error"]["code"] == "server_shutting_down"
        chunks = [e for e in events.split("\n\n") if e]
        assert json.loads(chunks[-2].removeprefix("data: "))["error"]["code"] == "server_shutting_down"
        assert chunks[-1] == "data: [DONE]"
        assert s.proc.wait(60) == 0
    finally:
        s.stop()
