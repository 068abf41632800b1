"""Metrics people publish besides accuracy: pass@k and maj@k over sampled answers, and option-permutation
consistency.

pass@k is the unbiased estimator of Chen et al. (2021): with ``n`` samples of which ``c`` are right,
``1 - C(n - c, k) / C(n, k)``; maj@k is the majority vote (our rules: a tie or no vote is wrong) over
the first ``k`` samples.

>>> round(pass_at_k(4, 1, 1), 4), round(pass_at_k(4, 1, 2), 4), pass_at_k(4, 0, 4), pass_at_k(4, 4, 1)
(0.25, 0.5, 0.0, 1.0)
"""

from __future__ import annotations

import math
from collections import defaultdict

from pydantic import BaseModel, Field

from alphamed.voting import majority_vote
from alphamed_client.models import ResultRow
from alphamed_client.permute import SEPARATOR


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of ``k`` of the ``n`` samples (``c`` right) is right."""
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def ks_for(n: int) -> list[int]:
    """The k reported for ``n`` samples: 1, 2, 4, ... below n, and n.

    >>> ks_for(1), ks_for(5), ks_for(8)
    ([1], [1, 2, 4, 5], [1, 2, 4, 8])
    """
    ks = [1 << i for i in range(n.bit_length()) if 1 << i < n]
    return ks + [n]


class PermutationStats(BaseModel):
    """What asking each question in several option orders showed."""

    questions: int = 0
    orders: int = 0
    accuracy_by_order: list[float] = Field(default_factory=list)
    accuracy: float = Field(0.0, description="accuracy averaged over the orders")
    consistency: float = Field(0.0, description="share of questions given the same (non-null) answer in every order")


class Metrics(BaseModel):
    """pass@k / maj@k (when rows have several samples) and permutation consistency (permutation runs)."""

    pass_at_k: dict[int, float] = Field(default_factory=dict)
    maj_at_k: dict[int, float] = Field(default_factory=dict)
    sampled_questions: int = 0
    permutations: PermutationStats | None = None


class MetricsTally:
    """Streams rows into :class:`Metrics` (one row per id, scored rows with a gold letter)."""

    def __init__(self) -> None:
        self.pass_sums: dict[int, float] = defaultdict(float)
        self.maj_sums: dict[int, float] = defaultdict(float)
        self.counts: dict[int, int] = defaultdict(int)
        self.sampled = 0
        self.without_outputs = 0
        self.by_question: dict[str, list[str | None]] = defaultdict(list)
        self.order_tallies: dict[int, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, row: ResultRow) -> None:
        if row.error is not None or row.gold is None:
            return
        if row.letters and len(row.letters) > 1:
            self._add_samples(row.letters, row.gold)
        if row.base_id is not None:
            self.by_question[row.base_id].append(row.predicted)
            order = int(row.id.rsplit(SEPARATOR, 1)[-1]) if SEPARATOR in row.id else 0
            tally = self.order_tallies[order]
            tally[0] += bool(row.correct)
            tally[1] += 1

    def _add_samples(self, letters: list[str | None], gold: str) -> None:
        n, c = len(letters), sum(letter == gold for letter in letters)
        self.sampled += 1
        for k in ks_for(n):
            self.pass_sums[k] += pass_at_k(n, c, k)
            self.maj_sums[k] += majority_vote(letters[:k]).letter == gold
            self.counts[k] += 1

    def result(self) -> Metrics:
        metrics = Metrics(
            pass_at_k={k: self.pass_sums[k] / self.counts[k] for k in sorted(self.counts)},
            maj_at_k={k: self.maj_sums[k] / self.counts[k] for k in sorted(self.counts)},
            sampled_questions=self.sampled,
        )
        if self.by_question:
            by_order = [right / total for _, (right, total) in sorted(self.order_tallies.items())]
            consistent = sum(len(set(p)) == 1 and p[0] is not None for p in self.by_question.values())
            metrics.permutations = PermutationStats(
                questions=len(self.by_question),
                orders=len(by_order),
                accuracy_by_order=by_order,
                accuracy=sum(by_order) / len(by_order),
                consistency=consistent / len(self.by_question),
            )
        return metrics
