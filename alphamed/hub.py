"""A model named by a local folder or a Hugging Face hub id, resolved the way ``from_pretrained`` does.

A hub id (``che111/AlphaMed-7B-instruct-rl``) becomes its snapshot folder in the Hugging Face cache:
``HF_HOME`` / ``HF_HUB_CACHE`` choose the cache, ``HF_TOKEN`` authenticates (gated weights such as Llama),
``HF_HUB_OFFLINE=1`` reads only the cache, and ``revision`` picks a branch, tag or commit. Whatever goes
wrong becomes one :class:`ModelNotFoundError` line that names the model and what to check.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

# never fetched: the original (non-HF) checkpoints of Llama repos and other frameworks' weights
IGNORED_FILES = ["original/*", "*.pth", "*.gguf", "*.onnx", "*.msgpack", "*.h5", "*.ot"]


class ModelNotFoundError(ValueError):
    """The model is neither a local folder nor a hub id that resolves (the message is one line)."""


def is_local(name_or_path: str) -> bool:
    """True when ``name_or_path`` is an existing folder.

    >>> is_local("/")
    True
    >>> is_local("che111/AlphaMed-7B-instruct-rl")
    False
    """
    return Path(name_or_path).expanduser().is_dir()


def looks_like_hub_id(name: str) -> bool:
    """True for ``name`` or ``org/name`` (not a path that starts with ``/``, ``.`` or ``~``, nor an existing folder).

    >>> looks_like_hub_id("che111/AlphaMed-7B-instruct-rl"), looks_like_hub_id("/models/tiny")
    (True, False)
    """
    return not (is_local(name) or name.startswith((".", "/", "~")) or name.count("/") > 1 or not name)


def resolve_model(name_or_path: str, *, revision: str | None = None) -> Path:
    """The folder holding ``name_or_path``: the folder itself, or the hub id's cached snapshot.

    Args:
        name_or_path: a local folder or a hub id (``org/name``).
        revision: branch, tag or commit of a hub id (default: ``main``); ignored for a folder.

    Returns:
        The folder (for a hub id, ``$HF_HOME/hub/models--org--name/snapshots/COMMIT``), downloaded
        first unless it is cached or offline mode is on.

    Raises:
        ModelNotFoundError: one line naming the model and the likely cause.

    >>> resolve_model("/")
    PosixPath('/')
    """
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    if path.exists() or not looks_like_hub_id(name_or_path):
        raise ModelNotFoundError(f"model folder not found: {name_or_path}")
    try:
        from huggingface_hub import constants, snapshot_download
    except ImportError:
        raise ModelNotFoundError(
            f"model folder not found: {name_or_path} (and huggingface_hub, needed for a hub id, is not installed)"
        ) from None
    try:
        folder = snapshot_download(name_or_path, revision=revision, ignore_patterns=IGNORED_FILES)
    except Exception as exc:  # noqa: BLE001 - every hub failure becomes one line
        logger.debug("resolving %s failed", name_or_path, exc_info=True)
        raise ModelNotFoundError(_explain(name_or_path, revision, exc, constants)) from None
    logger.info("model %s%s: %s", name_or_path, f"@{revision}" if revision else "", folder)
    return Path(folder)


def _explain(name: str, revision: str | None, exc: Exception, constants) -> str:
    """One line for a failed hub lookup."""
    kind = type(exc).__name__
    at = f" at revision {revision}" if revision else ""
    if kind == "HFValidationError":
        return f"model not found: {name} is neither a local folder nor a valid Hugging Face id"
    if kind == "GatedRepoError":
        return f"model {name} is gated: accept its license on huggingface.co and set HF_TOKEN"
    if kind == "RepositoryNotFoundError":
        return f"model not found: no folder and no Hugging Face repository {name} (a private one needs HF_TOKEN)"
    if kind == "RevisionNotFoundError":
        return f"model {name}: revision {revision} not found"
    if constants.HF_HUB_OFFLINE or kind in ("LocalEntryNotFoundError", "OfflineModeIsEnabled"):
        offline = " (offline: HF_HUB_OFFLINE=1)" if constants.HF_HUB_OFFLINE else " (the hub was not reachable)"
        return (
            f"model not found: {name}{at} is neither a local folder nor in the Hugging Face cache "
            f"{constants.HF_HUB_CACHE}{offline}"
        )
    detail = " ".join(str(exc).split())[:200]
    token = "" if os.environ.get("HF_TOKEN") else "; set HF_TOKEN for a private or gated model"
    return f"model {name}{at} could not be fetched from the Hugging Face hub: {kind}: {detail}{token}"
