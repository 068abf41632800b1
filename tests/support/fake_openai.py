"""The suite's one scripted OpenAI-compatible server (tests and bench/client.py).

It speaks just enough HTTP/1.1 (keep-alive, ``Content-Length`` bodies) on a loopback
port to serve ``GET /v1/models``, ``POST /v1/chat/completions``, ``GET /health`` and,
when ``mcqa=True``, our server's ``POST /v1/mcqa``. What it answers is decided by a
*responder*: ``responder(key, attempt, body) -> Action``, where ``key`` is the tag
``[id:KEY]`` found in the question text (None when absent) and ``attempt`` counts the
requests already seen for that key. Actions can be replies, HTTP errors (with
``Retry-After``), delays longer than the client's timeout, or connection resets, so a
test can assert retries and accuracy exactly. It is written on plain asyncio (not
FastAPI) so that its own CPU cost stays negligible in ``bench/client.py``.

Run it standalone with ``python tests/support/fake_openai.py --latency 0.2``;
it prints ``PORT <n>`` on stdout once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KEY_PATTERN = re.compile(r"\[id:([^\]\s]+)\]")


@dataclass(frozen=True)
class Reply:
    """Answer with ``text`` as the assistant content (after ``delay`` seconds)."""

    text: str
    delay: float = 0.0
    reasoning: str | None = None
    choices: tuple[str, ...] | None = None  # per-choice texts for n > 1 (cycled)

    def text_for(self, i: int) -> str:
        return self.choices[i % len(self.choices)] if self.choices else self.text


@dataclass(frozen=True)
class Fail:
    """Answer with an HTTP error in OpenAI's shape."""

    status: int
    retry_after: float | None = None
    message: str = "scripted failure"
    delay: float = 0.0


@dataclass(frozen=True)
class Reset:
    """Close the connection without answering (a connection reset)."""

    delay: float = 0.0


Action = Reply | Fail | Reset
Responder = Callable[[str | None, int, dict[str, Any]], Action]


def boxed(letter: str) -> str:
    """An AlphaMed-style final answer sentence for ``letter``."""
    return f"Reasoning about the options.\nThe final answer is: $\\boxed{{{letter}}}$"


def always(letter: str) -> Responder:
    """A responder that always answers ``letter``."""
    reply = Reply(boxed(letter))
    return lambda key, attempt, body: reply


@dataclass
class RequestLog:
    """One request the server saw."""

    time: float
    path: str
    key: str | None
    status: int


@dataclass
class FakeServerState:
    responder: Responder
    latency: float = 0.0
    model: str = "fake-model"
    api_key: str | None = None
    mcqa: bool = False
    attempts: Counter = field(default_factory=Counter)
    log: list[RequestLog] = field(default_factory=list)
    keep_log: bool = True
    in_flight: int = 0
    max_in_flight: int = 0
    models_status: int = 200


def _json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> bytes:
    body = json.dumps(payload).encode()
    reason = {
        200: "OK",
        401: "Unauthorized",
        404: "Not Found",
        422: "Unprocessable Entity",
        429: "Too Many Requests",
    }.get(status, "Error")
    lines = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> bytes:
    payload = {"error": {"message": message, "type": "fake_error", "param": None, "code": status}}
    return _json_response(status, payload, headers)


def _usage(prompt: str, completions: list[str]) -> dict[str, int]:
    p = len(prompt.split())
    c = sum(len(t.split()) for t in completions)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


class _Handler:
    """Routes one parsed request to a response (bytes) or a reset (None)."""

    def __init__(self, state: FakeServerState) -> None:
        self.state = state

    def _authorized(self, headers: dict[str, str]) -> bool:
        if self.state.api_key is None:
            return True
        return headers.get("authorization", "") == f"Bearer {self.state.api_key}"

    async def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes | None:
        path = path.split("?", 1)[0]
        if path == "/health":
            return _json_response(200, {"status": "ok"})
        if path.startswith("/v1/") and not self._authorized(headers):
            return _error(401, "Incorrect API key provided")
        if method == "GET" and path == "/v1/models":
            if self.state.models_status != 200:
                return _error(self.state.models_status, "scripted /v1/models failure")
            data = [{"id": self.state.model, "object": "model", "created": 0, "owned_by": "fake"}]
            return _json_response(200, {"object": "list", "data": data})
        if method == "POST" and path in ("/v1/chat/completions", "/v1/mcqa"):
            if path == "/v1/mcqa" and not self.state.mcqa:
                return _error(404, "Not Found")
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                return _error(400, "malformed JSON")
            return await self._generate(path, payload)
        return _error(404, "Not Found")

    async def _act(self, key: str | None, path: str, payload: dict[str, Any]) -> Action:
        state = self.state
        attempt = state.attempts[key]
        state.attempts[key] += 1
        action = state.responder(key, attempt, payload)
        delay = state.latency + action.delay
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            if delay > 0:
                await asyncio.sleep(delay)
        finally:
            state.in_flight -= 1
        return action

    async def _generate(self, path: str, payload: dict[str, Any]) -> bytes | None:
        if path == "/v1/mcqa":
            if not isinstance(payload.get("question"), str) or not payload.get("options"):
                return _error(422, "question and options are required")
            prompt = payload["question"]
        else:
            messages = payload.get("messages") or [{"content": ""}]
            prompt = str(messages[-1].get("content", ""))
        match = KEY_PATTERN.search(prompt)
        key = match.group(1) if match else None
        if payload.get("model") not in (None, self.state.model):
            self._record(path, key, 404)
            return _error(404, f"The model `{payload.get('model')}` does not exist.")
        action = await self._act(key, path, payload)
        if isinstance(action, Reset):
            self._record(path, key, 0)
            return None
        if isinstance(action, Fail):
            self._record(path, key, action.status)
            headers = {"Retry-After": str(action.retry_after)} if action.retry_after is not None else None
            return _error(action.status, action.message, headers)
        self._record(path, key, 200)
        n = int(payload.get("n") or 1)
        if path == "/v1/mcqa":
            return _json_response(200, _mcqa_payload(payload, action, n, prompt))
        return _json_response(200, self._chat_payload(action, n, prompt))

    def _record(self, path: str, key: str | None, status: int) -> None:
        if self.state.keep_log:
            self.state.log.append(RequestLog(time.monotonic(), path, key, status))

    def _chat_payload(self, action: Reply, n: int, prompt: str) -> dict[str, Any]:
        choices = []
        for i in range(n):
            message: dict[str, Any] = {"role": "assistant", "content": action.text_for(i)}
            if action.reasoning is not None:
                message["reasoning"] = action.reasoning
            choices.append({"index": i, "message": message, "finish_reason": "stop"})
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.state.model,
            "choices": choices,
            "usage": _usage(prompt, [action.text_for(i) for i in range(n)]),
        }


