"""What ends a request early: the client leaving (non-streaming too), the shutdown deadline; and
the bounds on what one request may cost (body size, queue gauge, log lines)."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from alphamed_serve.app import Settings, create_app
from alphamed_serve.backend import GenerationRequest, GenerationResult, StreamDelta
from fake_backend import FakeBackend

BODY = {"messages": [{"role": "user", "content": "hi"}]}


class BlockingBackend(FakeBackend):
    """Generation that runs until released or cancelled; records how each one ended."""

    def __init__(self) -> None:
        super().__init__()
        self.started = True
        self.generating = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = 0
        self.holding = 0

    async def _hold(self) -> None:
        self.holding += 1
        self.generating.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        await self._hold()
        return await super().generate(request)

    async def stream(self, request: GenerationRequest):
        yield StreamDelta(0, "<think>")  # the stream opens (200), then the engine is busy
        await self._hold()
        yield StreamDelta(0, "done", finish_reason="stop")


async def until(condition, timeout: float = 10.0) -> None:
    """Wait (bounded) until ``condition()`` holds."""

    async def poll():
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


class AsgiCall:
    """One HTTP request driven at the ASGI level, so the test decides when the client leaves."""

    def __init__(self, app, path: str, body: dict) -> None:
        self.app, self.path, self.body = app, path, json.dumps(body).encode()
        self.leave = asyncio.Event()
        self.sent: list[dict] = []

    async def receive(self) -> dict:
        if self.body is not None:
            body, self.body = self.body, None
            return {"type": "http.request", "body": body, "more_body": False}
        await self.leave.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    async def run(self) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"content-type", b"application/json")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        await self.app(scope, self.receive, self.send)

    def status(self) -> int | None:
        return next((m["status"] for m in self.sent if m["type"] == "http.response.start"), None)

    def body_text(self) -> str:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body").decode()


@pytest.mark.parametrize(
    "path,body",
    [
        ("/v1/chat/completions", BODY),
        ("/v1/completions", {"prompt": "hi"}),
        ("/v1/mcqa", {"question": "q?", "options": ["a", "b"]}),
    ],
)
async def test_a_client_that_leaves_a_whole_response_stops_its_generation(path, body):
    backend = BlockingBackend()
    app = create_app(backend, Settings(max_concurrency=1), manage_backend=False)
    call = AsgiCall(app, path, body)
    task = asyncio.create_task(call.run())
    await asyncio.wait_for(backend.generating.wait(), 10)
    assert app.state.gateway.limiter.in_flight == 1
    call.leave.set()
    await asyncio.wait_for(task, 1.0)  # not the whole generation: released at once
    assert backend.cancelled == 1
    assert app.state.gateway.limiter.in_flight == 0


async def test_past_the_shutdown_deadline_requests_end_in_openai_shape():
    backend = BlockingBackend()
    app = create_app(backend, Settings(), manage_backend=False)
    whole = AsgiCall(app, "/v1/chat/completions", BODY)
    stream = AsgiCall(app, "/v1/chat/completions", {**BODY, "stream": True})
    tasks = [asyncio.create_task(whole.run()), asyncio.create_task(stream.run())]
    gateway = app.state.gateway
    await until(lambda: backend.holding == 2)
    gateway.deadline.expire()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert whole.status() == 503
    assert json.loads(whole.body_text())["error"]["code"] == "server_shutting_down"
    events = [e for e in stream.body_text().split("\n\n") if e]
    assert stream.status() == 200
    assert json.loads(events[-2].removeprefix("data: "))["error"]["type"] == "server_error"
    assert events[-1] == "data: [DONE]"
    assert gateway.limiter.in_flight == 0


async def test_the_queued_gauge_counts_requests_waiting_for_a_slot():
    backend = BlockingBackend()
    app = create_app(backend, Settings(max_concurrency=1, max_queue=4), manage_backend=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        first = asyncio.create_task(c.post("/v1/chat/completions", json=BODY))
        await asyncio.wait_for(backend.generating.wait(), 10)
        waiting = [asyncio.create_task(c.post("/v1/chat/completions", json=BODY)) for _ in range(2)]
        await until(lambda: app.state.gateway.limiter.queued == 2)
        metrics = (await c.get("/metrics")).text
        backend.release.set()
        codes = [r.status_code for r in await asyncio.gather(first, *waiting)]
        after = (await c.get("/metrics")).text
    assert "alphamed_requests_queued 2.0" in metrics
    assert codes == [200, 200, 200] and "alphamed_requests_queued 0.0" in after


def test_a_body_over_the_limit_is_a_413_before_parsing(make_client):
    c = make_client(max_request_bytes=1000)
    big = {"messages": [{"role": "user", "content": "x" * 2000}]}
    r = c.post("/v1/chat/completions", json=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"

    def chunks():  # no Content-Length: counted as it arrives
        data = json.dumps(big).encode()
        for k in range(0, len(data), 256):
            yield data[k : k + 256]

    r = c.post("/v1/chat/completions", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and set(r.json()["error"]) == {"message", "type", "param", "code"}
    assert c.post("/v1/chat/completions", json=BODY).status_code == 200
    assert c.get("/health").status_code == 200


def test_thousands_of_unknown_fields_make_one_short_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="alphamed_serve")
    body = {**BODY, **{f"field_{i}_{'x' * 50}": i for i in range(10_000)}}
    assert client.post("/v1/chat/completions", json=body).status_code == 200
    lines = [r.getMessage() for r in caplog.records if "unknown request fields" in r.getMessage()]
    assert len(lines) == 1 and len(lines[0]) < 2_000 and "9980 more" in lines[0]


def test_models_root_is_the_served_name_not_a_path(make_client):
    body = make_client(served_model_name="alphamed-8b").get("/v1/models").json()
    assert body["data"][0]["root"] == "alphamed-8b"
