"""MedMCQA JSONL: ``id``, ``question``, ``opa``..``opd``, ``cop``, ``choice_type``, ``exp``,
``subject_name``, ``topic_name``.

``cop`` (the correct option) is numbered 1..4 in the original release files (``train.json``,
``dev.json``) but 0..3 in the Hugging Face copy (``openlifescienceai/medmcqa``). The
``cop_base`` option says which: ``1``, ``0``, or ``"auto"`` (default), which scans the file
first: a ``0`` anywhere means 0-based, a ``4`` anywhere means 1-based, both is an error, and
neither (only 1..3 seen) falls back to 1-based, the original release, with a warning.
``cop`` of -1, null or missing (the unlabeled test split) gives an unlabeled question.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alphamed.data.errors import BankError, BankFormatError, FieldError, display_path
from alphamed.data.formats.base import BankFormat, optional_text, require_mapping, require_text
from alphamed.data.records import RawRecord, read_jsonl
from alphamed.schema import Question

logger = logging.getLogger(__name__)

OPTION_KEYS = ("opa", "opb", "opc", "opd")


def detect_cop_base(path: Path) -> int:
    """Scan ``path`` for the numbering of ``cop``: 0 (0..3) or 1 (1..4). See the module docstring."""
    seen: set[int] = set()
    for record in read_jsonl(path):
        if isinstance(record, RawRecord) and isinstance(record.data.get("cop"), int):
            seen.add(record.data["cop"])
        if 0 in seen and 4 in seen:
            raise BankFormatError(
                BankError(display_path(path), None, "cop", "mixes 0 and 4: cannot tell 0..3 from 1..4 numbering")
            )
    if 0 in seen:
        return 0
    if 4 not in seen:
        logger.warning("%s: cop never 0 or 4; assuming the original 1..4 numbering", path)
    return 1


def _prepare(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    base = options.get("cop_base", "auto")
    if base == "auto":
        return {**options, "cop_base": detect_cop_base(path)}
    if str(base) not in ("0", "1"):
        raise ValueError(f"cop_base must be 0, 1 or 'auto', got {base!r}")
    return {**options, "cop_base": int(base)}


def _answer(data: Mapping[str, Any], base: int) -> str | None:
    cop = data.get("cop")
    if cop is None or cop == -1:
        return None
    if isinstance(cop, str) and cop.strip().lstrip("-").isdigit():
        cop = int(cop)
    if not isinstance(cop, int) or isinstance(cop, bool) or not base <= cop <= base + 3:
        raise FieldError("cop", f"must be an integer {base}..{base + 3} (or -1 for unlabeled), got {cop!r}")
    return "ABCD"[cop - base]


def convert(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question:
    """One MedMCQA record -> :class:`Question` (options A..D from opa..opd)."""
    data = require_mapping(record)
    texts = {}
    for letter, key in zip("ABCD", OPTION_KEYS):
        try:
            texts[letter] = require_text(data, key)
        except FieldError as exc:
            raise FieldError(key, f"option {letter} {exc.message}") from None
    metadata = {
        k: optional_text(data, src)
        for k, src in (("topic", "topic_name"), ("choice_type", "choice_type"), ("explanation", "exp"))
    }
    return Question(
        id=require_text(data, "id"),
        question=require_text(data, "question"),
        options=texts,
        answer=_answer(data, int(options["cop_base"])),
        source="medmcqa",
        subject=optional_text(data, "subject_name"),
        metadata={k: v for k, v in metadata.items() if v},
    )


FORMAT = BankFormat(
    name="medmcqa",
    description="MedMCQA JSONL (id, question, opa..opd, cop 1..4 or 0..3, subject_name, topic_name, exp).",
    read=read_jsonl,
    convert=convert,
    options={"cop_base": "auto"},
    prepare=_prepare,
)
