"""Greedy fact-bank scores of a model, written once and read back on resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_measure_writes_three_scores_and_reuses_them(tiny_model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("trl")
    from alphamed_train.evaluate import measure
    from alphamed_train.recipe import load_recipe_dict
    from transformers import AutoTokenizer

    recipe = load_recipe_dict(
        {
            "model": {"name_or_path": str(tiny_model_dir)},
            "data": {"factbank": {"num_rl": 4, "num_heldout": 2}},
            "grpo": {"max_completion_length": 8},
        }
    )
    path = tmp_path / "eval.json"
    scores = measure(recipe, str(tiny_model_dir), AutoTokenizer.from_pretrained(tiny_model_dir), path)
    assert {k: v["n"] for k, v in scores.items()} == {"rl_as_trained": 4, "rl_reordered": 8, "heldout": 4}
    assert json.loads(path.read_text()) == scores
    path.write_text(json.dumps({"reused": True}))
    assert measure(recipe, str(tiny_model_dir), None, path) == {"reused": True}
