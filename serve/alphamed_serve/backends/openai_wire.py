"""Talk to an OpenAI-compatible engine server (vLLM, SGLang, a router) over HTTP.

Shared by every proxying backend: turns a :class:`GenerationRequest` into a
``/v1/chat/completions`` or ``/v1/completions`` body, reads whole or streamed
(server-sent events, one event at a time, nothing buffered) answers back into
:class:`GenerationResult` / :class:`StreamDelta`, and maps every upstream failure
(refused connection, timeout, 4xx/5xx in any of the engines' error shapes,
malformed JSON, a stream cut short) to a :class:`BackendError` in OpenAI's terms.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import orjson

from alphamed_serve.backend import (
    BackendError,
    GenerationOutput,
    GenerationRequest,
    GenerationResult,
    StreamDelta,
)

logger = logging.getLogger(__name__)

# reasoning field names engines use, newest first (vLLM >= 2026: `reasoning`; SGLang, DeepSeek: `reasoning_content`)
REASONING_FIELDS = ("reasoning", "reasoning_content")

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    409: "conflict_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def error_type_for(status: int) -> str:
    """OpenAI's error ``type`` for an HTTP status.

    Args:
        status: HTTP status code.

    Returns:
        ``invalid_request_error`` and friends for 4xx, ``server_error`` for 5xx.
    """
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    return "invalid_request_error" if 400 <= status < 500 else "server_error"


def upstream_error(status: int, body: bytes | str, engine: str) -> BackendError:
    """Turn an engine's error answer into a :class:`BackendError`.

    Understands OpenAI's ``{"error": {"message", "type", "param", "code"}}``, the flat
    ``{"object": "error", "message", ...}`` of vLLM and SGLang, their bare
    ``{"error": "Unauthorized"}``, FastAPI's ``{"detail": ...}`` and plain text.

    Args:
        status: HTTP status the engine answered with.
        body: the raw response body.
        engine: engine name for the message (``vllm``, ``sglang``, ``upstream``).

    Returns:
        The error to raise; 5xx from the engine stay 5xx, with the engine named.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    message, param, code = "", None, None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            message = str(err.get("message") or err.get("detail") or "")
            param = err.get("param") if isinstance(err.get("param"), str) else None
            code = err.get("code") if isinstance(err.get("code"), str) else None
        elif isinstance(err, str):
            message = err
        if not message and "detail" in data:
            message = str(data["detail"])
    if not message:
        message = text.strip()[:500] or f"HTTP {status}"
    if status >= 500:
        message = f"{engine} engine error (HTTP {status}): {message}"
        code = code or "upstream_error"
    return BackendError(message, status=status, type=error_type_for(status), param=param, code=code)


def unavailable(engine: str, detail: str, *, status: int = 503) -> BackendError:
    """A 502/503 :class:`BackendError` for an engine that cannot be reached.

    Args:
        engine: engine name for the message.
        detail: what went wrong (connection refused, timeout, ...).
        status: 503 (engine not up, try again) or 502 (it answered nonsense).

    Returns:
        The error to raise; 503 carries ``Retry-After``.
    """
    headers = {"Retry-After": "5"} if status == 503 else {}
    code = "engine_unavailable" if status == 503 else "bad_gateway"
    return BackendError(
        f"{engine} engine unavailable: {detail}", status=status, type="server_error", code=code, headers=headers
    )


