"""Split a bank into parts of exact sizes (e.g. train/test), reproducibly and in two streaming passes.

>>> split_sizes([0.9, 0.1], 25)
[23, 2]
>>> default_split_names(3)
['train', 'val', 'test']
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from alphamed.data.bank import QuestionBank
from alphamed.data.mixing import shares
from alphamed.data.writer import atomic_output, question_line


def parse_ratios(text: str) -> list[float]:
    """``"0.9,0.1"`` -> ``[0.9, 0.1]``; ratios must be positive and sum to 1.

    >>> parse_ratios("0.8, 0.1, 0.1")
    [0.8, 0.1, 0.1]
    """
    try:
        ratios = [float(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(f"ratios {text!r}: expected comma-separated numbers like 0.9,0.1") from None
    if len(ratios) < 2 or any(r <= 0 for r in ratios):
        raise ValueError(f"ratios {text!r}: need at least two positive numbers")
    if abs(sum(ratios) - 1.0) > 1e-6:
        raise ValueError(f"ratios {text!r} sum to {sum(ratios):g}, not 1")
    return ratios


def split_sizes(ratios: Sequence[float], n: int) -> list[int]:
    """Exact part sizes for ``n`` questions (largest remainder)."""
    return shares(ratios, n)


def default_split_names(parts: int) -> list[str]:
    """``train,test`` / ``train,val,test`` / ``part0..``."""
    if parts == 2:
        return ["train", "test"]
    if parts == 3:
        return ["train", "val", "test"]
    return [f"part{i}" for i in range(parts)]


def split_bank(
    path: str | PathLike[str],
    ratios: Sequence[float],
    prefix: str | PathLike[str],
    *,
    seed: int = 0,
    names: Sequence[str] | None = None,
    format: str | None = None,
) -> dict[Path, int]:
    """Write ``PREFIX-NAME.jsonl`` for each part; a question goes to one part, chosen from ``seed``.

    Args:
        path: the bank.
        ratios: part proportions, summing to 1.
        prefix: output path prefix (``out/medqa`` -> ``out/medqa-train.jsonl``...).
        seed: the same seed and bank give the same parts.
        names: part names (default :func:`default_split_names`).
        format: the bank's format (None: AlphaMed JSONL).

    Returns:
        Output file -> number of questions, in part order. All files appear together or none.
    """
    names = list(names) if names else default_split_names(len(ratios))
    if len(names) != len(ratios) or len(set(names)) != len(names):
        raise ValueError(f"need {len(ratios)} distinct part names, got {', '.join(names)}")
    n = sum(1 for _ in QuestionBank(path, format=format))  # pass 1: count (and validate)
    order = list(range(n))
    random.Random(f"split:{seed}").shuffle(order)
    part_of = bytearray(n)
    start = 0
    for part, size in enumerate(split_sizes(ratios, n)):
        for idx in order[start : start + size]:
            part_of[idx] = part
        start += size
    del order
    outputs = [Path(f"{prefix}-{name}.jsonl") for name in names]
    counts = [0] * len(outputs)
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(atomic_output(p)) for p in outputs]
        for idx, question in enumerate(QuestionBank(path, format=format)):  # pass 2: write
            handles[part_of[idx]].write(question_line(question))
            counts[part_of[idx]] += 1
    return dict(zip(outputs, counts))
