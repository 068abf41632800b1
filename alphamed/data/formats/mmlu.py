"""MMLU and MMLU-Pro.

* ``mmlu``: the original headerless CSV files (``clinical_knowledge_test.csv``: question, A, B,
  C, D, answer letter; the subject comes from the file name), or JSONL with ``question``,
  ``choices`` (list), ``answer`` (index 0..3 or letter), ``subject``.
* ``mmlu-pro``: JSONL with ``question_id``, ``question``, ``options`` (list of up to 10),
  ``answer`` (letter), ``answer_index``, ``cot_content``, ``category``, ``src``.

``medical_only=True`` keeps the medical subset only:

* MMLU: :data:`MMLU_MEDICAL_SUBJECTS`, the six subjects of the MultiMedQA suite (Med-PaLM).
* MMLU-Pro: :data:`MMLU_PRO_MEDICAL_CATEGORIES`. The AlphaMed paper reports "MMLU-ProM" without
  listing the categories in the text we could check; we take ``health`` and ``biology``, the
  medical tracks used by HuatuoGPT-o1's MMLU-Pro evaluation that AlphaMed compares against.
  Treat it as a documented choice, not a verified copy of the paper's split.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alphamed.data.errors import FieldError
from alphamed.data.formats.base import BankFormat, default_id, optional_text, require_mapping, require_text
from alphamed.data.records import RawRecord, read_csv, read_jsonl
from alphamed.schema import LETTERS, Question

MMLU_MEDICAL_SUBJECTS = (
    "anatomy",
    "clinical_knowledge",
    "college_biology",
    "college_medicine",
    "medical_genetics",
    "professional_medicine",
)
MMLU_PRO_MEDICAL_CATEGORIES = ("health", "biology")
_SPLIT_SUFFIXES = ("_test", "_dev", "_val", "_validation", "_train", "_auxiliary_train")


def subject_from_filename(path: Path) -> str:
    """``clinical_knowledge_test.csv`` -> ``clinical_knowledge``.

    >>> subject_from_filename(Path("data/test/anatomy_test.csv"))
    'anatomy'
    """
    stem = path.stem
    for suffix in _SPLIT_SUFFIXES:
        if stem.endswith(suffix):
            return stem[: -len(suffix)]
    return stem


def read_mmlu(path: Path):
    """Headerless CSV for ``.csv`` files, JSONL otherwise."""
    if path.suffix.lower() == ".csv":
        return read_csv(path, header=False)
    return read_jsonl(path)


def _answer_letter(value: Any, n: int, field: str = "answer") -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < n:
            raise FieldError(field, f"index {value} is out of range 0..{n - 1}")
        return LETTERS[value]
    if isinstance(value, str) and value.strip().isdigit():
        return _answer_letter(int(value.strip()), n, field)
    if isinstance(value, str) and len(value.strip()) == 1 and value.strip().isalpha():
        return value.strip().upper()
    raise FieldError(field, f"expected a letter or an index, got {value!r}")


def _option_list(data: Mapping[str, Any], key: str) -> list[str]:
    options = data.get(key)
    if not isinstance(options, list):
        raise FieldError(key, "expected a list of option texts")
    if len(options) > len(LETTERS):
        raise FieldError(key, f"has {len(options)} options; at most {len(LETTERS)} are supported")
    for i, text in enumerate(options):
        if not isinstance(text, (str, int, float)) or not str(text).strip():
            raise FieldError(f"{key}[{i}]", f"option {LETTERS[i] if i < 26 else i} is empty")
    return [str(t) for t in options]


def convert_mmlu(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question | None:
    """One MMLU row (CSV list or JSON object) -> :class:`Question`; None when filtered out."""
    if isinstance(record.data, list):
        row = record.data
        if len(row) != 6:
            raise FieldError("csv", f"expected 6 columns (question, A, B, C, D, answer), got {len(row)}")
        data: Mapping[str, Any] = {"question": row[0], "choices": row[1:5], "answer": row[5]}
        subject = subject_from_filename(path)
    else:
        data = require_mapping(record)
        subject = optional_text(data, "subject") or subject_from_filename(path)
    if options.get("medical_only") and subject not in MMLU_MEDICAL_SUBJECTS:
        return None
    choices = _option_list(data, "choices")
    return Question.from_options_list(
        id=optional_text(data, "id") or default_id("mmlu", path, record),
        question=require_text(data, "question"),
        options=choices,
        answer=_answer_letter(data.get("answer"), len(choices)),
        source="mmlu",
        subject=subject,
    )


def convert_mmlu_pro(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question | None:
    """One MMLU-Pro record -> :class:`Question`; None when filtered out."""
    data = require_mapping(record)
    category = require_text(data, "category")
    if options.get("medical_only") and category.lower() not in MMLU_PRO_MEDICAL_CATEGORIES:
        return None
    choices = _option_list(data, "options")
    letter = _answer_letter(data.get("answer"), len(choices))
    index = _answer_letter(data.get("answer_index"), len(choices), "answer_index")
    if letter and index and letter != index:
        raise FieldError("answer_index", f"points to {index} but answer is {letter}")
    qid = optional_text(data, "question_id")
    meta = {"src": optional_text(data, "src"), "cot_content": optional_text(data, "cot_content")}
    return Question.from_options_list(
        id=f"mmlu-pro-{qid}" if qid else default_id("mmlu-pro", path, record),
        question=require_text(data, "question"),
        options=choices,
        answer=letter or index,
        source="mmlu-pro",
        subject=category,
        metadata={k: v for k, v in meta.items() if v},
    )


MMLU = BankFormat(
    name="mmlu",
    description="MMLU (headerless CSV per subject, or JSONL with choices/answer/subject).",
    read=read_mmlu,
    convert=convert_mmlu,
    options={"medical_only": False},
)
MMLU_PRO = BankFormat(
    name="mmlu-pro",
    description="MMLU-Pro JSONL (question, options list up to 10, answer letter, answer_index, category, src).",
    read=read_jsonl,
    convert=convert_mmlu_pro,
    options={"medical_only": False},
)
