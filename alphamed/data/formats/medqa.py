"""MedQA (USMLE) JSONL: ``question``, ``options`` {letter: text}, ``answer`` (text), ``answer_idx``
(letter), ``meta_info`` (``step1``, ``step2&3``).

The records carry no id: ids are ``medqa-<file stem>-<record number>``. ``answer`` and
``answer_idx`` must agree when both are present. ``subject`` is ``usmle-<meta_info>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alphamed.data.errors import FieldError
from alphamed.data.formats.base import BankFormat, default_id, optional_text, require_mapping, require_text
from alphamed.data.records import RawRecord, read_jsonl
from alphamed.schema import Question


def _gold_letter(options: Mapping[str, Any], answer_idx: str | None, answer: str | None) -> str | None:
    if answer_idx is not None:
        letter = answer_idx.upper()
        if letter not in options:
            raise FieldError("answer_idx", f"{answer_idx!r} is not one of the options ({', '.join(options)})")
        if answer is not None and str(options[letter]).strip() != answer:
            raise FieldError("answer", f"answer text {answer!r} does not match option {letter} ({options[letter]!r})")
        return letter
    if answer is None:
        return None
    for letter, text in options.items():
        if str(text).strip() == answer:
            return str(letter).upper()
    raise FieldError("answer", f"answer text {answer!r} matches none of the options")


def convert(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question:
    """One MedQA record -> :class:`Question`."""
    data = require_mapping(record)
    raw_opts = data.get("options")
    if not isinstance(raw_opts, Mapping):
        raise FieldError("options", "expected an object {letter: text}")
    opts = {str(k).strip().upper(): v for k, v in raw_opts.items()}
    meta = optional_text(data, "meta_info")
    return Question(
        id=optional_text(data, "id") or default_id("medqa", path, record),
        question=require_text(data, "question"),
        options=opts,
        answer=_gold_letter(opts, optional_text(data, "answer_idx"), optional_text(data, "answer")),
        source="medqa",
        subject=f"usmle-{meta}" if meta else "usmle",
        metadata={"meta_info": meta} if meta else {},
    )


FORMAT = BankFormat(
    name="medqa",
    description="MedQA USMLE JSONL (question, options dict, answer, answer_idx, meta_info).",
    read=read_jsonl,
    convert=convert,
)
