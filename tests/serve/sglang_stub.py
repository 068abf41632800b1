"""A stand-in for SGLang's HTTP server (``python -m sglang.launch_server``), faithful at the wire.

SGLang cannot be installed without CUDA, so the SGLang backend is tested against this.
It reproduces what a client of SGLang 0.4/0.5 sees (checked against sgl-project/sglang
``http_server.py``, ``entrypoints/openai/{protocol,serving_chat,serving_base}.py``,
``utils.add_api_key_middleware``):

- routes ``/health``, ``/health_generate`` (503 while starting), ``/get_model_info``,
  ``/get_server_info``, ``/v1/models``, ``/v1/chat/completions``, ``/v1/completions``;
- ``--api-key`` guards every route but ``/health*`` and ``/metrics*``, answering
  401 ``{"error": "Unauthorized"}``;
- with ``--reasoning-parser``, chat requests with ``separate_reasoning`` (default true)
  put the text before ``</think>`` in ``reasoning_content`` (message and delta);
- streams: a first chunk ``{"role": "assistant", "content": ""}`` per choice, reasoning
  chunks, content chunks (finish reason on the last one unless usage was requested),
  a final empty chunk with the finish reason for the last choice, a usage chunk with
  ``choices: []`` when ``stream_options.include_usage``, then ``data: [DONE]``;
- errors in SGLang's flat shape ``{"object": "error", "message", "type": "BadRequestError",
  "param", "code": 400}``, validation errors as 400 ``"type": "Bad Request"``, in-stream
  errors as ``data: {"error": {...}}``.

``--dialect vllm`` answers like vLLM instead (``reasoning`` field, ``/v1*`` only behind the
key, OpenAI-envelope errors): the fake OpenAI engine of the supervision tests.

Test hooks (not SGLang behaviour): a user message containing ``__500__`` gets a 500,
``__malformed__`` a 200 with a body that is not JSON, ``__stream_error__`` an in-stream
error, ``__hold__`` a stream that sends its first two pieces and then stays open until the
engine dies (a request known to be in flight); ``--token-delay`` slows streams;
``--startup-delay`` delays readiness.

Run: ``python sglang_stub.py --model-path M --port P [--api-key K] [--reasoning-parser deepseek-r1]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse

REASONING = "The patient has {topic}. Consider each option in turn and rule out the unlikely ones."
ANSWER = "The final answer is: $\\boxed{{A}}$"


def completion_text(topic: str, style: str = "think") -> str:
    """The stub model's deterministic output: think tags, then a boxed letter; or with ``style="free"``
    the released AlphaMed format, free-text reasoning ending in the final-answer sentence (no tags)."""
    if style == "free":
        return REASONING.format(topic=topic) + " " + ANSWER.format()
    return "<think>" + REASONING.format(topic=topic) + "</think>" + ANSWER.format()


def split_think(text: str) -> tuple[str | None, str]:
    """SGLang's deepseek-r1 parser: text before ``</think>`` is reasoning (start tag optional)."""
    if "</think>" not in text:
        return text.replace("<think>", "").strip() or None, ""
    before, after = text.split("</think>", 1)
    return before.replace("<think>", "").strip() or None, after.strip()


def words(text: str) -> list[str]:
    """Token stand-ins: words with their leading space."""
    parts = text.split(" ")
    return [parts[0]] + [" " + p for p in parts[1:]]


