"""Requests and answers on the wire: ``/v1/mcqa`` (our server) and chat completions (any server).

Against a plain OpenAI-compatible server the client builds the prompt with
:func:`alphamed.prompts.build_messages` and extracts the answer with
:func:`alphamed.extract.extract_answer`, exactly as ``alphamed serve`` does server-side,
so scores are comparable whichever server produced them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from alphamed.extract import extract_answer
from alphamed.prompts import build_messages
from alphamed.reasoning import answer_region, split_reasoning
from alphamed.schema import Question
from alphamed.voting import majority_vote
from alphamed_client.models import ModelAnswer, Sample, Usage

DEFAULT_SAMPLING_TEMPERATURE = 0.7


def as_question(
    question: Question | str, options: Sequence[str] | Mapping[str, str] | None = None, context: str | None = None
) -> Question:
    """A :class:`Question` from a Question, or from a stem plus options.

    Args:
        question: a Question, or the question text.
        options: option texts in order, or letter -> text (required with a text question).
        context: supporting passage (PubMedQA).

    Returns:
        The Question (validated: 2..26 options, letters from A).

    >>> as_question("Which?", ["yes", "no"]).options
    {'A': 'yes', 'B': 'no'}
    """
    if isinstance(question, Question):
        return question
    if options is None:
        raise ValueError("options are required when the question is given as text")
    opts = dict(options) if isinstance(options, Mapping) else dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", options))
    return Question(id="q", question=question, options=opts, context=context)


def resolve_temperature(temperature: float | None, n: int) -> float:
    """``temperature``, or the default: greedy for one sample, 0.7 for a vote.

    >>> resolve_temperature(None, 1), resolve_temperature(None, 5), resolve_temperature(0.2, 5)
    (0.0, 0.7, 0.2)
    """
    if temperature is not None:
        return float(temperature)
    return 0.0 if n == 1 else DEFAULT_SAMPLING_TEMPERATURE


def _sampling(n: int, temperature: float | None, max_tokens: int | None, seed: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {"n": n, "temperature": resolve_temperature(temperature, n)}
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    if seed is not None:
        params["seed"] = seed
    return params


def chat_params(
    question: Question,
    *,
    model: str,
    prompt_style: str,
    n: int,
    temperature: float | None,
    max_tokens: int | None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Keyword arguments for ``chat.completions.create`` asking ``question``."""
    return {
        "model": model,
        "messages": build_messages(question, prompt_style),
        **_sampling(n, temperature, max_tokens, seed),
    }


def mcqa_body(
    question: Question,
    *,
    model: str,
    prompt_style: str,
    n: int,
    temperature: float | None,
    max_tokens: int | None,
    seed: int | None = None,
) -> dict[str, Any]:
    """The JSON body of a ``POST /v1/mcqa`` asking ``question``."""
    body: dict[str, Any] = {
        "question": question.question,
        "options": question.options,
        "model": model,
        "prompt_style": prompt_style,
        **_sampling(n, temperature, max_tokens, seed),
    }
    if question.context:
        body["context"] = question.context
    return body


def message_split(message: Mapping[str, Any]) -> tuple[str, str, str]:
    """(reasoning, content, answer region) of a chat message.

    Reasoning and content: the server's split when it made one, else
    ``split_reasoning(text, untagged="reasoning")`` (as ``alphamed serve`` splits by default).
    The answer region (what extraction reads) is always the core's
    :func:`alphamed.reasoning.answer_region`, the one definition rewards and the server use too
    (an engine that put a free-text answer in its reasoning does not lose it).

    >>> message_split({"content": "B12 is low.\\nThe final answer is: C"})
    ('B12 is low.', 'The final answer is: C', 'The final answer is: C')
    >>> message_split({"content": "Answer: C"}), message_split({"content": "<think>hmm"})
    (('Answer: C', '', 'Answer: C'), ('hmm', '', ''))
    >>> message_split({"content": None, "reasoning": "B12 is low. The final answer is: C"})[2]
    'The final answer is: C'
    """
    text = message.get("content") or ""
    reasoning = message.get("reasoning") or message.get("reasoning_content")
    if reasoning:
        return str(reasoning), text, answer_region(text, reasoning=str(reasoning))
    return (*split_reasoning(text, untagged="reasoning"), answer_region(text))


