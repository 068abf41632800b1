"""The engine-facing protocol every backend implements (transformers, vLLM, SGLang, upstream).

The gateway turns an OpenAI request into a :class:`GenerationRequest`, asks a
:class:`Backend` for raw text (whole or streamed), and post-processes it itself
(reasoning split, answer extraction). A backend whose engine already split the
reasoning fills ``reasoning`` and the gateway does not split again.

Errors a backend wants the client to see raise :class:`BackendError` with an HTTP status;
the gateway renders them in OpenAI's ``{"error": {...}}`` shape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

FinishReason = Literal["stop", "length", "abort"] | None


@dataclass
class GenerationRequest:
    """What to generate, engine-neutral.

    Exactly one of ``messages`` (chat), ``prompt`` or ``prompt_token_ids`` (completions) is set.
    ``extra`` carries engine-specific request fields to pass through untouched
    (e.g. vLLM's ``structured_outputs``, ``top_k``, ``repetition_penalty``).
    """

    messages: list[dict[str, Any]] | None = None
    prompt: str | None = None
    prompt_token_ids: list[int] | None = None  # a completions prompt given as token ids (then prompt is None)
    n: int = 1
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    logprobs: bool = False
    top_logprobs: int | None = None
    add_generation_prompt: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    prompt_ids: list[int] | None = None  # the prompt's token ids once a backend has them (it tokenizes once)


@dataclass
class GenerationOutput:
    """One generated sequence (one OpenAI ``choice``)."""

    index: int
    text: str
    finish_reason: FinishReason = "stop"
    completion_tokens: int = 0
    reasoning: str | None = None  # set only when the engine already split the reasoning
    logprobs: Any | None = None  # OpenAI-shaped logprobs object for this choice, if any


@dataclass
class GenerationResult:
    """All choices of one request plus token usage."""

    outputs: list[GenerationOutput]
    prompt_tokens: int = 0


@dataclass
class StreamDelta:
    """One streamed piece of one choice.

    ``text`` is raw model text (the gateway splits it) unless the engine split it already,
    in which case ``reasoning`` carries the reasoning part and ``text`` the content part.
    The last delta of a choice has ``finish_reason`` set; ``prompt_tokens`` /
    ``completion_tokens`` are filled on it where the engine reports them.
    """

    index: int
    text: str = ""
    reasoning: str | None = None
    finish_reason: FinishReason = None
    logprobs: Any | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass
class ModelInfo:
    """What the gateway and routers need to know about the served model."""

    id: str
    context_length: int
    max_n: int | None = None  # largest `n` the backend takes; None: the engine's own limit applies
    owned_by: str = "alphamed"
    root: str | None = None  # path or hub id the weights came from
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Health:
    """A backend's real state: ``ok`` only when it can serve a request now."""

    ok: bool
    status: str = "ok"  # "ok" | "starting" | "restarting" | "dead" | "unreachable" ...
    detail: str = ""


class BackendError(Exception):
    """An error to show the client, with its HTTP status and OpenAI error fields."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}


@runtime_checkable
class Backend(Protocol):
    """One engine behind the gateway."""

    name: str
    constraint_dialect: str | None
    """How ``guided_*`` / ``structured_outputs`` fields are sent (:mod:`alphamed_serve.constraints`); None: the
    backend cannot honour a constraint (a request that asks for one gets a 400 naming the field)."""

    async def start(self) -> None:
        """Load the model / start or connect to the engine."""

    async def stop(self) -> None:
        """Release resources; in-flight requests have finished when this is called."""

    def model_info(self) -> ModelInfo:
        """The served model's metadata."""

    async def health(self) -> Health:
        """Whether the engine can serve a request right now."""

    def count_tokens(self, request: GenerationRequest) -> int | None:
        """Prompt length in tokens, or None when the backend cannot tell (the engine will check)."""

    def count_text_tokens(self, text: str) -> int | None:
        """Tokens of a piece of generated text (``reasoning_tokens``), or None: the gateway estimates."""

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        """Generate every choice of ``request`` to completion."""

    def stream(self, request: GenerationRequest) -> AsyncIterator[StreamDelta]:
        """Stream deltas of every choice of ``request`` (interleaved by index)."""

    def stream_batches(self, request: GenerationRequest) -> AsyncIterator[list[StreamDelta]]:
        """:meth:`stream`'s deltas in non-empty lists of those that arrived together (what the
        gateway reads; a backend without batches of its own returns
        ``DeltaCollector(self.stream(request)).batches()``)."""

    async def tokenize(self, spec: dict[str, Any]) -> list[int]:
        """Token ids of a ``/tokenize`` request body (``prompt`` or ``messages``), in vLLM's shape."""

    async def detokenize(self, tokens: list[int]) -> str:
        """The text of ``tokens``."""

    async def tokenizer_info(self) -> dict[str, Any]:
        """The ``/tokenizer_info`` body (special tokens, chat template, context length), in vLLM's shape."""

    async def engine_metrics(self) -> str:
        """The engine's own Prometheus exposition (``vllm:*``, ``sglang:*``), or ``""`` when it has none."""


@dataclass
class BackendOptions:
    """Everything `alphamed serve` passes to a backend factory (CLI flags -> here)."""

    model: str
    served_model_name: str | None = None
    upstream: str | None = None  # front an engine/router already running (no child process)
    upstream_api_key: str | None = None
    device: str = "auto"  # transformers: cpu | cuda | auto
    dtype: str = "auto"
    max_model_len: int | None = None
    max_batch_size: int = 16  # transformers: how many sequences decode together
    tensor_parallel_size: int = 1
    pipeline_parallel_size: int = 1
    gpu_memory_utilization: float | None = None
    enable_prefix_caching: bool = False
    reasoning_parser: str | None = None
    engine_python: str | None = None  # interpreter that runs the child engine (its own venv)
    engine_args: list[str] = field(default_factory=list)  # passed through after `--`
    startup_timeout: float = 900.0  # --engine-start-timeout; the images' HEALTHCHECK start period matches
    revision: str | None = None  # branch, tag or commit of a hub id
