"""Typed results of the client: a :class:`ModelAnswer` per question, a :class:`ResultRow` per scored line.

>>> ModelAnswer(letter="B", votes={"B": 1}, n=1).usage.total_tokens
0
>>> row = ResultRow(id="q1", gold="B", predicted="B", correct=True, model="m")
>>> ResultRow.model_validate_json(row.model_dump_json()).correct
True
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Usage(BaseModel):
    """Token counts reported by the server (zeros when it reports none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    @classmethod
    def from_any(cls, usage: Any) -> Usage:
        """Read an OpenAI ``usage`` object or dict; missing fields count as 0."""
        if usage is None:
            return cls()
        get = usage.get if isinstance(usage, dict) else lambda k, d=None: getattr(usage, k, d)
        prompt = int(get("prompt_tokens", 0) or 0)
        completion = int(get("completion_tokens", 0) or 0)
        total = int(get("total_tokens", 0) or 0) or prompt + completion
        return cls(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total)


class Sample(BaseModel):
    """One sampled completion and the letter extracted from it.

    Args:
        reasoning, content: the split of the output (the server's when it split, else the client's).
        output: the raw text the server sent (the message content).
        server_reasoning: the reasoning the server sent separately (None when it did not split).
        letter, text, method: what extraction found (None: the sample abstained).
        span: the text that decided the letter.
    """

    reasoning: str = ""
    content: str = ""
    output: str = ""
    server_reasoning: str | None = None
    letter: str | None = None
    text: str | None = None
    method: str | None = None
    span: str | None = None


class ModelAnswer(BaseModel):
    """What the model answered to one question (its samples and their vote).

    Args:
        letter: the chosen option letter (the majority vote when ``n > 1``), or None
            when the model committed to no single option.
        text: that option's text.
        reasoning: the reasoning trace of the first sample.
        content: the answer part of the first sample.
        votes: letter -> number of samples that chose it.
        agreement: share of samples that chose the top letter.
        method: how the letter was found in the first sample that chose it (``boxed``, ...).
        n: number of samples.
        samples: every sample.
        usage: token counts.
        latency: seconds from request to answer, retries included.
        via: ``mcqa`` (our server's endpoint) or ``chat`` (client-side prompt and extraction).
    """

    letter: str | None = None
    text: str | None = None
    reasoning: str = ""
    content: str = ""
    votes: dict[str, int] = Field(default_factory=dict)
    agreement: float = 0.0
    method: str | None = None
    n: int = 1
    samples: list[Sample] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    latency: float = 0.0
    via: Literal["mcqa", "chat"] = "chat"


class ResultRow(BaseModel):
    """One line of a results JSONL file: a scored question, or the error that stopped it.

    ``correct`` is None when the question has no gold letter or when ``error`` is set;
    an errored row is never counted as wrong, and is retried on the next resume. A scored row
    also keeps what is needed to audit and re-score it: the ``options`` and ``messages`` sent,
    the ``seed``, the raw ``output`` (with ``n > 1``: ``outputs``, ``letters`` and ``server_reasoning`` of
    every sample instead), its ``reasoning``/``content`` split and the ``span``
    the extractor read. In a permutation run ``id`` is ``<base_id>~p<j>``, ``options`` are as shown
    and ``gold``/``predicted`` are letters of the original order (``option_order``: the original
    letters in the order shown).
    """

    model_config = ConfigDict(extra="ignore")

    id: str
    source: str = "custom"
    subject: str | None = None
    difficulty: float | str | None = None
    gold: str | None = None
    predicted: str | None = None
    correct: bool | None = None
    method: str | None = None
    latency: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    n: int = 1
    votes: dict[str, int] = Field(default_factory=dict)
    agreement: float = 0.0
    model: str = ""
    error: str | None = None
    # the sample kept for audit and re-extraction (absent in files written before they were kept)
    seed: int | None = None
    options: dict[str, str] | None = None
    messages: list[dict[str, str]] | None = None
    output: str | None = None
    reasoning: str | None = None
    content: str | None = None
    span: str | None = None
    outputs: list[str] | None = None
    server_reasoning: list[str] | None = None
    letters: list[str | None] | None = None
    # option-permutation runs: the question's own id and the original letters in the order shown
    base_id: str | None = None
    option_order: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the question was answered (possibly with an abstention)."""
        return self.error is None
