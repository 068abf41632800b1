"""Bank formats by name: AlphaMed's own JSONL and the public medical QA formats.

>>> sorted(FORMATS)
['alphamed', 'gpqa', 'medmcqa', 'medqa', 'medxpertqa', 'mmlu', 'mmlu-pro', 'pubmedqa']
>>> get_format("medqa").name
'medqa'
"""

from __future__ import annotations

from alphamed.data.formats import gpqa, medmcqa, medqa, medxpertqa, mmlu, native, pubmedqa
from alphamed.data.formats.base import BankFormat

NATIVE_FORMAT = "alphamed"
FORMATS: dict[str, BankFormat] = {
    f.name: f
    for f in (
        native.FORMAT,
        medqa.FORMAT,
        medmcqa.FORMAT,
        pubmedqa.FORMAT,
        mmlu.MMLU,
        mmlu.MMLU_PRO,
        gpqa.FORMAT,
        medxpertqa.FORMAT,
    )
}


def get_format(name: str | None) -> BankFormat:
    """The format called ``name`` (None -> AlphaMed's own JSONL); ``ValueError`` if unknown."""
    key = (name or NATIVE_FORMAT).strip().lower()
    try:
        return FORMATS[key]
    except KeyError:
        raise ValueError(f"unknown bank format {name!r}; choose one of {', '.join(sorted(FORMATS))}") from None


__all__ = ["BankFormat", "FORMATS", "NATIVE_FORMAT", "get_format"]
