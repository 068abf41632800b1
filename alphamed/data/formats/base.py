"""What a bank format is: a reader of raw records plus a converter to :class:`Question`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alphamed.data.errors import BankError, FieldError
from alphamed.data.records import RawRecord
from alphamed.schema import Question

Reader = Callable[[Path], Iterator[RawRecord | BankError]]
Converter = Callable[[RawRecord, Path, Mapping[str, Any]], "Question | None"]
Preparer = Callable[[Path, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class BankFormat:
    """A named bank format.

    Args:
        name: registry name (``medqa``, ``medmcqa``...).
        description: one line for ``--help``.
        read: yields raw records (or errors) from a file, lazily.
        convert: raw record -> :class:`Question`, or None to leave the record out (a subset
            filter); raises :class:`FieldError` or pydantic's ``ValidationError`` on bad input.
        options: option name -> default value accepted by this format.
        prepare: optional hook that sees the file once before conversion (e.g. to detect a
            numbering convention) and returns the final options.
    """

    name: str
    description: str
    read: Reader
    convert: Converter
    options: Mapping[str, Any] = field(default_factory=dict)
    prepare: Preparer | None = None

    def resolve_options(self, path: Path, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``given``; unknown names raise ``ValueError``."""
        unknown = sorted(set(given) - set(self.options))
        if unknown:
            allowed = ", ".join(sorted(self.options)) or "none"
            raise ValueError(
                f"format {self.name!r} does not take option(s) {', '.join(unknown)} (it takes: {allowed})"
            )
        opts = {**self.options, **given}
        return self.prepare(path, opts) if self.prepare else opts


def require_text(data: Mapping[str, Any], key: str) -> str:
    """``data[key]`` as a non-blank string, else :class:`FieldError` naming ``key``.

    >>> require_text({"q": " hi "}, "q")
    'hi'
    """
    if key not in data or data[key] is None:
        raise FieldError(key, "is missing")
    value = data[key]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FieldError(key, f"expected text, got {type(value).__name__}")
    if not value.strip():
        raise FieldError(key, "is empty")
    return value.strip()


def optional_text(data: Mapping[str, Any], key: str) -> str | None:
    """``data[key]`` stripped, or None when missing/blank."""
    value = data.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def require_mapping(record: RawRecord) -> Mapping[str, Any]:
    """The record's data as a mapping, else :class:`FieldError`."""
    if not isinstance(record.data, Mapping):
        raise FieldError("record", f"expected an object, got {type(record.data).__name__}")
    return record.data


def default_id(source: str, path: Path, record: RawRecord) -> str:
    """A stable id for formats that have none: ``source-filestem-N`` (N = 1-based record number).

    >>> default_id("medqa", Path("data/test.jsonl"), RawRecord(3, 2, {}))
    'medqa-test-3'
    """
    return f"{source}-{path.stem}-{record.index + 1}"