def request_body(req: GenerationRequest, model: str, *, stream: bool) -> dict[str, Any]:
    """The JSON body of the engine request for ``req``.

    Args:
        req: the engine-neutral request.
        model: the model name the engine serves.
        stream: whether to ask for server-sent events.

    Returns:
        A chat-completions body when ``req.messages`` is set, else a completions body.
    """
    body: dict[str, Any] = {"model": model, "n": req.n, "stream": stream}
    if req.messages is not None:
        body["messages"] = req.messages
        if not req.add_generation_prompt:
            body["add_generation_prompt"] = False
        if req.logprobs:
            body["logprobs"] = True
            if req.top_logprobs is not None:
                body["top_logprobs"] = req.top_logprobs
    else:
        body["prompt"] = req.prompt_token_ids if req.prompt_token_ids is not None else (req.prompt or "")
        if req.logprobs:
            body["logprobs"] = req.top_logprobs or 0
    optional = {
        "max_tokens": req.max_tokens,
        "temperature": req.temperature,
        "top_p": req.top_p,
        "seed": req.seed,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    if req.stop:
        body["stop"] = list(req.stop)
    if stream:
        body["stream_options"] = {"include_usage": True}
    body.update(req.extra)
    return body


def _finish(reason: Any) -> str | None:
    """Map an engine finish reason onto the protocol's stop/length/abort/None."""
    if reason in (None, ""):
        return None
    if reason in ("stop", "length", "abort"):
        return reason
    return "stop" if reason in ("tool_calls", "function_call", "content_filter", "eos") else "abort"


def _reasoning_of(part: dict[str, Any]) -> str | None:
    """The engine-split reasoning in a message or delta, whatever the field is called."""
    for name in REASONING_FIELDS:
        value = part.get(name)
        if isinstance(value, str):
            return value
    return None


def parse_result(data: Any, *, chat: bool, engine: str, engine_splits: bool = False) -> GenerationResult:
    """Read a whole (non-streamed) engine answer.

    Args:
        data: the decoded JSON answer.
        chat: whether it answers a chat request (``message``) or a completion (``text``).
        engine: engine name for error messages.
        engine_splits: the engine runs a reasoning parser: an absent reasoning means "none"
            (``""``), never "split it yourself" (``None``).

    Returns:
        The outputs (engine-split reasoning in ``reasoning``) and prompt token count.

    Raises:
        BackendError: 502 when the answer is not shaped like an OpenAI completion.
    """
    try:
        choices = data["choices"]
        usage = data.get("usage") or {}
        outputs = [_parse_choice(c, chat, engine_splits) for c in choices]
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise unavailable(engine, f"malformed completion from the engine ({exc!r})", status=502) from exc
    total = int(usage.get("completion_tokens") or 0)
    shares = split_total(total, [len(o.text) + len(o.reasoning or "") for o in outputs])
    for out, share in zip(outputs, shares):
        out.completion_tokens = share
    outputs.sort(key=lambda o: o.index)
    return GenerationResult(outputs=outputs, prompt_tokens=prompt_tokens)


def split_total(total: int, weights: list[int]) -> list[int]:
    """Share ``total`` among choices in proportion to ``weights``, summing exactly to ``total``.

    Engines report completion tokens for the whole request only; the gateway wants them per choice.

    Args:
        total: the request's completion tokens.
        weights: per choice, how much it generated (characters or deltas).

    Returns:
        Non-negative integers, one per weight, adding up to ``total`` (largest remainders first).

    >>> split_total(48, [10, 10])
    [24, 24]
    >>> split_total(7, [1, 2, 0])
    [2, 5, 0]
    """
    if not weights:
        return []
    norm = sum(weights)
    if norm <= 0:
        weights, norm = [1] * len(weights), len(weights)
    exact = [total * w / norm for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _parse_choice(choice: dict[str, Any], chat: bool, engine_splits: bool) -> GenerationOutput:
    """One choice of a whole answer."""
    if chat:
        message = choice["message"]
        text = message.get("content") or ""
        reasoning = _reasoning_of(message)
        if reasoning is None and engine_splits:
            reasoning = ""
    else:
        text, reasoning = choice["text"] or "", None
    return GenerationOutput(
        index=int(choice.get("index", 0)),
        text=text,
        finish_reason=_finish(choice.get("finish_reason")) or "stop",
        reasoning=reasoning,
        logprobs=choice.get("logprobs"),
    )


class StreamReader:
    """Turns engine stream chunks into :class:`StreamDelta` for one request.

    Engines differ at the edges: vLLM puts the last text and the finish reason in one
    chunk, SGLang may repeat a finish reason in a final empty chunk, and both send usage
    in a last chunk with no choices. The reader passes text on at once and holds each
    choice's finish back until the stream ends, so every choice gets exactly one
    finishing delta and the last one carries the token counts.
    """

    def __init__(self, *, chat: bool, engine: str, engine_splits: bool = False) -> None:
        self.chat = chat
        self.engine = engine
        self.engine_splits = engine_splits and chat
        self.split_choices: set[int] = set()  # choices the engine has been seen splitting
        self.pieces: dict[int, int] = {}  # deltas per choice: one per token with vLLM and SGLang
        self.finished: dict[int, str] = {}
        self.last_finish: str | None = None
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None

    def feed(self, payload: str) -> list[StreamDelta]:
        """Deltas carried by one event payload (a JSON chunk or an in-stream error).

        Raises:
            BackendError: the engine reported an error, or sent something that is not JSON.
        """
        try:
            chunk = orjson.loads(payload)
        except ValueError as exc:
            raise unavailable(self.engine, f"malformed stream chunk {payload[:200]!r}", status=502) from exc
        if not isinstance(chunk, dict):
            raise unavailable(self.engine, f"malformed stream chunk {payload[:200]!r}", status=502)
        if "error" in chunk:
            raise upstream_error(_status_of(chunk["error"]), json.dumps(chunk), self.engine)
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.prompt_tokens = usage.get("prompt_tokens", self.prompt_tokens)
            self.completion_tokens = usage.get("completion_tokens", self.completion_tokens)
        out: list[StreamDelta] = []
        for choice in chunk.get("choices") or []:
            delta = self._delta(choice)
            if delta is not None:
                out.append(delta)
        return out

    def _delta(self, choice: dict[str, Any]) -> StreamDelta | None:
        index = int(choice.get("index", 0))
        if self.chat:
            part = choice.get("delta") or {}
            text, reasoning = part.get("content") or "", _reasoning_of(part) or None
        else:
            text, reasoning = choice.get("text") or "", None
        if reasoning:
            self.split_choices.add(index)
        if reasoning is None and self._splits(index):
            reasoning = ""  # content after the engine's reasoning: not for the gateway to split
        finish = _finish(choice.get("finish_reason"))
        if finish is not None:
            self.finished.setdefault(index, finish)
            self.last_finish = finish
        logprobs = choice.get("logprobs")
        if not text and not reasoning and logprobs is None:
            return None
        self.pieces[index] = self.pieces.get(index, 0) + 1
        return StreamDelta(index=index, text=text, reasoning=reasoning, logprobs=logprobs)

    def close(self, n: int) -> list[StreamDelta]:
        """The finishing delta of every choice, once the engine sent ``[DONE]``.

        Args:
            n: how many choices the request asked for.

        Returns:
            One finishing delta per choice, each with its share of the engine's completion
            tokens; the last also carries the prompt tokens.
        """
        # SGLang with usage requested reports a finish reason only for the last choice;
        # a choice that ended silently in a completed stream gets the last reason seen.
        fallback = self.last_finish or "stop"
        out = [
            StreamDelta(
                index=i,
                finish_reason=self.finished.get(i, fallback),  # type: ignore[arg-type]
                reasoning="" if self._splits(i) else None,
            )
            for i in range(n)
        ]
        if self.completion_tokens is not None:
            shares = split_total(int(self.completion_tokens), [self.pieces.get(i, 0) for i in range(n)])
            for delta, share in zip(out, shares):
                delta.completion_tokens = share
        out[-1].prompt_tokens = self.prompt_tokens
        return out

    def _splits(self, index: int) -> bool:
        return self.engine_splits or index in self.split_choices


def _status_of(error: Any) -> int:
    """HTTP status of an in-stream error object (vLLM/SGLang put it in ``code``)."""
    if isinstance(error, dict):
        code = error.get("code")
        if isinstance(code, int) and 400 <= code < 600:
            return code
    return 500
