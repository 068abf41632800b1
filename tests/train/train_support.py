"""Shared helpers of the training tests: a recipe on the tiny model and one short shared GRPO run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def tiny_recipe(model_dir: Path, out: Path, **sections: dict[str, Any]) -> dict[str, Any]:
    """A recipe dict for a fast CPU run on the tiny model with the vowel-share reward."""
    recipe: dict[str, Any] = {
        "model": {"name_or_path": str(model_dir), "dtype": "float32"},
        "data": {"source": "factbank", "factbank": {"num_rl": 16, "num_heldout": 8}},
        "rewards": [{"name": "learnable_reward.vowel_share", "weight": 1.0}],
        "grpo": {
            "learning_rate": 3e-3,
            "num_generations": 8,
            "per_device_train_batch_size": 16,
            "max_steps": 40,
            "max_completion_length": 12,
            "use_cpu": True,
            "seed": 0,
            "loss_type": "dapo",
        },
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
