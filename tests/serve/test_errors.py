"""Bad input gets an OpenAI-shaped 4xx naming the field; never a 500 or a stack trace."""

from __future__ import annotations

import pytest
from alphamed_serve.backend import BackendError
from fake_backend import FakeBackend

MSG = [{"role": "user", "content": "short prompt"}]
LONG = [{"role": "user", "content": "word " * 300}]  # the fake's context is 256 "tokens"


@pytest.mark.parametrize(
    "body,status,param,code",
    [
        ({"messages": []}, 400, "messages", "invalid_value"),
        ({}, 400, "messages", "invalid_value"),
        ({"messages": "hello"}, 400, "messages", "invalid_value"),
        ({"messages": [{"role": "wizard", "content": "x"}]}, 400, "messages[0].role", "invalid_value"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, 400, "messages", "invalid_value"),
        ({"messages": MSG, "n": "three"}, 400, "n", "invalid_value"),
        ({"messages": MSG, "n": 0}, 400, "n", "invalid_value"),
        ({"messages": MSG, "n": 9}, 400, "n", "invalid_value"),
        ({"messages": MSG, "temperature": 3}, 400, "temperature", "invalid_value"),
        ({"messages": MSG, "top_p": 0}, 400, "top_p", "invalid_value"),
        ({"messages": MSG, "max_tokens": -1}, 400, "max_tokens", "invalid_value"),
        ({"messages": MSG, "max_tokens": 1000}, 400, "max_tokens", "context_length_exceeded"),
        ({"messages": LONG}, 400, "messages", "context_length_exceeded"),
        ({"messages": MSG, "stop": ["a", "b", "c", "d", "e"]}, 400, "stop", "invalid_value"),
        ({"messages": MSG, "stop": 5}, 400, "stop", "invalid_value"),
        ({"messages": MSG, "stream": "maybe"}, 400, "stream", "invalid_value"),
        ({"messages": MSG, "model": "gpt-4"}, 404, "model", "model_not_found"),
    ],
)
def test_chat_bad_input(client, body, status, param, code):
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert (err["param"], err["code"], err["type"]) == (param, code, "invalid_request_error")
    assert err["message"] and "Traceback" not in r.text


@pytest.mark.parametrize("content", [b"{not json", b'{"messages": [', b"", b"[1, 2]", b'"text"'])
def test_malformed_or_non_object_body(client, content):
    r = client.post("/v1/chat/completions", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] in ("invalid_json", "invalid_body")


def test_stream_request_errors_before_streaming(client):
    r = client.post("/v1/chat/completions", json={"messages": LONG, "stream": True})
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages"


def test_completions_bad_prompts(client):
    for bad in (123, [], [[]], ["a", 1], [-1], None):
        r = client.post("/v1/completions", json={"prompt": bad})
        assert r.status_code == 400 and r.json()["error"]["param"] == "prompt", bad
    r = client.post("/v1/completions", json={"prompt": "w " * 300})
    assert r.json()["error"]["code"] == "context_length_exceeded"


class FailingBackend(FakeBackend):
    def __init__(self, exc):
        super().__init__()
        self.exc = exc

    async def generate(self, request):
        raise self.exc

    async def stream(self, request):
        raise self.exc
        yield  # pragma: no cover


def test_backend_error_keeps_its_status_and_fields(make_client):
    c = make_client(
        FailingBackend(
            BackendError(
                "engine busy", status=503, type="server_error", code="engine_busy", headers={"Retry-After": "3"}
            )
        )
    )
    for stream in (False, True):
        r = c.post("/v1/chat/completions", json={"messages": MSG, "stream": stream})
        assert r.status_code == 503 and r.headers["retry-after"] == "3"
        assert r.json()["error"]["code"] == "engine_busy"


def test_unexpected_backend_crash_is_a_plain_500(make_client, caplog):
    c = make_client(FailingBackend(RuntimeError("secret internals")), raise_server_exceptions=False)
    r = c.post("/v1/chat/completions", json={"messages": MSG})
    assert r.status_code == 500
    assert r.json()["error"] == {
        "message": "internal server error",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    assert "secret internals" not in r.text
    # the slot was released: the server still answers
    assert c.get("/v1/models").status_code == 200


def test_unknown_route_is_openai_shaped_404(client):
    r = client.get("/v1/nothing")
    assert r.status_code == 404 and "error" in r.json()


class MidStreamCrash(FakeBackend):
    async def stream(self, request):
        from alphamed_serve.backend import StreamDelta

        yield StreamDelta(0, "<think>ok")
        raise RuntimeError("engine died")


def test_crash_mid_stream_ends_with_an_error_event_and_frees_the_slot(make_client):
    c = make_client(MidStreamCrash(), max_concurrency=1, raise_server_exceptions=False)
    for _ in range(2):  # the second request proves the slot came back
        r = c.post("/v1/chat/completions", json={"messages": MSG, "stream": True})
        assert r.status_code == 200
        events = [e for e in r.text.split("\n\n") if e]
        assert events[-1] == "data: [DONE]"
        assert '"type":"server_error"' in events[-2] and "engine died" not in r.text
