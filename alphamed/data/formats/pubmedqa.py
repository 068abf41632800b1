"""PubMedQA: yes/no/maybe questions over an abstract, as options A ``yes``, B ``no``, C ``maybe``.

Two layouts are read:

* the original release (``ori_pqal.json``, ``ori_pqaa.json``...): one JSON object keyed by PMID,
  each value with ``QUESTION``, ``CONTEXTS`` (list), ``LABELS`` (section names), ``MESHES``,
  ``YEAR``, ``LONG_ANSWER``, ``final_decision``. Read incrementally, never whole.
* a ``.jsonl`` export of the Hugging Face copy: ``pubid``, ``question``, ``context``
  ({``contexts``, ``labels``, ``meshes``}), ``long_answer``, ``final_decision``.

The context passages are joined one per line, each prefixed by its section label when the
labels line up (``BACKGROUND: ...``). ids are ``pubmedqa-<PMID>``; ``subject`` is
``biomedical-research`` (PubMedQA has no specialty field).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alphamed.data.errors import FieldError
from alphamed.data.formats.base import BankFormat, optional_text, require_text
from alphamed.data.records import RawRecord, read_json_object, read_jsonl
from alphamed.schema import Question

OPTIONS = {"A": "yes", "B": "no", "C": "maybe"}
DECISIONS = {text: letter for letter, text in OPTIONS.items()}
SUBJECT = "biomedical-research"


def read(path: Path):
    """``.jsonl`` -> one record per line; anything else -> the PMID-keyed JSON object."""
    if path.suffix.lower() == ".jsonl":
        return read_jsonl(path)
    return read_json_object(path)


def join_context(contexts: Any, labels: Any = None) -> str:
    """Passages one per line, prefixed by their section label when labels line up.

    >>> join_context(["a.", "b."], ["AIMS", "RESULTS"])
    'AIMS: a.\\nRESULTS: b.'
    >>> join_context(["a."])
    'a.'
    """
    if isinstance(contexts, str):
        contexts = [contexts]
    if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
        raise FieldError("CONTEXTS", "expected a list of passages")
    passages = [c.strip() for c in contexts if c.strip()]
    if not passages:
        raise FieldError("CONTEXTS", "is empty")
    if isinstance(labels, list) and len(labels) == len(contexts) and all(isinstance(x, str) for x in labels):
        pairs = [(lab.strip(), c.strip()) for lab, c in zip(labels, contexts) if c.strip()]
        return "\n".join(f"{lab}: {c}" if lab else c for lab, c in pairs)
    return "\n".join(passages)


def _fields(record: RawRecord) -> tuple[str, Mapping[str, Any], Any, Any]:
    """(pmid, data, contexts, labels) from either layout."""
    if isinstance(record.data, tuple):
        pmid, data = record.data
        if not isinstance(data, Mapping):
            raise FieldError(str(pmid), "expected an object")
        return str(pmid), data, data.get("CONTEXTS"), data.get("LABELS")
    data = record.data
    ctx = data.get("context")
    if isinstance(ctx, Mapping):
        return require_text(data, "pubid"), data, ctx.get("contexts"), ctx.get("labels")
    pmid = optional_text(data, "pubid") or require_text(data, "PMID")
    return pmid, data, ctx if ctx is not None else data.get("CONTEXTS"), data.get("LABELS")


def convert(record: RawRecord, path: Path, options: Mapping[str, Any]) -> Question:
    """One PubMedQA entry -> a three-option :class:`Question` with its abstract as context."""
    pmid, data, contexts, labels = _fields(record)
    stem_key = "QUESTION" if "QUESTION" in data else "question"
    decision = optional_text(data, "final_decision")
    answer = None
    if decision is not None:
        answer = DECISIONS.get(decision.lower())
        if answer is None:
            raise FieldError("final_decision", f"must be yes, no or maybe, got {decision!r}")
    meta = {
        "long_answer": optional_text(data, "LONG_ANSWER") or optional_text(data, "long_answer"),
        "year": optional_text(data, "YEAR"),
    }
    return Question(
        id=f"pubmedqa-{pmid}",
        question=require_text(data, stem_key),
        options=dict(OPTIONS),
        answer=answer,
        source="pubmedqa",
        subject=SUBJECT,
        context=join_context(contexts, labels),
        metadata={k: v for k, v in meta.items() if v},
    )


FORMAT = BankFormat(
    name="pubmedqa",
    description="PubMedQA (PMID-keyed JSON, or JSONL with pubid/context): yes/no/maybe as A/B/C.",
    read=read,
    convert=convert,
)
