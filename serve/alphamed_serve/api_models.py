"""OpenAI-shaped request and response models for the gateway.

Request models accept unknown fields (``extra="allow"``), as vLLM does: an OpenAI client
newer than this server must keep working. :meth:`unknown_fields` names them so the router
can log them. Each request converts itself to an engine-neutral
:class:`~alphamed_serve.backend.GenerationRequest`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from alphamed_serve.backend import GenerationRequest

MAX_STOP_SEQUENCES = 4
AnswerOptions = list[str] | dict[str, str]


class _Lenient(BaseModel):
    """Base for request models: unknown fields are kept (and logged), never rejected."""

    model_config = ConfigDict(extra="allow")

    def unknown_fields(self) -> list[str]:
        """Names of request fields this server does not know (ignored)."""
        return sorted(self.model_extra or {})


class StreamOptions(_Lenient):
    include_usage: bool = Field(default=False, description="Send a last chunk with token usage.")


class ChatMessage(_Lenient):
    """One chat message; ``content`` may be a string or a list of text parts."""

    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message text, with list-of-parts content joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        parts = []
        for part in self.content:
            if part.get("type") not in (None, "text") or not isinstance(part.get("text"), str):
                raise ValueError("only text content parts are supported")
            parts.append(part["text"])
        return "".join(parts)


def _stop_list(stop: str | list[str] | None) -> list[str]:
    if stop is None:
        return []
    return [stop] if isinstance(stop, str) else list(stop)


class _SamplingFields(_Lenient):
    """Sampling settings shared by chat and completions."""

    model: str | None = Field(default=None, description="Served model name (see /v1/models).")
    n: int = Field(default=1, ge=1, strict=True, description="Number of choices to generate.")
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, ge=1, description="Most tokens to generate.")
    stop: str | list[str] | None = Field(default=None, description="Up to 4 stop strings.")
    seed: int | None = Field(default=None, description="Seed for reproducible sampling.")
    stream: bool = Field(default=False, strict=True, description="Send server-sent events (true/false only).")
    stream_options: StreamOptions | None = None
    answer_options: AnswerOptions | None = Field(
        default=None,
        description="AlphaMed extension: option texts (list in letter order, or letter -> text) "
        "so each choice's `answer` can also match an answer given as option text.",
    )

    @field_validator("stop")
    @classmethod
    def _check_stop(cls, v: str | list[str] | None) -> str | list[str] | None:
        stops = _stop_list(v)
        if len(stops) > MAX_STOP_SEQUENCES:
            raise ValueError(f"at most {MAX_STOP_SEQUENCES} stop sequences")
        if any(s == "" for s in stops):
            raise ValueError("stop sequences must not be empty")
        return v

    def include_usage(self) -> bool:
        """Whether a streamed response ends with a usage chunk."""
        return bool(self.stream_options and self.stream_options.include_usage)


class ChatCompletionRequest(_SamplingFields):
    """``POST /v1/chat/completions``."""

    messages: list[ChatMessage] = Field(min_length=1, description="The conversation so far.")
    max_completion_tokens: int | None = Field(default=None, ge=1)
    logprobs: bool | None = False
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    add_generation_prompt: bool = True

    def effective_max_tokens(self) -> int | None:
        """``max_completion_tokens`` wins over the legacy ``max_tokens``."""
        return self.max_completion_tokens or self.max_tokens

    def to_generation_request(self) -> GenerationRequest:
        """Engine-neutral settings for this request."""
        messages = []
        for msg in self.messages:
            item: dict[str, Any] = {"role": "system" if msg.role == "developer" else msg.role, "content": msg.text()}
            messages.append(item)
        return GenerationRequest(
            messages=messages,
            n=self.n,
            max_tokens=self.effective_max_tokens(),
            temperature=self.temperature,
            top_p=self.top_p,
            stop=_stop_list(self.stop),
            seed=self.seed,
            logprobs=bool(self.logprobs),
            top_logprobs=self.top_logprobs,
            add_generation_prompt=self.add_generation_prompt,
            extra=dict(self.model_extra or {}),
        )


class CompletionRequest(_SamplingFields):
    """``POST /v1/completions``: what vLLM accepts as ``prompt`` (a string, a list of strings, token ids, or a
    list of token-id lists); several prompts give ``n`` choices each, indexed prompt by prompt."""

    prompt: str | list[str] | list[int] | list[list[int]] = Field(
        description="The prompt: a string, a list of strings, a list of token ids, or a list of token-id lists."
    )
    logprobs: int | None = Field(default=None, ge=0, le=5)
    echo: bool = False

    @field_validator("prompt")
    @classmethod
    def _some_prompt(cls, v: Any) -> Any:
        if isinstance(v, list) and (not v or any(isinstance(p, list) and not p for p in v)):
            raise ValueError("prompt must not be an empty list")
        if isinstance(v, list) and any(
            isinstance(t, int) and t < 0 for p in v for t in (p if isinstance(p, list) else [p])
        ):
            raise ValueError("token ids must not be negative")
        return v

    def prompts(self) -> list[str | list[int]]:
        """Each prompt: a string or a list of token ids.

        >>> CompletionRequest(prompt=[1, 2]).prompts(), CompletionRequest(prompt=["a", "b"]).prompts()
        ([[1, 2]], ['a', 'b'])
        """
        p = self.prompt
        if isinstance(p, str):
            return [p]
        if all(isinstance(t, int) for t in p):
            return [list(p)]  # type: ignore[arg-type]
        return list(p)  # type: ignore[arg-type]

    def prompt_text(self) -> str:
        """The first prompt when it is a string (what a streamed ``echo`` repeats), else ``""``."""
        first = self.prompts()[0]
        return first if isinstance(first, str) else ""

    def to_generation_request(self, prompt: str | list[int] | None = None) -> GenerationRequest:
        """Engine-neutral settings for ``prompt`` (default: the first of :meth:`prompts`)."""
        prompt = self.prompts()[0] if prompt is None else prompt
        return GenerationRequest(
            prompt=prompt if isinstance(prompt, str) else None,
            prompt_token_ids=None if isinstance(prompt, str) else list(prompt),
            n=self.n,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            stop=_stop_list(self.stop),
            seed=self.seed,
            logprobs=self.logprobs is not None,
            top_logprobs=self.logprobs or None,
            extra=dict(self.model_extra or {}),
        )


class TokenizeRequest(_Lenient):
    """``POST /tokenize`` (vLLM's shape): a completions ``prompt`` or chat ``messages``."""

    model: str | None = Field(default=None, description="Served model name (see /v1/models).")
    prompt: str | None = Field(default=None, description="Text to tokenize (completions form).")
    messages: list[ChatMessage] | None = Field(default=None, description="A conversation, after the chat template.")
    add_special_tokens: bool | None = Field(default=None, description="Default: true for prompt, false for messages.")
    add_generation_prompt: bool = True

    def to_tokenize_input(self) -> dict[str, Any]:
        """What a backend's ``tokenize`` takes: ``prompt`` or ``messages``, and the two switches."""
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("give exactly one of prompt or messages")
        if self.prompt is not None:
            special = True if self.add_special_tokens is None else self.add_special_tokens
            return {"prompt": self.prompt, "add_special_tokens": special}
        messages = [{"role": m.role, "content": m.text()} for m in self.messages or []]
        return {
            "messages": messages,
            "add_generation_prompt": self.add_generation_prompt,
            "add_special_tokens": bool(self.add_special_tokens),
        }


class DetokenizeRequest(_Lenient):
    """``POST /detokenize`` (vLLM's shape)."""

    model: str | None = Field(default=None, description="Served model name (see /v1/models).")
    tokens: list[int] = Field(description="Token ids to turn back into text.")


class MCQARequest(_Lenient):
    """``POST /v1/mcqa``: one multiple-choice question, answered by ``n`` samples and a vote."""

    question: str = Field(min_length=1, description="The question stem.")
    options: AnswerOptions = Field(description="Option texts in letter order, or letter -> text.")
    context: str | None = Field(default=None, description="Supporting passage shown first.")
    n: int = Field(default=1, ge=1, strict=True, description="Samples; n > 1 is self-consistency voting.")
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, ge=1)
    seed: int | None = None
    prompt_style: str | None = Field(default=None, description="alphamed | think-answer | plain.")
    model: str | None = None


