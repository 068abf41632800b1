"""An optional bridge to lm-evaluation-harness: our answer extractor as an lm-eval filter, and task
YAMLs for the six benchmarks with the AlphaMed prompt (``lm_eval --include_path $(python -c
'import alphamed_client.lm_eval_bridge as b; print(b.TASKS_DIR)') --tasks alphamed_medqa ...``).

The tasks read the same files as ``alphamed eval`` from ``$ALPHAMED_DATA_DIR`` (``alphamed_bank`` reads
``$ALPHAMED_BANK``, a bank in our JSONL format); each generation goes through the ``alphamed_extract``
filter (strict by default, ``scorer: lenient`` for the lenient scorer) and is graded by exact match with
the gold letter. :func:`register` needs lm-eval (install it in its own environment: it pulls torch).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from alphamed_client.protocol import message_split, sample_from_text
from alphamed_client.rescoring import most_similar_option

TASKS_DIR = Path(__file__).resolve().parent / "lm_eval_tasks"


def extract_letter(output: str, options: dict[str, str], scorer: str = "strict") -> str:
    """The letter our scorer reads in ``output`` ("" when the strict scorer abstains)."""
    reasoning, content, region = message_split({"content": output})
    letter = sample_from_text(reasoning, content, options, region=region).letter
    if letter is None and scorer == "lenient":
        letter = most_similar_option(region or output, options)
    return letter or ""


def register() -> None:
    """Register the ``alphamed_extract`` filter with lm-eval (the task utils call it on import)."""
    from lm_eval.api.filter import Filter
    from lm_eval.api.registry import register_filter

    class AlphaMedExtractFilter(Filter):
        """Each response -> the letter our extractor finds (the doc's ``options`` JSON gives the texts)."""

        def __init__(self, scorer: str = "strict", **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.scorer = scorer

        def apply(self, resps: Any, docs: Any) -> list[list[str]]:
            return [
                [extract_letter(r, json.loads(doc["options"]), self.scorer) for r in doc_resps]
                for doc_resps, doc in zip(resps, docs)
            ]

    register_filter("alphamed_extract")(AlphaMedExtractFilter)


def bank_records(name: str) -> list[dict[str, Any]]:
    """The questions of benchmark ``name`` (``bank``: ``$ALPHAMED_BANK``) as lm-eval docs."""
    from alphamed.data import load_bank
    from alphamed_client.benchmarks import BENCHMARKS, find_files

    if name == "bank":
        files, fmt, options = [Path(os.environ["ALPHAMED_BANK"])], None, {}
    else:
        bench = BENCHMARKS[name]
        files = find_files(Path(os.environ["ALPHAMED_DATA_DIR"]), bench)
        fmt, options = bench.format, dict(bench.options)
        if not files:
            raise FileNotFoundError(f"{name}: no file in $ALPHAMED_DATA_DIR={os.environ['ALPHAMED_DATA_DIR']}")
    return [
        {
            "id": q.id,
            "question": q.question,
            "context": q.context or "",
            "options": json.dumps(q.options),
            "answer": q.answer,
        }
        for path in files
        for q in load_bank(path, fmt, **options)
    ]


def doc_to_text(doc: dict[str, Any], style: str = "alphamed") -> str:
    """The user message of the AlphaMed prompt for one doc."""
    from alphamed.prompts import build_messages
    from alphamed.schema import Question

    question = Question(
        id=doc["id"], question=doc["question"], options=json.loads(doc["options"]), context=doc["context"] or None
    )
    return build_messages(question, style)[-1]["content"]