class Stub:
    """State and behaviour of one stub server."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.model_id = args.served_model_name or args.model_path
        self.ready_at = time.monotonic() + args.startup_delay
        self.requests: list[dict[str, Any]] = []
        self.vllm = args.dialect == "vllm"
        self.reasoning_field = "reasoning" if self.vllm else "reasoning_content"

    # -- errors ----------------------------------------------------------------------

    def error_body(self, message: str, status: int = 400, err_type: str = "BadRequestError") -> dict[str, Any]:
        if self.vllm:
            return {"error": {"message": message, "type": err_type, "param": None, "code": status}}
        return {"object": "error", "message": message, "type": err_type, "param": None, "code": status}

    # -- generation ------------------------------------------------------------------

    def prompt_of(self, body: dict[str, Any]) -> str:
        if "messages" in body:
            return " ".join(str(m.get("content", "")) for m in body["messages"])
        return str(body.get("prompt", ""))

    def check(self, body: dict[str, Any]) -> str | None:
        """SGLang's validation, as far as the gateway can trigger it."""
        chat = "messages" in body
        if chat and (not isinstance(body["messages"], list) or not body["messages"]):
            return "messages must be a non-empty list"
        max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or 0
        prompt_len = len(words(self.prompt_of(body)))
        if max_tokens and prompt_len + int(max_tokens) > self.args.context_length:
            return (
                f"Requested token count exceeds the model's maximum context length of "
                f"{self.args.context_length} tokens. You requested a total of {prompt_len + int(max_tokens)} "
                f"tokens: {prompt_len} tokens from the input messages and {max_tokens} tokens for the completion."
            )
        return None

    def outputs(self, body: dict[str, Any]) -> list[tuple[list[str], str]]:
        """Per choice: the generated pieces and the finish reason."""
        topic = self.prompt_of(body)[:40] or "nothing"
        pieces = words(completion_text(topic, self.args.output_style))
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        n = int(body.get("n") or 1)
        if limit is not None and int(limit) < len(pieces):
            return [(pieces[: int(limit)], "length")] * n
        return [(pieces, "stop")] * n

    def separate(self, body: dict[str, Any]) -> bool:
        if self.vllm:
            return bool(self.args.reasoning_parser)
        return bool(self.args.reasoning_parser) and body.get("separate_reasoning", True)

    def usage(self, body: dict[str, Any], outs: list[tuple[list[str], str]]) -> dict[str, Any]:
        prompt = len(words(self.prompt_of(body)))
        completion = sum(len(p) for p, _ in outs)
        return {
            "prompt_tokens": prompt,
            "total_tokens": prompt + completion,
            "completion_tokens": completion,
            "prompt_tokens_details": None,
            "reasoning_tokens": 0,
        }

    def whole(self, body: dict[str, Any]) -> dict[str, Any]:
        chat = "messages" in body
        outs = self.outputs(body)
        choices = []
        for index, (pieces, finish) in enumerate(outs):
            text = "".join(pieces)
            if chat:
                reasoning, content = split_think(text) if self.separate(body) else (None, text)
                message = {
                    "role": "assistant",
                    "content": content or None,
                    self.reasoning_field: reasoning,
                    "tool_calls": None,
                }
                choices.append(
                    {
                        "index": index,
                        "message": message,
                        "logprobs": None,
                        "finish_reason": finish,
                        "matched_stop": None,
                    }
                )
            else:
                choices.append(
                    {"index": index, "text": text, "logprobs": None, "finish_reason": finish, "matched_stop": None}
                )
        return {
            "id": uuid.uuid4().hex,
            "object": "chat.completion" if chat else "text_completion",
            "created": int(time.time()),
            "model": body.get("model", self.model_id),
            "choices": choices,
            "usage": self.usage(body, outs),
        }

    def chunk(self, body: dict[str, Any], rid: str, choice: dict[str, Any], usage: Any = None) -> str:
        chat = "messages" in body
        data = {
            "id": rid,
            "object": "chat.completion.chunk" if chat else "text_completion",
            "created": int(time.time()),
            "model": body.get("model", self.model_id),
            "choices": [choice] if choice else [],
            "usage": usage,
        }
        return f"data: {json.dumps(data)}\n\n"

    def delta(self, **fields: Any) -> dict[str, Any]:
        base = {"role": None, "content": None, self.reasoning_field: None, "tool_calls": None}
        base.update(fields)
        return base

    async def stream(self, body: dict[str, Any]):  # noqa: C901 - mirrors SGLang's generator
        chat = "messages" in body
        rid = uuid.uuid4().hex
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        outs = self.outputs(body)
        if "__stream_error__" in self.prompt_of(body):
            yield f"data: {json.dumps({'error': self.error_body('stub in-stream failure', 500, 'InternalServerError')})}\n\n"
            yield "data: [DONE]\n\n"
            return
        steps = max(len(p) for p, _ in outs)
        hold = "__hold__" in self.prompt_of(body)
        states = [{"buffer": "", "content_started": False} for _ in outs]
        for index in range(len(outs)):
            if chat:
                yield self.chunk(
                    body,
                    rid,
                    {
                        "index": index,
                        "delta": self.delta(role="assistant", content=""),
                        "logprobs": None,
                        "finish_reason": None,
                        "matched_stop": None,
                    },
                )
        for step in range(steps):
            for index, (pieces, finish) in enumerate(outs):
                if step >= len(pieces):
                    continue
                last = step == len(pieces) - 1
                fin = finish if last and not include_usage else None
                piece = pieces[step]
                if not chat:
                    yield self.chunk(
                        body,
                        rid,
                        {"index": index, "text": piece, "logprobs": None, "finish_reason": fin, "matched_stop": None},
                    )
                    continue
                for kind, text in self.route(states[index], piece, body):
                    field = {"content": text} if kind == "content" else {self.reasoning_field: text}
                    yield self.chunk(
                        body,
                        rid,
                        {
                            "index": index,
                            "delta": self.delta(**field),
                            "logprobs": None,
                            "finish_reason": fin if kind == "content" else None,
                            "matched_stop": None,
                        },
                    )
            await asyncio.sleep(self.args.token_delay)
            if hold and step == 1:
                await asyncio.Event().wait()  # in flight until the process is killed
        last_index = len(outs) - 1
        final = {
            "index": last_index,
            "delta": self.delta() if chat else None,
            "finish_reason": outs[-1][1],
            "matched_stop": None,
        }
        if not chat:
            final = {
                "index": last_index,
                "text": "",
                "logprobs": None,
                "finish_reason": outs[-1][1],
                "matched_stop": None,
            }
        yield self.chunk(body, rid, final)
        if include_usage:
            yield self.chunk(body, rid, {}, usage=self.usage(body, outs))
        yield "data: [DONE]\n\n"

    def route(self, state: dict[str, Any], piece: str, body: dict[str, Any]) -> list[tuple[str, str]]:
        """Streamed reasoning parsing: pieces before ``</think>`` are reasoning."""
        if not self.separate(body) or state["content_started"]:
            return [("content", piece)]
        if "</think>" in piece:
            before, after = piece.split("</think>", 1)
            state["content_started"] = True
            out = []
            if before.replace("<think>", ""):
                out.append(("reasoning", before.replace("<think>", "")))
            if after:
                out.append(("content", after))
            return out
        return [("reasoning", piece.replace("<think>", ""))] if piece.replace("<think>", "") else []


