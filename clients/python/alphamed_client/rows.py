"""Result rows: what is written for each question asked, answered or failed.

A row keeps the audit trail of its question (see :class:`~alphamed_client.models.ResultRow`):
the options and messages sent, the seed, every raw output and the split and span that decided
the letter, so a wrong answer can be read end to end and a results file re-scored offline.
"""

from __future__ import annotations

from dataclasses import dataclass

from alphamed.prompts import build_messages
from alphamed.schema import Question
from alphamed_client.models import ModelAnswer, ResultRow, Sample
from alphamed_client.permute import to_original

MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class AskedQuestion:
    """One request's question: as shown to the model, the original, and how it was asked.

    Args:
        shown: the question sent (options possibly rotated; its id is the row id).
        original: the question of the bank.
        order: the original letters in the order shown (None: the original order).
        seed: the sampling seed sent.
    """

    shown: Question
    original: Question
    order: str | None = None
    seed: int | None = None


def _chosen(answer: ModelAnswer) -> Sample:
    """The sample the row shows: the first that chose the voted letter, else the first."""
    picked = next((s for s in answer.samples if answer.letter and s.letter == answer.letter), None)
    return picked or (answer.samples[0] if answer.samples else Sample())


def _base(asked: AskedQuestion, model: str) -> dict:
    q = asked.original
    return {
        "id": asked.shown.id,
        "source": q.source,
        "subject": q.subject,
        "difficulty": q.difficulty,
        "gold": q.answer,
        "model": model,
        "seed": asked.seed,
        "base_id": q.id if asked.order else None,
        "option_order": asked.order,
    }


def row_from_model_answer(asked: AskedQuestion, answer: ModelAnswer, model: str, prompt_style: str) -> ResultRow:
    """The result row of an answered question (letters in the original order)."""
    predicted = to_original(answer.letter, asked.order)
    gold = asked.original.answer
    votes: dict[str, int] = {}
    for letter, count in answer.votes.items():
        key = to_original(letter, asked.order) or letter
        votes[key] = votes.get(key, 0) + count
    shown = _chosen(answer)
    samples = answer.samples
    several = len(samples) > 1
    split_by_server = any(s.server_reasoning for s in samples)
    return ResultRow(
        **_base(asked, model),
        predicted=predicted,
        correct=None if gold is None else predicted == gold,
        method=answer.method,
        latency=round(answer.latency, 4),
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        n=answer.n,
        votes=dict(sorted(votes.items())),
        agreement=round(answer.agreement, 4),
        options=dict(asked.shown.options),
        messages=build_messages(asked.shown, prompt_style),
        output=None if several else shown.output,
        reasoning=shown.reasoning,
        content=shown.content,
        span=shown.span,
        outputs=[s.output for s in samples] if several else None,
        server_reasoning=[s.server_reasoning or "" for s in samples] if split_by_server else None,
        letters=[to_original(s.letter, asked.order) for s in samples] if several else None,
    )


def row_from_error(asked: AskedQuestion, error: BaseException, model: str, n: int, latency: float) -> ResultRow:
    """The result row of a question that failed after all retries."""
    from alphamed_client.connection_failures import connection_cause

    cause = connection_cause(error)  # "Request timed out." can hide a refused connection
    text = f"{error} ({cause})" if cause else str(error)
    message = f"{type(error).__name__}: {text}".replace("\n", " ")[:MAX_ERROR_CHARS]
    return ResultRow(**_base(asked, model), n=n, latency=round(latency, 4), error=message)
