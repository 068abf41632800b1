"""Fixtures of the train tests (helpers live in train_support.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from train_support import HERE, tiny_recipe, write_recipe  # noqa: F401


@pytest.fixture(scope="session")
def short_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One short seeded GRPO run (in process), shared by the tests that inspect its results."""
    pytest.importorskip("trl")
    import sys

    sys.path.insert(0, str(HERE))
    from alphamed_train.recipe import load_recipe_dict
    from alphamed_train.run import run

    out = tmp_path_factory.mktemp("short-run")
    summary = run(load_recipe_dict(tiny_recipe(tiny_model_dir, out)))
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return {"out": out, "summary": summary, "rows": [r for r in rows if "reward" in r], "base": tiny_model_dir}