# ---------------------------------------------------------------- responses


class Answer(BaseModel):
    """The option a choice commits to (AlphaMed extension on every choice)."""

    letter: str | None = None
    text: str | None = None
    method: str | None = None


class CompletionTokensDetails(BaseModel):
    reasoning_tokens: int = 0


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    completion_tokens_details: CompletionTokensDetails = Field(default_factory=CompletionTokensDetails)


class ResponseMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # reasoning / reasoning_content per --reasoning-field

    role: Literal["assistant"] = "assistant"
    content: str | None = None


class ChatChoice(BaseModel):
    index: int
    message: ResponseMessage
    finish_reason: str | None = None
    logprobs: Any | None = None
    answer: Answer


class ChatCompletionResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage


class CompletionChoice(BaseModel):
    index: int
    text: str
    finish_reason: str | None = None
    logprobs: Any | None = None
    answer: Answer


class CompletionResponse(BaseModel):
    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: Usage


class MCQASample(BaseModel):
    reasoning: str
    content: str
    answer: Answer
    finish_reason: str | None = None


class MCQAResponse(BaseModel):
    id: str
    object: Literal["mcqa.result"] = "mcqa.result"
    model: str
    answer: str | None = Field(description="Majority letter; null on a tie or when every sample abstained.")
    answer_text: str | None = None
    votes: dict[str, int] = Field(description="Letter -> number of samples that chose it.")
    agreement: float = Field(description="Share of all n samples that chose `answer` (0 when null).")
    tied: list[str] = Field(default_factory=list, description="Letters sharing the top count on a tie.")
    abstained: int = Field(description="Samples that committed to no option.")
    samples: list[MCQASample]
    usage: Usage


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str
    root: str | None = None
    max_model_len: int | None = None


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorBody(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody
