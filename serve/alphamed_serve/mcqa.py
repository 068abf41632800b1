"""``/v1/mcqa``: one multiple-choice question in, the voted answer out.

``n`` samples are drawn with the question in the model's own prompt format; each sample's
answer is extracted from its answer part and the letters are counted. The majority letter
wins; a tie at the top or an all-abstain result gives ``answer: null`` (with ``tied`` /
``abstained`` saying why) rather than a guess.
"""

from __future__ import annotations

from typing import Any

from alphamed.prompts import build_messages, get_style
from alphamed.schema import Question
from alphamed.voting import majority_vote
from alphamed_serve.api_models import MCQARequest
from alphamed_serve.backend import BackendError, GenerationRequest


def build_question(req: MCQARequest) -> Question:
    """The request as a :class:`Question` (raises a 400 naming ``options`` when they are invalid)."""
    try:
        if isinstance(req.options, dict):
            return Question(id="mcqa", question=req.question, options=req.options, context=req.context)
        return Question.from_options_list(id="mcqa", question=req.question, options=req.options, context=req.context)
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


def to_generation_request(req: MCQARequest, question: Question, default_style: str = "alphamed") -> GenerationRequest:
    """The chat request that samples ``req.n`` answers in the chosen prompt style."""
    try:
        style = get_style(req.prompt_style or default_style)
    except (KeyError, ValueError) as exc:
        raise BackendError(str(exc), param="prompt_style", code="invalid_value") from None
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
        "answer": vote.letter,
        "answer_text": question.options.get(vote.letter) if vote.letter else None,
        "votes": vote.votes,
        "agreement": vote.agreement,
        "tied": vote.tied,
        "abstained": vote.abstained,
        "samples": samples,
    }
