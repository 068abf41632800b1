"""Question banks: stream any supported file as :class:`~alphamed.schema.Question` objects.

>>> bank = QuestionBank(sample_bank_path())
>>> first = next(iter(bank))
>>> first.source
'alphamed-sample'
>>> validate_bank(sample_bank_path()).ok
True
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from os import PathLike
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from alphamed.data.errors import BankError, BankFormatError, RecordErrors, describe_validation_error, display_path
from alphamed.data.formats import BankFormat, get_format
from alphamed.data.records import RawRecord
from alphamed.schema import Question

logger = logging.getLogger(__name__)

OnError = Literal["raise", "skip"]
ErrorSink = Callable[[BankError], Any] | list[BankError] | None


class QuestionBank:
    """A bank file read lazily: iterating parses one record at a time.

    Args:
        path: the file.
        format: a name from :data:`alphamed.data.formats.FORMATS` (None: AlphaMed JSONL).
        on_error: ``"raise"`` raises :class:`BankFormatError` at the first bad record;
            ``"skip"`` leaves bad records out and reports each :class:`BankError` to ``errors``.
        errors: a list to append problems to, or a callable called with each one.
        check_duplicates: report a repeated id as an error (keeps the ids seen, not the questions).
        **options: format options (``cop_base`` for medmcqa, ``medical_only`` for mmlu/mmlu-pro/gpqa...).

    Every pass re-reads the file, so a bank can be iterated several times.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        format: str | None = None,
        on_error: OnError = "raise",
        errors: ErrorSink = None,
        check_duplicates: bool = True,
        **options: Any,
    ) -> None:
        if on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
        self.path = Path(path)
        self.format: BankFormat = get_format(format)
        self.on_error = on_error
        self.errors = errors
        self.check_duplicates = check_duplicates
        self.options = dict(options)

    def __repr__(self) -> str:
        return f"QuestionBank({str(self.path)!r}, format={self.format.name!r})"

    def _report(self, problems: list[BankError]) -> None:
        if self.on_error == "raise":
            raise BankFormatError(problems)
        for problem in problems:
            logger.debug("skipping: %s", problem)
            if isinstance(self.errors, list):
                self.errors.append(problem)
            elif self.errors is not None:
                self.errors(problem)

    def _convert(self, record: RawRecord, options: dict[str, Any]) -> Question | list[BankError] | None:
        name = display_path(self.path)
        try:
            return self.format.convert(record, self.path, options)
        except RecordErrors as exc:
            return [BankError(name, record.line, f, m) for f, m in exc.problems]
        except ValidationError as exc:
            return [BankError(name, record.line, f, m) for f, m in describe_validation_error(exc)]

    def __iter__(self) -> Iterator[Question]:
        try:
            options = self.format.resolve_options(self.path, self.options)
        except ValueError as exc:
            if isinstance(exc, BankFormatError):
                raise
            raise BankFormatError(BankError(display_path(self.path), None, "options", str(exc))) from None
        seen: dict[str, int] = {}
        for record in self.format.read(self.path):
            if isinstance(record, BankError):
                self._report([record])
                continue
            result = self._convert(record, options)
            if result is None:
                continue
            if isinstance(result, list):
                self._report(result)
                continue
            if self.check_duplicates:
                first = seen.setdefault(result.id, record.line)
                if first != record.line:
                    self._report(
                        [
                            BankError(
                                display_path(self.path),
                                record.line,
                                "id",
                                f"duplicate id {result.id!r} (first at line {first})",
                            )
                        ]
                    )
                    continue
            yield result


def load_bank(path: str | PathLike[str], format: str | None = None, **kwargs: Any) -> QuestionBank:
    """Open a bank in ``format`` (None: AlphaMed JSONL); see :class:`QuestionBank` for ``kwargs``.

    >>> [q.id for q in load_bank(sample_bank_path())][:2]
    ['sample-001', 'sample-002']
    """
    return QuestionBank(path, format=format, **kwargs)


@dataclass
class BankReport:
    """What :func:`validate_bank` found.

    Args:
        path: the file.
        questions: how many records were valid questions.
        errors: every problem, in file order.
    """

    path: str
    questions: int = 0
    errors: list[BankError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.errors


def validate_bank(path: str | PathLike[str], format: str | None = None, **options: Any) -> BankReport:
    """Check a whole bank in one pass, collecting every problem instead of stopping at the first.

    Args:
        path: the file.
        format: its format name (None: AlphaMed JSONL).
        **options: format options.

    Returns:
        A :class:`BankReport`; a file that cannot be opened gives one file-level error.
    """
    report = BankReport(display_path(path))
    try:
        for _ in QuestionBank(path, format=format, on_error="skip", errors=report.errors, **options):
            report.questions += 1
    except BankFormatError as exc:
        report.errors.extend(exc.errors)
    return report


def sample_bank_path() -> Path:
    """The shipped bank of original clinical MCQs (``alphamed/data/samples/sample_bank.jsonl``).

    >>> sample_bank_path().name
    'sample_bank.jsonl'
    """
    return Path(str(files("alphamed.data").joinpath("samples/sample_bank.jsonl")))
