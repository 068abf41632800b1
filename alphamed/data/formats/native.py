"""AlphaMed's own JSONL: one :class:`~alphamed.schema.Question` per line, as written by ``convert``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alphamed.data.errors import RecordErrors, describe_validation_error
from alphamed.data.formats.base import BankFormat, require_mapping
from alphamed.data.records import RawRecord, read_jsonl
from alphamed.schema import Question


def _answer_problem(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The answer-vs-options problem, checked on the raw record (pydantic skips it when options fail)."""
    answer, options = data.get("answer"), data.get("options")
    if not isinstance(answer, str) or not answer.strip() or not isinstance(options, Mapping):
        return None
    letters = [str(k).strip().upper() for k in options]
    if answer.strip().upper() in letters:
        return None
    return "answer", f"answer {answer.strip().upper()!r} is not one of the options ({', '.join(letters)})"


def convert(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question:
    """A native record is a Question already; validate it, reporting every bad field."""
    data = require_mapping(record)
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc)
        extra = _answer_problem(data)
        if extra and not any(field == "answer" for field, _ in problems):
            problems.append(extra)
        raise RecordErrors(problems) from None


FORMAT = BankFormat(
    name="alphamed",
    description="AlphaMed question JSONL (id, question, options, answer, source, subject, ...).",
    read=read_jsonl,
    convert=convert,
)
