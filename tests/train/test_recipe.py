"""Recipe validation: every error names the field and its CLI flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from alphamed_train.recipe import RecipeError, apply_overrides, load_recipe, load_recipe_dict

RECIPES = Path(__file__).parents[2] / "train" / "recipes"
BASE = {"model": {"name_or_path": "m"}}


def _error(data: dict) -> str:
    with pytest.raises(RecipeError) as info:
        load_recipe_dict(data)
    return str(info.value)


@pytest.mark.parametrize(
    ("section", "values", "expected"),
    [
        ("grpo", {"learning_rate": -1}, "--grpo.learning_rate must be > 0 (got -1)"),
        ("grpo", {"num_generations": 1}, "--grpo.num_generations must be >= 2"),
        ("grpo", {"num_generations": 3, "per_device_train_batch_size": 8}, "--grpo.num_generations must divide"),
        ("grpo", {"lerning_rate": 1e-5}, "--grpo.lerning_rate is not a recipe setting"),
        ("grpo", {"beta": "lots"}, "--grpo.beta input should be a valid number"),
        ("generation", {"backend": "sglang"}, "--generation.backend must be one of"),
        ("generation", {"backend": "vllm", "vllm_mode": "server"}, "--generation.vllm_server_base_url is required"),
        ("data", {"style": "haiku"}, "--data.style must be one of alphamed"),
        ("checkpointing", {"output_dir": "x", "save_total_limit": 1}, "--checkpointing.save_total_limit must be >= 2"),
        ("warm_start", {"learning_rate": 0}, "--warm_start.learning_rate must be > 0"),
    ],
)
def test_errors_name_the_flag(section: str, values: dict, expected: str) -> None:
    assert expected in _error(BASE | {section: values})


def test_vllm_on_cpu_is_refused_with_the_flag() -> None:
    msg = _error(BASE | {"generation": {"backend": "vllm"}, "grpo": {"use_cpu": True}})
    assert msg.startswith("--generation.backend vllm rollouts need a GPU")


def test_missing_model_and_unknown_reward() -> None:
    assert "--model is required" in _error({})
    assert "--rewards.0.name must be one of accuracy, format" in _error(BASE | {"rewards": [{"name": "vibes"}]})


def test_overrides_parse_yaml_values_and_nest() -> None:
    data = apply_overrides({"grpo": {"beta": 0.0}}, ["--grpo.beta", "0.04", "--logging.report_to=[wandb]", "--grpo.use_cpu", "true"])
    assert data == {"grpo": {"beta": 0.04, "use_cpu": True}, "logging": {"report_to": ["wandb"]}}
    with pytest.raises(RecipeError, match="--grpo.beta needs a value"):
        apply_overrides({}, ["--grpo.beta"])


def test_override_errors_name_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("model: {name_or_path: m}\n")
    with pytest.raises(RecipeError, match=r"--grpo.max_steps must be -1 or > 0"):
        load_recipe(path, ["--grpo.max_steps", "0"])


@pytest.mark.parametrize("name", ["tiny-cpu", "alphamed-8b-llama", "alphamed-7b-qwen"])
def test_bundled_recipes_validate(name: str) -> None:
    recipe = load_recipe(RECIPES / f"{name}.yaml")
    assert recipe.rewards[0].name == "accuracy"
    assert recipe.checkpointing.output_dir


def test_unreadable_recipe_is_a_recipe_error(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="cannot read recipe"):
        load_recipe(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("model: [unclosed\n")
    with pytest.raises(RecipeError, match="not valid YAML"):
        load_recipe(tmp_path / "bad.yaml")