def build_app(args: argparse.Namespace):
    """The FastAPI app of the stub."""
    stub = Stub(args)
    app = FastAPI()
    app.state.stub = stub

    @app.middleware("http")
    async def authentication(request: Request, call_next):
        if args.api_key:
            path = request.url.path
            guarded = path.startswith("/v1") if stub.vllm else not path.startswith(("/health", "/metrics"))
            if guarded and request.headers.get("Authorization") != "Bearer " + args.api_key:
                return JSONResponse({"error": "Unauthorized"}, status_code=401)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def validation(_: Request, exc: RequestValidationError):
        return JSONResponse(stub.error_body(str(exc), 400, "Bad Request"), status_code=400)

    @app.get("/health")
    @app.get("/health_generate")
    async def health() -> Response:
        return Response(status_code=200 if time.monotonic() >= stub.ready_at else 503)

    @app.get("/get_model_info")
    async def model_info() -> dict[str, Any]:
        return {
            "model_path": args.model_path,
            "tokenizer_path": args.model_path,
            "is_generation": True,
            "preferred_sampling_params": None,
            "weight_version": "default",
        }

    @app.get("/get_server_info")
    async def server_info() -> dict[str, Any]:
        return {
            "model_path": args.model_path,
            "served_model_name": stub.model_id,
            "port": args.port,
            "context_length": args.context_length,
            "reasoning_parser": args.reasoning_parser,
            "tp_size": 1,
            "dp_size": 1,
            "internal_states": [{}],
            "version": "0.5.0-stub",
        }

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        card = {
            "id": stub.model_id,
            "object": "model",
            "created": int(time.time()),
            "owned_by": "vllm" if stub.vllm else "sglang",
            "root": args.model_path,
            "parent": None,
            "max_model_len": args.context_length,
        }
        return {"object": "list", "data": [card]}

    async def generate(request: Request, chat: bool) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse(stub.error_body("JSON decode error", 400, "Bad Request"), status_code=400)
        if not isinstance(body, dict) or (chat and "messages" not in body) or (not chat and "prompt" not in body):
            return JSONResponse(stub.error_body("Field required", 400, "Bad Request"), status_code=400)
        stub.requests.append(body)
        prompt = stub.prompt_of(body)
        if "__500__" in prompt:
            return JSONResponse(
                stub.error_body("Internal server error: stub failure", 500, "InternalServerError"), status_code=500
            )
        if "__malformed__" in prompt:
            return Response(b"{not json", media_type="application/json")
        problem = stub.check(body)
        if problem:
            return JSONResponse(stub.error_body(problem), status_code=400)
        if body.get("stream"):
            return StreamingResponse(stub.stream(body), media_type="text/event-stream")
        return JSONResponse(stub.whole(body))

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        return await generate(request, chat=True)

    @app.post("/v1/completions")
    async def completions(request: Request) -> Response:
        return await generate(request, chat=False)

    @app.get("/stub/requests")
    async def seen() -> list[dict[str, Any]]:
        return stub.requests

    return app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-path", "--model", dest="model_path", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=30000)
    parser.add_argument("--api-key")
    parser.add_argument("--served-model-name")
    parser.add_argument("--reasoning-parser")
    parser.add_argument("--context-length", "--max-model-len", dest="context_length", type=int, default=2048)
    parser.add_argument("--dialect", choices=["sglang", "vllm"], default="sglang")
    parser.add_argument(
        "--output-style",
        choices=["think", "free"],
        default="think",
        help="think: <think>...</think> then the answer; free: AlphaMed's free text (no tags), "
        "which the deepseek-r1 parser puts all in reasoning, as SGLang's detector does",
    )
    parser.add_argument("--token-delay", type=float, default=0.0)
    parser.add_argument("--startup-delay", type=float, default=0.0)
    args, unknown = parser.parse_known_args(argv)
    args.unknown = unknown  # engine flags the stub does not model (--tp-size, --enforce-eager, ...)
    return args


def main(argv: list[str] | None = None) -> None:
    """Serve the stub until killed."""
    import uvicorn

    args = parse_args(argv)
    uvicorn.run(build_app(args), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