def _mcqa_payload(payload: dict[str, Any], action: Reply, n: int, prompt: str) -> dict[str, Any]:
    """Our server's /v1/mcqa answer shape, with the core extractor and a majority vote."""
    from alphamed.extract import extract_answer
    from alphamed.voting import majority_vote

    options = payload["options"]
    samples = []
    for i in range(n):
        text = action.text_for(i)
        found = extract_answer(text, options)
        answer = {
            "letter": found.letter if found else None,
            "text": found.text if found else None,
            "method": found.method if found else None,
        }
        samples.append({"reasoning": action.reasoning or "", "content": text, "answer": answer})
    vote = majority_vote([s["answer"]["letter"] for s in samples])
    answer_text = next((s["answer"]["text"] for s in samples if s["answer"]["letter"] == vote.letter), None)
    return {
        "answer": vote.letter,
        "answer_text": answer_text if vote.letter else None,
        "votes": vote.votes,
        "agreement": vote.agreement,
        "samples": samples,
        "usage": _usage(prompt, [action.text_for(i) for i in range(n)]),
    }


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return method, path, headers


class _HttpConnection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, on a bare protocol (no streams: cheaper per request).

    Requests on a connection are answered in order, one at a time, as HTTP/1.1 requires.
    """

    def __init__(self, handler: _Handler) -> None:
        self.handler = handler
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.busy = False
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.task is not None:
            self.task.cancel()
        self.transport = None

    def _next(self) -> None:
        """Start answering the next complete request in the buffer, if idle."""
        if self.busy or self.transport is None:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        method, path, headers = _parse_head(bytes(self.buffer[:end]))
        length = int(headers.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        self.busy = True
        self.task = asyncio.ensure_future(self._answer(method, path, headers, body))

    async def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        response = await self.handler.handle(method, path, headers, body)
        transport = self.transport
        if transport is None:
            return
        if response is None:  # scripted reset
            transport.abort()
            return
        transport.write(response)
        if headers.get("connection", "").lower() == "close":
            transport.close()
            return
        self.busy = False
        self.task = None
        self._next()


class FakeServer:
    """The scripted server, run on a background thread's event loop.

    Args:
        responder: decides each generation request's outcome (default: always ``A``).
        latency: seconds added to every generation request.
        model: the one model id served.
        api_key: when set, ``/v1/*`` needs ``Authorization: Bearer <api_key>``.
        mcqa: serve ``/v1/mcqa`` like ``alphamed serve`` does.
        keep_log: record every request in :attr:`log`.
        models_status: HTTP status of ``GET /v1/models`` (200: list the model).

    Use as a context manager; ``base_url`` is ``http://127.0.0.1:PORT/v1``.
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency: float = 0.0,
        model: str = "fake-model",
        api_key: str | None = None,
        mcqa: bool = False,
        keep_log: bool = True,
        models_status: int = 200,
    ) -> None:
        self.state = FakeServerState(
            responder or always("A"), latency, model, api_key, mcqa, keep_log=keep_log, models_status=models_status
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def log(self) -> list[RequestLog]:
        return self.state.log

    def requests_for(self, key: str) -> list[RequestLog]:
        """The generation requests seen for ``key``, in order."""
        return [r for r in self.state.log if r.key == key]

    def start(self) -> FakeServer:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(serve(self.state, port=0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-openai-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None or self._server is None:
            return
        loop, server = self._loop, self._server

        async def shutdown() -> None:
            server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def serve(state: FakeServerState, *, host: str = "127.0.0.1", port: int = 0) -> asyncio.AbstractServer:
    """Start serving ``state`` on ``host:port``; returns the asyncio server."""
    handler = _Handler(state)
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: _HttpConnection(handler), host, port, backlog=4096)


def main(argv: list[str] | None = None) -> None:
    """Run a fake server that always answers ``--letter`` after ``--latency`` seconds."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--letter", default="A")
    parser.add_argument("--model", default="fake-model")
    args = parser.parse_args(argv)
    state = FakeServerState(always(args.letter), args.latency, args.model, keep_log=False)

    async def run() -> None:
        server = await serve(state, port=args.port)
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
