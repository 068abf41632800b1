"""Self-consistency: the majority vote over the letters extracted from sampled answers.

One rule for everyone (``alphamed serve``'s ``/v1/mcqa``, the client's client-side vote,
evaluation): abstentions (None) cast no vote; a tie for the most votes, or no vote at all,
gives no answer (None) instead of a guess.

>>> majority_vote(["B", "B", "C", None]).letter
'B'
>>> majority_vote(["B", "C"]).letter is None
True
>>> majority_vote([None, None]).votes
{}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Vote:
    """The outcome of a vote.

    Args:
        letter: the unique most-voted letter, or None (tie or all abstained).
        votes: letter -> count, letters in alphabetical order.
        agreement: share of all samples (abstentions included) that chose ``letter``; 0.0 when
            ``letter`` is None.
        tied: the letters tied at the top (empty unless there is a tie).
        abstained: samples that committed to no letter.
    """

    letter: str | None
    votes: dict[str, int]
    agreement: float
    tied: list[str] = field(default_factory=list)
    abstained: int = 0


def majority_vote(letters: Sequence[str | None]) -> Vote:
    """Majority vote over ``letters`` (one per sample, None or "" for an abstention).

    Args:
        letters: the extracted letter of each sample.

    Returns:
        A :class:`Vote`; ``agreement`` is the winner's share of *all* samples, 0.0 when there is
        no winner or no sample.

    >>> v = majority_vote(["A", "B", "A", None]); (v.letter, v.agreement, v.abstained)
    ('A', 0.5, 1)
    >>> v = majority_vote(["A", "B"]); (v.letter, v.tied)
    (None, ['A', 'B'])
    >>> majority_vote([]).agreement
    0.0
    """
    counts = Counter(letter for letter in letters if letter)
    votes = dict(sorted(counts.items()))
    abstained = sum(1 for letter in letters if not letter)
    if not counts:
        return Vote(None, votes, 0.0, [], abstained)
    top = max(counts.values())
    leaders = sorted(k for k, v in counts.items() if v == top)
    if len(leaders) > 1:
        return Vote(None, votes, 0.0, leaders, abstained)
    return Vote(leaders[0], votes, top / len(letters), [], abstained)
