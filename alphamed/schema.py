"""The question schema every part of AlphaMed speaks.

A :class:`Question` is one multiple-choice item: a stem, options keyed by contiguous
letters from ``A``, an optional gold letter, and where it came from.

>>> q = Question(id="q1", question="First-line drug for X?", options={"A": "a", "B": "b"}, answer="B")
>>> q.letters
['A', 'B']
>>> q.answer_text
'b'
>>> Question.from_options_list(id="q2", question="?", options=["yes", "no", "maybe"]).options
{'A': 'yes', 'B': 'no', 'C': 'maybe'}
"""

from __future__ import annotations

import string
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LETTERS = string.ascii_uppercase
MIN_OPTIONS = 2
MAX_OPTIONS = 26


def letters_for(n: int) -> list[str]:
    """The first ``n`` option letters.

    >>> letters_for(4)
    ['A', 'B', 'C', 'D']
    """
    return list(LETTERS[:n])


class Question(BaseModel):
    """One multiple-choice question.

    Args:
        id: unique within a bank.
        question: the stem.
        options: letter -> option text; 2..26 options, letters contiguous from ``A``.
        answer: the gold letter, or None for an unlabeled bank.
        source: where it came from (``medqa``, ``medmcqa``, ``pubmedqa``, ...).
        subject: specialty or category.
        context: supporting text (PubMedQA abstracts), shown before the question.
        difficulty: optional label, e.g. a pass rate in [0, 1] or a named level.
        metadata: anything else, kept as is.
    """

    model_config = ConfigDict(extra="forbid", frozen=False)

    id: str = Field(min_length=1, description="Unique id within the bank.")
    question: str = Field(min_length=1, description="The question stem.")
    options: dict[str, str] = Field(description="Letter -> option text, contiguous from A.")
    answer: str | None = Field(default=None, description="Gold letter, if labeled.")
    source: str = Field(default="custom", description="Dataset or bank name.")
    subject: str | None = Field(default=None, description="Specialty / category.")
    context: str | None = Field(default=None, description="Supporting passage (PubMedQA).")
    difficulty: float | str | None = Field(default=None, description="Pass rate or level.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free metadata.")

    @field_validator("id", mode="before")
    @classmethod
    def _id_to_str(cls, v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            return str(v)
        return v

    @field_validator("question")
    @classmethod
    def _stem_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("question text is empty")
        return v

    @field_validator("options")
    @classmethod
    def _check_options(cls, v: dict[str, str]) -> dict[str, str]:
        n = len(v)
        if n < MIN_OPTIONS or n > MAX_OPTIONS:
            raise ValueError(f"needs {MIN_OPTIONS}..{MAX_OPTIONS} options, got {n}")
        keys = [k.strip().upper() for k in v]
        expected = letters_for(n)
        if sorted(keys) != expected:
            raise ValueError(f"option letters must be contiguous from A ({', '.join(expected)}), got {', '.join(v)}")
        out: dict[str, str] = {}
        for key in expected:
            raw_key = next(k for k in v if k.strip().upper() == key)
            text = v[raw_key]
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"option {key} is empty")
            out[key] = text.strip()
        return out

    @field_validator("answer", mode="before")
    @classmethod
    def _normalise_answer(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip().upper()
            return v or None
        return v

    @model_validator(mode="after")
    def _answer_among_options(self) -> Question:
        if self.answer is not None and self.answer not in self.options:
            raise ValueError(f"answer {self.answer!r} is not one of the options ({', '.join(self.options)})")
        return self

    @classmethod
    def from_options_list(cls, *, options: list[str], **fields: Any) -> Question:
        """Build from a list of option texts in order (letters A, B, ... implied).

        Raises:
            ValueError: more options than letters (none is dropped silently).
        """
        if len(options) > len(LETTERS):
            raise ValueError(f"at most {len(LETTERS)} options (A-Z), got {len(options)}")
        return cls(options=dict(zip(LETTERS, options)), **fields)

    @property
    def letters(self) -> list[str]:
        """The option letters in order."""
        return list(self.options)

    @property
    def answer_text(self) -> str | None:
        """The gold option's text, or None when unlabeled."""
        return self.options.get(self.answer) if self.answer else None
