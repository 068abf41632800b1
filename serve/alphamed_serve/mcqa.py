"""``/v1/mcqa``: one multiple-choice question in, the voted answer out.

``n`` samples are drawn with the question in the model's own prompt format; each sample's
answer is extracted from its answer part and the letters are counted. The majority letter
wins; a tie at the top or an all-abstain result gives ``answer: null`` (with ``tied`` /
``abstained`` saying why) rather than a guess.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from alphamed.prompts import build_messages, get_style
from alphamed.schema import Question
from alphamed_serve.api_models import MCQARequest
from alphamed_serve.backend import BackendError, GenerationRequest


@dataclass
class Vote:
    """Outcome of a majority vote over sample letters."""

    answer: str | None
    votes: dict[str, int]
    agreement: float
    tied: list[str] = field(default_factory=list)
    abstained: int = 0


def majority_vote(letters: list[str | None]) -> Vote:
    """Majority vote over extracted letters (None = the sample abstained).

    Args:
        letters: one entry per sample.

    Returns:
        The :class:`Vote`; ``answer`` is None on a tie at the top or when all abstained, and
        ``agreement`` is the winner's share of *all* samples (abstentions included).

    >>> majority_vote(["A", "B", "A", None]).answer, majority_vote(["A", "B", "A", None]).agreement
    ('A', 0.5)
    >>> v = majority_vote(["A", "B"]); (v.answer, v.tied)
    (None, ['A', 'B'])
    >>> majority_vote([None, None]).abstained
    2
    """
    counts = Counter(x for x in letters if x)
    votes = dict(sorted(counts.items()))
    abstained = sum(1 for x in letters if not x)
    if not counts:
        return Vote(None, votes, 0.0, [], abstained)
    top = max(counts.values())
    leaders = sorted(k for k, v in counts.items() if v == top)
    if len(leaders) > 1:
        return Vote(None, votes, 0.0, leaders, abstained)
    return Vote(leaders[0], votes, top / len(letters), [], abstained)


def build_question(req: MCQARequest) -> Question:
    """The request as a :class:`Question` (raises a 400 naming ``options`` when they are invalid)."""
    try:
        if isinstance(req.options, dict):
            return Question(id="mcqa", question=req.question, options=req.options, context=req.context)
        return Question.from_options_list(id="mcqa", question=req.question, options=req.options,
                                          context=req.context)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        param, msg = _first_error(exc)
        raise BackendError(f"invalid {param}: {msg}", param=param, code="invalid_value") from None


def _first_error(exc: ValueError) -> tuple[str, str]:
    """``(field, message)`` of the first validation error, defaulting to ``options``."""
    errors = getattr(exc, "errors", None)
    items = errors() if callable(errors) else []
    if not items:
        return "options", str(exc)
    loc = items[0].get("loc") or ("options",)
    field_name = str(loc[0]) if loc[0] in ("question", "context", "options") else "options"
    return field_name, str(items[0].get("msg", exc))


def to_generation_request(req: MCQARequest, question: Question,
                          default_style: str = "alphamed") -> GenerationRequest:
    """The chat request that samples ``req.n`` answers in the chosen prompt style."""
    try:
        style = get_style(req.prompt_style or default_style)
    except (KeyError, ValueError) as exc:
        raise BackendError(str(exc), param="prompt_style",
                           code="invalid_value") from None
    return GenerationRequest(
        messages=build_messages(question, style),
        n=req.n,
        max_tokens=req.max_tokens,
        temperature=req.temperature,
        top_p=req.top_p,
        seed=req.seed,
    )


def mcqa_body(question: Question, samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The vote part of the response from post-processed samples."""
    vote = majority_vote([s["answer"]["letter"] for s in samples])
    return {
        "answer": vote.answer,
        "answer_text": question.options.get(vote.answer) if vote.answer else None,
        "votes": vote.votes,
        "agreement": vote.agreement,
        "tied": vote.tied,
        "abstained": vote.abstained,
        "samples": samples,
    }
