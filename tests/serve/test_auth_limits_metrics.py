"""API key, concurrency limit with 429, health and Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from alphamed_serve.app import Settings, create_app
from alphamed_serve.limits import ConcurrencyLimiter, Overloaded
from fake_backend import FakeBackend

BODY = {"messages": [{"role": "user", "content": "hi"}]}


def test_api_key_required_on_v1_only(make_client, caplog):
    caplog.set_level(logging.DEBUG)
    c = make_client(api_key="s3cret-key")
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "s3cret-key"},
        {"Authorization": "Basic s3cret-key"},
    ):
        r = c.post("/v1/chat/completions", json=BODY, headers=headers)
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
    assert c.get("/v1/models").status_code == 401
    ok = c.post("/v1/chat/completions", json=BODY, headers={"Authorization": "Bearer s3cret-key"})
    assert ok.status_code == 200
    assert c.get("/health").status_code == 200
    assert c.get("/metrics").status_code == 200
    assert "s3cret-key" not in caplog.text


def test_no_key_means_open(client):
    assert client.get("/v1/models").status_code == 200


def test_health_reports_backend_state():
    from fastapi.testclient import TestClient

    app = create_app(FakeBackend(), Settings(), manage_backend=False)
    with TestClient(app) as c:  # backend never started
        r = c.get("/health")
        assert r.status_code == 503 and r.json()["status"] == "starting"


async def _concurrent(app, n: int, body=BODY):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        results = await asyncio.gather(*[c.post("/v1/chat/completions", json=body) for _ in range(n)])
        health = await c.get("/health")
    return results, health


async def test_overload_gets_429_with_retry_after_and_server_stays_up():
    fake = FakeBackend(delay=0.02)
    fake.started = True
    app = create_app(fake, Settings(max_concurrency=1, max_queue=1, retry_after=2), manage_backend=False)
    results, health = await _concurrent(app, 6)
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) == 2 and codes.count(429) == 4  # one running + one queued
    refused = next(r for r in results if r.status_code == 429)
    assert refused.headers["retry-after"] == "2"
    assert refused.json()["error"]["type"] == "rate_limit_error"
    assert health.status_code == 200
    gw = app.state.gateway
    assert gw.limiter.in_flight == 0 and gw.limiter.queued == 0


async def test_streams_hold_their_slot_until_done():
    fake = FakeBackend(delay=0.01)
    fake.started = True
    app = create_app(fake, Settings(max_concurrency=2, max_queue=0), manage_backend=False)
    results, _ = await _concurrent(app, 4, {**BODY, "stream": True})
    assert sorted(r.status_code for r in results) == [200, 200, 429, 429]
    assert app.state.gateway.limiter.in_flight == 0


async def test_limiter_is_fifo_and_hands_slots_over():
    lim = ConcurrencyLimiter(1, max_queue=2)
    await lim.acquire()
    order = []

    async def worker(name):
        await lim.acquire()
        order.append(name)
        lim.release()

    tasks = [asyncio.create_task(worker(n)) for n in "ab"]
    await asyncio.sleep(0)
    with pytest.raises(Overloaded):
        await lim.acquire()
    lim.release()
    await asyncio.gather(*tasks)
    assert order == ["a", "b"] and lim.in_flight == 0


async def test_cancelled_waiter_does_not_leak_a_slot():
    lim = ConcurrencyLimiter(1, max_queue=1)
    await lim.acquire()
    waiter = asyncio.create_task(lim.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    lim.release()
    assert lim.in_flight == 0 and lim.queued == 0


def test_metrics_count_requests_tokens_and_answers(make_client):
    c = make_client(FakeBackend("<think>x</think>The final answer is: $\\boxed{A}$"))
    c.post("/v1/chat/completions", json={**BODY, "n": 2})
    c.post("/v1/chat/completions", json={**BODY, "model": "nope"})
    text = c.get("/metrics").text
    assert 'alphamed_requests_total{route="/v1/chat/completions",status="200"} 1.0' in text
    assert 'alphamed_requests_total{route="/v1/chat/completions",status="404"} 1.0' in text
    assert 'alphamed_answers_total{outcome="extracted"} 2.0' in text
    assert "alphamed_completion_tokens_total 10.0" in text
    assert "alphamed_requests_in_flight 0.0" in text
    assert "alphamed_request_latency_seconds_bucket" in text


async def test_stream_never_iterated_still_releases_its_slot():
    """A client that leaves before the response starts must not leak its concurrency slot."""
    import gc

    from alphamed_serve.api_models import ChatCompletionRequest
    from alphamed_serve.metrics import GatewayMetrics
    from alphamed_serve.serving import Gateway

    fake = FakeBackend()
    gw = Gateway(fake, Settings(max_concurrency=1), GatewayMetrics())
    events = await gw.open_stream(ChatCompletionRequest(stream=True, **BODY))
    assert gw.limiter.in_flight == 1
    del events
    gc.collect()
    for _ in range(10):
        await asyncio.sleep(0)
    assert gw.limiter.in_flight == 0
