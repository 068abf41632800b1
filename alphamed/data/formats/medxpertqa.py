"""MedXpertQA JSONL (Text and MM subsets): ``id``, ``question``, ``options`` {A..J: text},
``label``, ``medical_task``, ``body_system``, ``question_type`` (MM rows also ``images``).

MedXpertQA's ``question`` ends with the options written out again (``Answer Choices: (A) ...``);
that tail is removed so prompts do not list the options twice. ``subject`` is ``body_system``;
``medical_task``, ``question_type`` and ``images`` go to metadata.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alphamed.data.errors import FieldError
from alphamed.data.formats.base import BankFormat, optional_text, require_mapping, require_text
from alphamed.data.records import RawRecord, read_jsonl
from alphamed.schema import Question

_CHOICES_TAIL = re.compile(r"\s*Answer Choices:\s*\(A\).*\Z", re.DOTALL)


def strip_answer_choices(stem: str) -> str:
    """Remove a trailing ``Answer Choices: (A) ... (B) ...`` block.

    >>> strip_answer_choices("Which nerve? Answer Choices: (A) ulnar (B) radial")
    'Which nerve?'
    >>> strip_answer_choices("No block here.")
    'No block here.'
    """
    stripped = _CHOICES_TAIL.sub("", stem)
    return stripped if stripped.strip() else stem


def convert(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question:
    """One MedXpertQA record -> :class:`Question`."""
    data = require_mapping(record)
    opts = data.get("options")
    if not isinstance(opts, Mapping):
        raise FieldError("options", "expected an object {letter: text}")
    images = data.get("images")
    meta: dict[str, Any] = {k: optional_text(data, k) for k in ("medical_task", "question_type")}
    if images:
        meta["images"] = images
    return Question(
        id=require_text(data, "id"),
        question=strip_answer_choices(require_text(data, "question")),
        options={str(k): v for k, v in opts.items()},
        answer=optional_text(data, "label"),
        source="medxpertqa",
        subject=optional_text(data, "body_system"),
        metadata={k: v for k, v in meta.items() if v},
    )


FORMAT = BankFormat(
    name="medxpertqa",
    description="MedXpertQA JSONL (id, question, options A..J, label, medical_task, body_system, question_type).",
    read=read_jsonl,
    convert=convert,
)
