"""Benchmarks named by Hugging Face dataset id (``--benchmarks medqa=owner/name[:split]``).

The dataset is resolved through ``datasets.load_dataset`` (so ``HF_HUB_OFFLINE`` /
``HF_DATASETS_OFFLINE`` and the local cache are honoured as ``datasets`` honours them) and
written once as JSONL in its public format next to the results, where the core loaders read
it like a local file and its SHA-256 goes into the run header.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from alphamed_client.errors import BankError

logger = logging.getLogger(__name__)
DEFAULT_SPLIT = "test"


def _without_nulls(record: dict[str, Any]) -> dict[str, Any]:
    """Arrow gives every row every key of a nested dict (None where a row has none): drop those."""
    return {
        k: ({kk: vv for kk, vv in v.items() if vv is not None} if isinstance(v, dict) else v)
        for k, v in record.items()
    }


def export_hub_dataset(hub_id: str, folder: Path) -> Path:
    """The JSONL file of dataset ``hub_id`` (``owner/name`` or ``owner/name:split``; split ``test`` by default).

    Raises:
        BankError: one line when ``datasets`` is missing or the dataset cannot be loaded (offline, unknown).
    """
    try:
        import datasets
    except ImportError:
        raise BankError(f"{hub_id}: reading a Hugging Face dataset needs `pip install datasets`") from None
    name, _, split = hub_id.partition(":")
    split = split or DEFAULT_SPLIT
    try:
        data = datasets.load_dataset(name, split=split)
    except Exception as exc:  # datasets raises many kinds; the user needs one line
        raise BankError(
            f"cannot load Hugging Face dataset {name!r} split {split!r}: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name.replace('/', '__')}-{split}-{data._fingerprint}.jsonl"
    if not path.exists():
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            for record in data:
                handle.write(json.dumps(_without_nulls(record), ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        logger.info("wrote %s (%d rows of %s:%s)", path, len(data), name, split)
    return path
