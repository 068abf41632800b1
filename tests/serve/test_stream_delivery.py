"""How streams reach the client: merged under backlog, one event per delta otherwise, and a
client that leaves mid-stream frees its slot and stops the engine at once."""

from __future__ import annotations

import asyncio
import json

from alphamed_serve.api_models import ChatCompletionRequest, CompletionRequest
from alphamed_serve.app import Settings, create_app
from alphamed_serve.backend import StreamDelta
from alphamed_serve.metrics import GatewayMetrics
from alphamed_serve.serving import Gateway
from fake_backend import FakeBackend

TEXT = "<think>Loop diuretics first.</think>The final answer is: $\\boxed{B}$"


class BurstBackend(FakeBackend):
    """Yields every delta without pausing: to the gateway, all of them are already waiting."""

    def __init__(self, reply: str, **kwargs) -> None:
        super().__init__(reply, **kwargs)
        self.closed = asyncio.Event()
        self.yielded = 0

    async def stream(self, request):
        try:
            text, finish = self._text(request, 0)
            pieces = [text[k : k + self.chunk] for k in range(0, len(text), self.chunk)]
            for k, piece in enumerate(pieces):
                if self.delay:
                    await asyncio.sleep(self.delay)
                last = k == len(pieces) - 1
                self.yielded += 1
                yield StreamDelta(0, piece, finish_reason=finish if last else None)
        finally:
            self.closed.set()


async def _events(gw: Gateway, req) -> list[dict]:
    text = "".join([e async for e in await gw.open_stream(req)])
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]


async def test_backlogged_deltas_are_merged_and_nothing_is_lost():
    backend = BurstBackend(TEXT, chunk=2)
    gw = Gateway(backend, Settings(), GatewayMetrics())
    events = await _events(
        gw,
        ChatCompletionRequest(
            stream=True, messages=[{"role": "user", "content": "q"}], stream_options={"include_usage": True}
        ),
    )
    deltas = [e["choices"][0] for e in events if e["choices"]]
    assert len(deltas) < len(TEXT) // 2  # 35 engine deltas, far fewer events
    reasoning = "".join(d["delta"].get("reasoning") or "" for d in deltas)
    content = "".join(d["delta"].get("content") or "" for d in deltas)
    assert (reasoning, content) == ("Loop diuretics first.", "The final answer is: $\\boxed{B}$")
    assert deltas[-1]["finish_reason"] == "stop" and deltas[-1]["answer"]["letter"] == "B"
    assert events[-1]["usage"]["completion_tokens"] == len(range(0, len(TEXT), 2))  # one per engine delta


async def test_a_delta_that_arrives_alone_is_sent_alone():
    backend = BurstBackend("one two three four", chunk=4, delay=0.01)
    gw = Gateway(backend, Settings(untagged_text="content"), GatewayMetrics())
    events = await _events(gw, CompletionRequest(stream=True, prompt="q"))
    assert [e["choices"][0]["text"] for e in events] == ["one ", "two ", "thre", "e fo", "ur"]


async def test_free_text_answer_streams_as_it_is_generated_not_at_the_end():
    """Issue #14: the final-answer sentence was held until the output ended (one stall per stream)."""
    reply = "B12 is low. The final answer is: $\\boxed{C}$ as reasoned above."
    backend = BurstBackend(reply, chunk=4, delay=0.005)
    gw = Gateway(backend, Settings(), GatewayMetrics())
    events = await _events(gw, ChatCompletionRequest(stream=True, messages=[{"role": "user", "content": "q"}]))
    deltas = [e["choices"][0] for e in events if e["choices"]]
    with_content = [d for d in deltas if d["delta"].get("content")]
    assert len(with_content) >= 5 and with_content[0]["finish_reason"] is None  # token by token, not one blob
    assert "".join(d["delta"].get("content", "") for d in deltas) == reply[len("B12 is low. ") :]
    assert deltas[-1]["answer"]["letter"] == "C"


async def test_client_leaving_mid_stream_frees_its_slot_and_stops_the_engine():
    backend = BurstBackend("word " * 400, chunk=5, delay=0.01)  # 4 s if read to the end
    app = create_app(backend, Settings(max_concurrency=1))
    body = json.dumps({"messages": [{"role": "user", "content": "q"}], "stream": True}).encode()
    left = asyncio.Event()
    sent: list[dict] = []
    requested = False

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": body, "more_body": False}
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and b"word" in message.get("body", b""):
            left.set()  # the client goes away after its first words

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/chat/completions",
        "raw_path": b"/v1/chat/completions",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    assert backend.yielded < 10  # stopped after the first words, not the 400 of the stream (counted, not timed)
    assert backend.closed.is_set()
    assert app.state.gateway.limiter.in_flight == 0
    assert not any(b"[DONE]" in m.get("body", b"") for m in sent)  # it did stop early