def sample_from_text(reasoning: str, content: str, options: Mapping[str, str], region: str | None = None) -> Sample:
    """A :class:`Sample` with the letter the core extractor finds in ``region`` (default: ``content``)."""
    text = content if region is None else region
    found = extract_answer(text, options)
    if found is None:
        return Sample(reasoning=reasoning, content=content)
    return Sample(
        reasoning=reasoning,
        content=content,
        letter=found.letter,
        text=found.text,
        method=found.method,
        span=text[found.span[0] : found.span[1]],
    )


def sample_from_message(message: Mapping[str, Any], options: Mapping[str, str]) -> Sample:
    """The :class:`Sample` of one chat message: split, extracted, raw output kept (for audit and
    re-extraction: the same call on a stored message gives the same sample)."""
    reasoning, content, region = message_split(message)
    sample = sample_from_text(reasoning, content, options, region=region)
    server_reasoning = message.get("reasoning") or message.get("reasoning_content")
    return sample.model_copy(
        update={
            "output": str(message.get("content") or ""),
            "server_reasoning": str(server_reasoning) if server_reasoning else None,
        }
    )


def combine(samples: list[Sample], question: Question, usage: Usage, latency: float, via: str) -> ModelAnswer:
    """An :class:`ModelAnswer` from samples: majority vote, method and texts of the chosen sample."""
    vote = majority_vote([s.letter for s in samples])
    chosen = next((s for s in samples if vote.letter and s.letter == vote.letter), None)
    first = samples[0] if samples else Sample()
    shown = chosen or first
    return ModelAnswer(
        letter=vote.letter,
        text=question.options.get(vote.letter) if vote.letter else None,
        reasoning=shown.reasoning,
        content=shown.content,
        votes=vote.votes,
        agreement=vote.agreement,
        method=chosen.method if chosen else None,
        n=len(samples),
        samples=samples,
        usage=usage,
        latency=latency,
        via=via,
    )


def model_answer_from_chat(completion: Mapping[str, Any], question: Question, latency: float) -> ModelAnswer:
    """An :class:`ModelAnswer` from a chat completion's JSON (one choice per sample)."""
    choices = completion.get("choices") if isinstance(completion, Mapping) else None
    if not choices:
        raise ValueError("malformed chat completion: no choices")
    samples = [sample_from_message(c.get("message") or {}, question.options) for c in choices]
    return combine(samples, question, Usage.from_any(completion.get("usage")), latency, "chat")


def model_answer_from_mcqa(payload: Mapping[str, Any], question: Question, latency: float) -> ModelAnswer:
    """An :class:`ModelAnswer` from our server's ``/v1/mcqa`` response (its vote is kept as is)."""
    if not isinstance(payload, Mapping) or "samples" not in payload:
        raise ValueError("malformed /v1/mcqa response: no samples")
    samples = []
    for s in payload.get("samples") or []:
        extraction = s.get("answer") or {}
        samples.append(
            Sample(
                reasoning=s.get("reasoning") or "",
                content=s.get("content") or "",
                output=s.get("content") or "",
                server_reasoning=s.get("reasoning") or None,
                letter=extraction.get("letter"),
                text=extraction.get("text"),
                method=extraction.get("method"),
            )
        )
    letter = payload.get("answer")
    if letter is not None and letter not in question.options:
        raise ValueError(f"/v1/mcqa answered {letter!r}, not one of the options")
    chosen = next((s for s in samples if letter and s.letter == letter), None)
    shown = chosen or (samples[0] if samples else Sample())
    return ModelAnswer(
        letter=letter,
        text=payload.get("answer_text") or question.options.get(letter or ""),
        reasoning=shown.reasoning,
        content=shown.content,
        votes={k: int(v) for k, v in (payload.get("votes") or {}).items()},
        agreement=float(payload.get("agreement") or 0.0),
        method=chosen.method if chosen else None,
        n=len(samples) or 1,
        samples=samples,
        usage=Usage.from_any(payload.get("usage")),
        latency=latency,
        via="mcqa",
    )
