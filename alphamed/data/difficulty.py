"""Keep questions whose difficulty, a pass rate in [0, 1], lies in a band.

The AlphaMed data analysis labels each question by the fraction of k samples a model gets
right; training on a band of pass rates (neither always solved nor never solved) is what
``alphamed data filter --min-pass/--max-pass`` selects.

>>> from alphamed.schema import Question
>>> qs = [Question(id=str(i), question="?", options={"A": "x", "B": "y"}, difficulty=p)
...       for i, p in enumerate([0.0, 0.5, 1.0])]
>>> [q.id for q in filter_by_pass_rate(qs, 0.1, 0.9)]
['1']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from alphamed.schema import Question


class MissingDifficultyError(ValueError):
    """A question has no numeric pass rate to filter on."""


def pass_rate(question: Question) -> float:
    """The question's difficulty as a pass rate in [0, 1], else :class:`MissingDifficultyError`."""
    value = question.difficulty
    if value is None:
        raise MissingDifficultyError(
            f"question {question.id!r} has no difficulty; label pass rates first (alphamed data difficulty)"
        )
    if isinstance(value, str) or isinstance(value, bool) or not 0.0 <= float(value) <= 1.0:
        raise MissingDifficultyError(f"question {question.id!r}: difficulty {value!r} is not a pass rate in [0, 1]")
    return float(value)


def filter_by_pass_rate(
    questions: Iterable[Question], min_pass: float = 0.0, max_pass: float = 1.0
) -> Iterator[Question]:
    """Questions with ``min_pass <= pass rate <= max_pass``, lazily; every question must have one.

    Raises:
        ValueError: the band is empty or outside [0, 1].
        MissingDifficultyError: a question lacks a numeric pass rate.
    """
    if not 0.0 <= min_pass <= max_pass <= 1.0:
        raise ValueError(f"need 0 <= min-pass <= max-pass <= 1, got {min_pass} and {max_pass}")
    for question in questions:
        if min_pass <= pass_rate(question) <= max_pass:
            yield question
