"""Fixtures of the training tests: a recipe on the tiny model and one short shared GRPO run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent


def tiny_recipe(model_dir: Path, out: Path, **sections: dict[str, Any]) -> dict[str, Any]:
    """A recipe dict for a fast CPU run on the tiny model with the vowel-share reward."""
    recipe: dict[str, Any] = {
        "model": {"name_or_path": str(model_dir), "dtype": "float32"},
        "data": {"source": "factbank", "factbank": {"num_rl": 16, "num_heldout": 8}},
        "rewards": [{"name": "learnable_reward.vowel_share", "weight": 1.0}],
        "grpo": {"learning_rate": 3e-3, "num_generations": 8, "per_device_train_batch_size": 16, "max_steps": 40,
                 "max_completion_length": 12, "use_cpu": True, "seed": 0, "loss_type": "dapo"},
        "checkpointing": {"output_dir": str(out), "save_steps": 10, "save_total_limit": 3},
        "logging": {"report_to": ["tensorboard"], "logging_steps": 1},
        "evaluation": {"factbank": False},
    }
    for name, values in sections.items():
        recipe.setdefault(name, {}).update(values)
    return recipe


def write_recipe(path: Path, recipe: dict[str, Any]) -> Path:
    """Write ``recipe`` as YAML to ``path``."""
    import yaml

    path.write_text(yaml.safe_dump(recipe))
    return path


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
