"""How the proxying backends read engine streams (aiohttp), against a scripted raw HTTP server:
framing cut anywhere, keep-alive reuse, an engine that closes each connection, silence,
nobody listening, a connection cut mid-stream, and error answers."""

from __future__ import annotations

import asyncio

import pytest
from alphamed_serve.backend import BackendError, BackendOptions, GenerationRequest
from alphamed_serve.backends import create_backend


def _chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


MODELS = b'{"object": "list", "data": [{"id": "m", "object": "model"}]}'
SSE_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"


class ScriptedServer:
    """Answers each POST with ``script(n)`` bytes (n counts them; None: stay silent), written in
    pieces of ``piece`` bytes with a pause between them; counts connections;
    ``close_after_answer`` closes a connection right after each answer. GET: a model list."""

    def __init__(self, script, *, piece: int | None = None, close_after_answer: bool = False) -> None:
        self.script = script
        self.piece = piece
        self.close_after_answer = close_after_answer
        self.connections = 0
        self.requests = 0
        self.server: asyncio.base_events.Server | None = None

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc) -> None:
        self.server.close()

    async def _serve(self, reader, writer) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                await reader.readexactly(length)
                if head.startswith(b"GET"):  # the backend asks which model the engine serves
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(MODELS), MODELS))
                    continue
                self.requests += 1
                answer = self.script(self.requests)
                if answer is None:  # stall forever
                    await asyncio.sleep(3600)
                step = self.piece or len(answer) or 1
                for k in range(0, len(answer), step):
                    writer.write(answer[k : k + step])
                    await writer.drain()
                    if self.piece:
                        await asyncio.sleep(0.001)
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def _backend(url: str):
    backend = create_backend("openai", BackendOptions(model="m", upstream=url, max_model_len=100))
    await backend.start()
    return backend


async def _payloads(backend, url: str) -> list[str]:
    return [p async for batch in backend._events(url + "/v1/completions", {}) for p in batch]


async def test_events_cut_at_every_byte_including_inside_a_character():
    body = _chunked(
        'data: {"text": "é ü"}\r\n\r\n'.encode(),
        b"data: line one\ndata: line two\n\n",
        b": a comment\n\ndata: [DONE]\n\n",
    )
    async with ScriptedServer(lambda n: SSE_HEAD + body, piece=1) as url:
        backend = await _backend(url)
        try:
            assert await _payloads(backend, url) == ['{"text": "é ü"}', "line one\nline two", "[DONE]"]
        finally:
            await backend.stop()


def _stream_request() -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": "q"}])


DONE_BODY = _chunked(
    b'data: {"choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": null}]}\n\n', b"data: [DONE]\n\n"
)


async def test_connections_are_kept_alive_and_reused():
    server = ScriptedServer(lambda n: SSE_HEAD + DONE_BODY)
    async with server as url:
        backend = await _backend(url)
        try:
            for _ in range(5):
                assert "".join([d.text async for d in backend.stream(_stream_request())]) == "x"
                await asyncio.sleep(0.01)
        finally:
            await backend.stop()
        # one connection for the model list (httpx), one for all five streams
        assert server.requests == 5 and server.connections == 2


async def test_an_engine_that_closes_each_connection_still_serves_every_stream():
    server = ScriptedServer(lambda n: SSE_HEAD + DONE_BODY, close_after_answer=True)
    async with server as url:
        backend = await _backend(url)
        try:
            for _ in range(3):
                assert "".join([d.text async for d in backend.stream(_stream_request())]) == "x"
        finally:
            await backend.stop()
        assert server.requests == 3


async def test_a_silent_engine_times_out(monkeypatch):
    import aiohttp
    from alphamed_serve.backends import upstream

    monkeypatch.setattr(upstream, "_STREAM_TIMEOUT", aiohttp.ClientTimeout(total=None, sock_read=0.2))
    async with ScriptedServer(lambda n: None) as url:
        backend = await _backend(url)
        try:
            with pytest.raises(BackendError) as err:
                [d async for d in backend.stream(_stream_request())]
            assert err.value.status == 504
        finally:
            await backend.stop()


async def test_nobody_listening_is_a_503():
    async with ScriptedServer(lambda n: b"") as url:
        backend = await _backend(url)
        backend._engine_model = "m"  # learnt before the engine went away
    try:
        with pytest.raises(BackendError) as err:
            [d async for d in backend.stream(_stream_request())]
        assert err.value.status == 503
    finally:
        await backend.stop()


async def test_stream_cut_mid_way_is_a_503_and_error_answers_keep_their_message():
    cut = SSE_HEAD + b"%x\r\n%s\r\n" % (20, b'data: {"choices": []')  # no end: connection closes
    error = b'{"error": {"message": "prompt too long", "type": "invalid_request_error", "param": "messages"}}'
    answers = {1: cut, 2: b"HTTP/1.1 400 Bad Request\r\ncontent-length: %d\r\n\r\n%s" % (len(error), error)}
    async with ScriptedServer(lambda n: answers[min(n, 2)], close_after_answer=True) as url:
        backend = await _backend(url)
        try:
            request = GenerationRequest(messages=[{"role": "user", "content": "q"}])
            with pytest.raises(BackendError) as err:
                [d async for d in backend.stream(request)]
            assert err.value.status == 503
            with pytest.raises(BackendError) as err:
                [d async for d in backend.stream(request)]
            assert (err.value.status, err.value.message, err.value.param) == (400, "prompt too long", "messages")
        finally:
            await backend.stop()


async def test_engine_events_become_deltas_with_usage_last():
    chunk = b'data: {"choices": [{"index": 0, "delta": {"content": "%s"}, "finish_reason": null}]}\r\n\r\n'
    body = _chunked(
        chunk % b"B12 ",
        chunk % b"is low",
        b'data: {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}\n\n',
        b"data: [DONE]",
    )  # the last event without its blank line
    async with ScriptedServer(lambda n: SSE_HEAD + body, piece=7) as url:
        backend = await _backend(url)
        try:
            deltas = [d async for d in backend.stream(GenerationRequest(messages=[{"role": "user", "content": "q"}]))]
        finally:
            await backend.stop()
    assert "".join(d.text for d in deltas) == "B12 is low"
    assert deltas[-1].finish_reason == "stop" and deltas[-1].completion_tokens == 2
