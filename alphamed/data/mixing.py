"""Mix banks by weight into one bank of a given size, reproducibly.

Each source gives ``round(size * weight / total)`` questions (largest remainders fix the sum),
drawn without replacement by reservoir sampling, so memory holds only the chosen questions.

>>> shares([0.5, 0.5], 5)
[3, 2]
>>> shares([3, 1], 8)
[6, 2]
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TypeVar

from alphamed.data.bank import QuestionBank
from alphamed.schema import Question

T = TypeVar("T")


@dataclass(frozen=True)
class MixSource:
    """A bank and its weight in a mix."""

    path: str | PathLike[str]
    weight: float
    format: str | None = None


def parse_source(spec: str) -> MixSource:
    """``PATH:WEIGHT`` (weight defaults to 1).

    >>> parse_source("a.jsonl:0.25")
    MixSource(path='a.jsonl', weight=0.25, format=None)
    >>> parse_source("b.jsonl").weight
    1.0
    """
    path, sep, weight = spec.rpartition(":")
    if not sep or not path:
        return MixSource(spec, 1.0)
    try:
        value = float(weight)
    except ValueError:
        raise ValueError(f"{spec!r}: weight {weight!r} is not a number (expected PATH:WEIGHT)") from None
    if not value > 0:
        raise ValueError(f"{spec!r}: weight must be > 0")
    return MixSource(path, value)


def shares(weights: Sequence[float], size: int) -> list[int]:
    """Split ``size`` in proportion to ``weights`` (largest remainder; ties go to earlier sources)."""
    if size < 0:
        raise ValueError("size must be >= 0")
    total = float(sum(weights))
    if not weights or total <= 0 or any(w <= 0 for w in weights):
        raise ValueError("weights must be positive")
    exact = [size * w / total for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: size - sum(counts)]:
        counts[i] += 1
    return counts


def reservoir_sample(items: Iterable[T], k: int, rng: random.Random) -> tuple[list[T], int]:
    """``k`` items chosen uniformly without replacement in one pass (Algorithm R), in input order.

    Returns:
        (the sample, how many items were seen).

    >>> reservoir_sample(range(10), 3, random.Random(0))[1]
    10
    """
    reservoir: list[tuple[int, T]] = []
    seen = 0
    for seen, item in enumerate(items, 1):
        if len(reservoir) < k:
            reservoir.append((seen, item))
        else:
            j = rng.randrange(seen)
            if j < k:
                reservoir[j] = (seen, item)
    return [item for _, item in sorted(reservoir, key=lambda pair: pair[0])], seen


def mix_banks(sources: Sequence[MixSource], size: int, seed: int = 0) -> list[Question]:
    """Draw ``size`` questions from ``sources`` by weight, then shuffle them, all from ``seed``.

    Raises:
        ValueError: a source has fewer questions than its share, or two sources share an id.
    """
    counts = shares([s.weight for s in sources], size)
    mixed: list[Question] = []
    owner: dict[str, str] = {}
    for i, (source, k) in enumerate(zip(sources, counts)):
        rng = random.Random(f"mix:{seed}:{i}")
        picked, available = reservoir_sample(QuestionBank(source.path, format=source.format), k, rng)
        if available < k:
            raise ValueError(f"{source.path}: has {available} questions, its share of the mix is {k}")
        for q in picked:
            if q.id in owner:
                raise ValueError(f"id {q.id!r} is in both {owner[q.id]} and {source.path}; ids must be unique")
            owner[q.id] = str(source.path)
        mixed.extend(picked)
    random.Random(f"mix:{seed}:order").shuffle(mixed)
    return mixed
