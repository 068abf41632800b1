"""Streaming a question bank with per-line error reports.

A bad line (not JSON, missing field, an answer letter that is not among the options,
a duplicate id) becomes a :class:`BadLine` naming the file and line; the caller reports
it and goes on, so one bad line never stops or corrupts a 100k-question run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

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


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        field = ".".join(str(p) for p in err.get("loc", ()))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{field}: {message}" if field else message)
    return "; ".join(parts)


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
    try:
        from alphamed.data import BankFormatError, QuestionBank
    except ImportError:  # a core without alphamed.data: AlphaMed JSONL only
        if format not in (None, "alphamed") or options:
            raise BankError(f"reading {format!r} banks needs a newer alphamed core (alphamed.data)") from None
        yield from _iter_jsonl(Path(path))
        return
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


def _iter_jsonl(path: Path) -> Iterator[Question | BadLine]:
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise BankError(f"cannot read question bank {path}: {exc.strerror or exc}") from exc
    seen: dict[str, int] = {}
    with handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            item = _parse_line(str(path), lineno, line)
            if isinstance(item, Question):
                first = seen.setdefault(item.id, lineno)
                if first != lineno:
                    item = BadLine(str(path), lineno, f"duplicate id {item.id!r} (first at line {first})")
            yield item


def _parse_line(path: str, lineno: int, line: str) -> Question | BadLine:
    try:
        record = json.loads(line)
    except ValueError as exc:
        return BadLine(path, lineno, f"not valid JSON ({exc.msg})")
    if not isinstance(record, dict):
        return BadLine(path, lineno, "expected a JSON object")
    try:
        return Question.model_validate(record)
    except ValidationError as exc:
        return BadLine(path, lineno, _validation_message(exc))


def count_lines(path: str | Path) -> int:
    """Non-blank lines in ``path`` (fast, for a progress bar total)."""
    n = 0
    with Path(path).open("rb") as handle:
        for line in handle:
            if line.strip():
                n += 1
    return n
