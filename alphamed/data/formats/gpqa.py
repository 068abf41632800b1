"""GPQA CSV (``gpqa_main.csv``, ``gpqa_diamond.csv``...): ``Question``, ``Correct Answer``,
``Incorrect Answer 1..3``, ``Explanation``, ``Subdomain``, ``High-level domain``, ``Record ID``.

The correct answer is always listed first in the file, so options are shuffled. The order is
a pure function of the record id and the ``seed`` option (default 0): the same file gives the
same letters on every machine and run (SHA-256 based, independent of ``PYTHONHASHSEED``).

``medical_only=True`` keeps :data:`GPQA_MEDICAL_SUBDOMAINS`: GPQA's biology subdomains
(``Molecular Biology``, ``Genetics``), our reading of the "GPQA-M" medical subset that AlphaMed
reports (the subset used by HuatuoGPT-o1). A documented choice, not a verified copy.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alphamed.data.formats.base import BankFormat, default_id, optional_text, require_mapping, require_text
from alphamed.data.records import RawRecord, read_csv
from alphamed.schema import Question

GPQA_MEDICAL_SUBDOMAINS = ("Molecular Biology", "Genetics")
INCORRECT_KEYS = ("Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")


def shuffled_options(correct: str, incorrect: list[str], key: str, seed: int = 0) -> tuple[list[str], int]:
    """Options in a reproducible order for ``key``; returns ``(options, index of the correct one)``.

    >>> shuffled_options("right", ["w1", "w2", "w3"], "rec1") == shuffled_options("right", ["w1", "w2", "w3"], "rec1")
    True
    >>> opts, i = shuffled_options("right", ["w1", "w2", "w3"], "rec1")
    >>> opts[i]
    'right'
    """
    digest = hashlib.sha256(f"gpqa:{seed}:{key}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    order = [correct, *incorrect]
    positions = list(range(len(order)))
    rng.shuffle(positions)
    options = [order[p] for p in positions]
    return options, positions.index(0)


def convert(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question | None:
    """One GPQA row -> a four-option :class:`Question`; None when filtered out."""
    data = require_mapping(record)
    subdomain = optional_text(data, "Subdomain")
    if options.get("medical_only") and subdomain not in GPQA_MEDICAL_SUBDOMAINS:
        return None
    question = require_text(data, "Question")
    correct = require_text(data, "Correct Answer")
    incorrect = [require_text(data, key) for key in INCORRECT_KEYS]
    record_id = optional_text(data, "Record ID")
    qid = f"gpqa-{record_id}" if record_id else default_id("gpqa", path, record)
    texts, gold = shuffled_options(correct, incorrect, record_id or question, int(options.get("seed", 0)))
    meta = {"domain": optional_text(data, "High-level domain"), "explanation": optional_text(data, "Explanation")}
    return Question.from_options_list(
        id=qid,
        question=question,
        options=texts,
        answer="ABCD"[gold],
        source="gpqa",
        subject=subdomain,
        metadata={k: v for k, v in meta.items() if v},
    )


FORMAT = BankFormat(
    name="gpqa",
    description="GPQA CSV (Question, Correct Answer, Incorrect Answer 1..3, Subdomain); options shuffled by record id.",
    read=read_csv,
    convert=convert,
    options={"medical_only": False, "seed": 0},
)
