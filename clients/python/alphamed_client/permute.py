"""Option-permutation runs: ask each question with its options in K cyclic orders.

Order ``j`` shows the original options rotated by ``j`` (the first shown option is the
original's ``j``-th), so over K = number of options every original option appears once in
every position: a model that always answers "A" is right exactly once in K orders (chance)
and never consistent. Letters in result rows stay those of the original order.

>>> from alphamed.schema import Question
>>> q = Question(id="q1", question="?", options={"A": "a", "B": "b", "C": "c"}, answer="A")
>>> shown, order = permuted(q, 1)
>>> shown.id, order, shown.options, shown.answer
('q1~p1', 'BCA', {'A': 'b', 'B': 'c', 'C': 'a'}, 'C')
>>> to_original("C", order)
'A'
"""

from __future__ import annotations

from alphamed.schema import Question

SEPARATOR = "~p"


def orders(question: Question, count: int) -> int:
    """How many orders ``question`` is asked in: ``count``, at most its number of options."""
    return max(1, min(count, len(question.options)))


def permuted(question: Question, j: int) -> tuple[Question, str]:
    """``question`` with its options rotated by ``j``; and the original letters in the order shown."""
    letters = list(question.options)
    order = "".join(letters[(i + j) % len(letters)] for i in range(len(letters)))
    options = {new: question.options[old] for new, old in zip(letters, order)}
    answer = None if question.answer is None else letters[order.index(question.answer)]
    shown = question.model_copy(update={"id": f"{question.id}{SEPARATOR}{j}", "options": options, "answer": answer})
    return shown, order


def to_original(letter: str | None, order: str | None) -> str | None:
    """A letter of the shown order, as a letter of the original order."""
    if letter is None or not order:
        return letter
    index = ord(letter) - ord("A")
    return order[index] if 0 <= index < len(order) else None
