"""Shared pytest fixtures for every part of the suite."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny offline model + tokenizer (seed 0), built once per test session.

    Skips cleanly when the model stack (``alphamed[tiny]``: torch, transformers) is missing.
    """
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from alphamed.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"), seed=0)


@pytest.fixture(scope="session")
def tiny_hf_home(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ``HF_HOME`` whose hub cache holds the tiny model as ``TINY_HUB_ID`` (refs/main -> TINY_HUB_COMMIT).

    Use it with ``HF_HUB_OFFLINE=1`` in a subprocess's environment (huggingface_hub reads both at import).
    """
    from hf_cache import TINY_HUB_COMMIT, TINY_HUB_ID, lay_out_hf_cache

    home = tmp_path_factory.mktemp("hf-home")
    lay_out_hf_cache(tiny_model_dir, home, TINY_HUB_ID, TINY_HUB_COMMIT)
    return home
