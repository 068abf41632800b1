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
