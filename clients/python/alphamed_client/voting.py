"""Self-consistency: the majority vote over sampled answers.

The same rules as ``alphamed serve``'s ``/v1/mcqa``: abstentions (None) cast no vote; a tie
for the most votes, or no vote at all, gives no answer (None) instead of a guess.

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
from dataclasses import dataclass


@dataclass(frozen=True)
class Vote:
    """The outcome of a vote.

    Args:
        letter: the unique most-voted letter, or None (tie or all abstained).
        votes: letter -> count, letters in alphabetical order.
        agreement: share of all samples (abstentions included) that chose ``letter``; 0.0 when
            ``letter`` is None (the rule of ``alphamed serve``).
    """

    letter: str | None
    votes: dict[str, int]
    agreement: float


def majority_vote(letters: Sequence[str | None]) -> Vote:
    """Majority vote over ``letters`` (one per sample, None for an abstention).

    Args:
        letters: the extracted letter of each sample.

    Returns:
        A :class:`Vote`; ``agreement`` is 0.0 when there are no samples.
    """
    counts = Counter(letter for letter in letters if letter is not None)
    votes = dict(sorted(counts.items()))
    if not counts:
        return Vote(None, votes, 0.0)
    ranked = counts.most_common()
    top = ranked[0][1]
    if len(ranked) > 1 and ranked[1][1] == top:
        return Vote(None, votes, 0.0)
    return Vote(ranked[0][0], votes, top / len(letters))
