"""Streaming a question bank with per-line error reports, on the core's ``QuestionBank``.

A bad record (not JSON, missing field, an answer letter that is not among the options,
a duplicate id) becomes a :class:`BadLine` naming the file and line; the caller reports
it and goes on, so one bad line never stops or corrupts a 100k-question run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alphamed.schema import Question
from alphamed_client.errors import BankError


@dataclass(frozen=True)
class BadLine:
    """A line of a bank that could not be read as a question."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def iter_bank(path: str | Path, *, format: str | None = None, **options: Any) -> Iterator[Question | BadLine]:
    """Stream ``path`` as Questions and BadLines, in file order.

    Uses the core's :class:`alphamed.data.QuestionBank` (any public format, ``medical_only``
    subsets...) with bad records skipped and reported.

    Args:
        path: the bank file.
        format: a core format name (None: AlphaMed JSONL).
        **options: format options, e.g. ``medical_only=True``.

    Returns:
        An iterator; ids are unique (a repeated id is a BadLine).

    Raises:
        BankError: when the file cannot be read at all.
    """
    from alphamed.data import BankFormatError, QuestionBank

    if not Path(path).exists():
        raise BankError(f"cannot read question bank {path}: no such file")
    problems: list[Any] = []
    try:
        bank = QuestionBank(path, format=format, on_error="skip", errors=problems, **options)
        for question in bank:
            yield from _drain(problems)
            yield question
        yield from _drain(problems)
    except BankFormatError as exc:
        raise BankError(str(exc)) from None
    except ValueError as exc:  # unknown format or option
        raise BankError(str(exc)) from None


def _drain(problems: list[Any]) -> Iterator[BadLine]:
    for problem in problems:
        where = f"{problem.field}: {problem.message}" if problem.field else problem.message
        yield BadLine(problem.path, problem.line or 0, where)
    problems.clear()


def count_lines(path: str | Path) -> int:
    """Non-blank lines in ``path`` (fast, for a progress bar total)."""
    n = 0
    with Path(path).open("rb") as handle:
        for line in handle:
            if line.strip():
                n += 1
    return n
