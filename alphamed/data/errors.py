"""Problems found in a question bank, each naming the file, line and field.

>>> str(BankError("bank.jsonl", 17, "options.C", "option C is empty"))
'bank.jsonl:17: options.C: option C is empty'
>>> str(BankError("bank.jsonl", None, None, "no such file"))
'bank.jsonl: no such file'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from os import PathLike
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class BankError:
    """One problem in a bank.

    Args:
        path: the file, as the user named it.
        line: 1-based line where the bad record starts, or None for file-level problems.
        field: the field at fault (``options.C``, ``answer``, ``json``...), or None.
        message: what is wrong, in words.
    """

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class BankFormatError(ValueError):
    """Raised when a bank cannot be read (``on_error='raise'``); carries the :class:`BankError`\\ s.

    Args:
        errors: the problems of one record (the first is the headline), or of the file.
    """

    def __init__(self, errors: BankError | list[BankError]):
        self.errors = [errors] if isinstance(errors, BankError) else list(errors)
        if not self.errors:
            raise ValueError("BankFormatError needs at least one BankError")
        first = str(self.errors[0])
        more = len(self.errors) - 1
        super().__init__(first + (f" (+{more} more on this record)" if more else ""))

    @property
    def error(self) -> BankError:
        """The first problem."""
        return self.errors[0]


class RecordErrors(ValueError):
    """Raised by a format converter for one record with one or more bad fields.

    Args:
        problems: ``(field, message)`` pairs.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = list(problems)


class FieldError(RecordErrors):
    """Raised by a format converter for a bad source field.

    >>> FieldError("cop", "must be 1..4, got 7").field
    'cop'
    """

    def __init__(self, field: str, message: str):
        super().__init__([(field, message)])
        self.field = field
        self.message = message


_EMPTY_OPTION = re.compile(r"^option ([A-Z]) is empty")


def describe_validation_error(exc: ValidationError) -> list[tuple[str, str]]:
    """Turn a pydantic error on :class:`~alphamed.schema.Question` into ``(field, message)`` pairs.

    >>> from alphamed.schema import Question
    >>> try:
    ...     Question(id="1", question="?", options={"A": "x", "B": " "})
    ... except ValidationError as exc:
    ...     describe_validation_error(exc)
    [('options.B', 'option B is empty')]
    """
    out: list[tuple[str, str]] = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err.get("loc", ()))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        match = _EMPTY_OPTION.match(message)
        if match:
            field = f"options.{match.group(1)}"
        elif not field:
            field = "answer" if message.startswith("answer") else "question"
        if message == "Field required":
            message = "required field is missing"
        elif message == "Extra inputs are not permitted":
            message = "unknown field (not part of the question schema)"
        out.append((field, message))
    return out


def display_path(path: str | PathLike[str] | Any) -> str:
    """The path as the user gave it, for messages."""
    return str(path)
