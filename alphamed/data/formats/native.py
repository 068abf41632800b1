"""AlphaMed's own JSONL: one :class:`~alphamed.schema.Question` per line, as written by ``convert``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alphamed.data.formats.base import BankFormat, require_mapping
from alphamed.data.records import RawRecord, read_jsonl
from alphamed.schema import Question


def convert(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question:
    """A native record is a Question already; validate it."""
    return Question.model_validate(require_mapping(record))


FORMAT = BankFormat(
    name="alphamed",
    description="AlphaMed question JSONL (id, question, options, answer, source, subject, ...).",
    read=read_jsonl,
    convert=convert,
)
