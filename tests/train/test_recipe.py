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


def test_vllm_on_cpu_needs_the_cpu_weight_sync_and_colocate() -> None:
    msg = _error(BASE | {"generation": {"backend": "vllm"}, "grpo": {"use_cpu": True}})
    assert msg.startswith("--generation.backend vllm rollouts on CPU need --generation.cpu_weight_sync true")
    server = {
        "backend": "vllm",
        "vllm_mode": "server",
        "vllm_server_base_url": "http://h:8000",
        "cpu_weight_sync": True,
    }
    assert _error(BASE | {"generation": server, "grpo": {"use_cpu": True}}).startswith(
        "--generation.vllm_mode server needs a GPU"
    )
    assert _error(BASE | {"generation": {"cpu_weight_sync": True}}).startswith(
        "--generation.cpu_weight_sync only applies"
    )
    ok = load_recipe_dict(
        BASE | {"generation": {"backend": "vllm", "cpu_weight_sync": True}, "grpo": {"use_cpu": True}}
    )
    assert ok.generation.cpu_weight_sync


@pytest.mark.parametrize(
    ("section", "values", "expected"),
    [
        (
            "grpo",
            {"mask_truncated_completions": "maybe"},
            "--grpo.mask_truncated_completions input should be a valid boolean",
        ),
        ("grpo", {"epsilon_hgh": 0.28}, "--grpo.epsilon_hgh is not a recipe setting (TRL's GRPOConfig"),
        ("grpo", {"epsilon_hgh": 0.28}, "did you mean --grpo.epsilon_high?"),
        ("grpo", {"steps_per_generation": "two"}, "--grpo.steps_per_generation input should be a valid integer"),
        ("grpo", {"save_steps": 5}, "--grpo.save_steps is set by the runner: use --checkpointing.save_steps"),
        ("grpo", {"output_dir": "x"}, "--grpo.output_dir is set by the runner: use --checkpointing.output_dir"),
        (
            "grpo",
            {"vllm_enable_sleep_mode": True},
            "--grpo.vllm_enable_sleep_mode is a generation setting: use --generation.",
        ),
        ("grpo", {"extra": {"beta": 0.1}}, "--grpo.extra is not a recipe setting"),
        (
            "generation",
            {"vllm_max_model_length": "long"},
            "--generation.vllm_max_model_length input should be a valid integer",
        ),
        ("generation", {"vllm_mode": "remote"}, "--generation.vllm_mode must be one of 'colocate' or 'server'"),
        ("peft", {"r": 0}, "--peft.r must be >= 1 (got 0)"),
        ("peft", {"lora_alfa": 16}, "--peft.lora_alfa is not a recipe setting (PEFT's LoraConfig"),
        ("peft", {"task_type": "SEQ_CLS"}, "--peft.task_type is set by the runner"),
        ("model", {"attn_implementation": "flash"}, "--model.attn_implementation must be one of"),
    ],
)
def test_library_fields_are_typed_and_checked(section: str, values: dict, expected: str) -> None:
    assert expected in _error(BASE | {section: values})


def test_every_grpo_config_field_is_a_setting_with_trl_help_text() -> None:
    import dataclasses

    from alphamed_train.library_sections import RUNNER_OWNED, grpo_section
    from trl import GRPOConfig

    fields = grpo_section().model_fields
    for f in dataclasses.fields(GRPOConfig):
        where = "generation" if f.name.startswith("vllm_") else "runner" if f.name in RUNNER_OWNED else "grpo"
        assert f.name in fields, f.name
        if where == "grpo" and f.metadata.get("help"):
            assert fields[f.name].description.split()[:3] == f.metadata["help"].split()[:3], f.name


def test_trl_fields_reach_grpo_config(tmp_path: Path) -> None:
    from alphamed_train.run import grpo_args

    knobs = {
        "mask_truncated_completions": True,
        "epsilon_high": 0.28,
        "steps_per_generation": 2,
        "importance_sampling_level": "sequence",
        "push_to_hub": False,
        "hub_model_id": "me/alphamed-test",
    }
    recipe = load_recipe_dict(BASE | {"grpo": knobs | {"use_cpu": True}, "generation": {"vllm_max_model_length": 256}})
    args = grpo_args(recipe, tmp_path, [1.0, 0.1])
    assert {k: getattr(args, k) for k in knobs} == knobs
    assert (args.lr_scheduler_type.value, args.max_completion_length, args.use_vllm) == ("constant", 1024, False)
    vllm = load_recipe_dict(BASE | {"generation": {"backend": "vllm", "vllm_max_model_length": 256}})
    args = grpo_args(vllm, tmp_path, [1.0, 0.1])
    assert (args.use_vllm, args.vllm_max_model_length, args.vllm_mode) == (True, 256, "colocate")


def test_trl_refusals_are_recipe_errors(tmp_path: Path) -> None:
    from alphamed_train.run import grpo_args

    recipe = load_recipe_dict(BASE | {"grpo": {"auto_find_batch_size": True, "use_cpu": True}})
    with pytest.raises(RecipeError, match=r"^--grpo: TRL.s GRPOConfig refused the settings: .*auto_find_batch_size"):
        grpo_args(recipe, tmp_path, [1.0, 0.1])


def test_missing_model_and_unknown_reward() -> None:
    assert "--model is required" in _error({})
    assert "--rewards.0.name must be one of accuracy, format" in _error(BASE | {"rewards": [{"name": "vibes"}]})


def test_overrides_parse_yaml_values_and_nest() -> None:
    data = apply_overrides(
        {"grpo": {"beta": 0.0}}, ["--grpo.beta", "0.04", "--logging.report_to=[wandb]", "--grpo.use_cpu", "true"]
    )
    assert data == {"grpo": {"beta": 0.04, "use_cpu": True}, "logging": {"report_to": ["wandb"]}}
    with pytest.raises(RecipeError, match="--grpo.beta needs a value"):
        apply_overrides({}, ["--grpo.beta"])


def test_override_errors_name_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("model: {name_or_path: m}\n")
    with pytest.raises(RecipeError, match=r"--grpo.max_steps must be -1 or > 0"):
        load_recipe(path, ["--grpo.max_steps", "0"])


@pytest.mark.parametrize(
    "name", ["tiny-copymatch", "tiny-cpu", "alphamed-8b-llama", "alphamed-7b-qwen", "alphamed-8b-llama-lora"]
)
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


def test_evaluation_every_steps_without_the_client_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "alphamed_client" else real(name, *a)
    )
    msg = _error(BASE | {"data": {"source": "factbank"}, "evaluation": {"every_steps": 5}})
    assert msg == "--evaluation.every_steps needs alphamed-client: pip install 'alphamed-train[eval]'"


def test_copymatch_recipe_settings_are_checked() -> None:
    recipe = load_recipe(RECIPES / "tiny-copymatch.yaml")
    assert recipe.data.source == "copymatch" and recipe.warm_start.prompt_loss
    assert recipe.evaluation.select_best and recipe.evaluation.bank == "copymatch-validation"
    assert recipe.grpo.mask_truncated_completions and recipe.transfer.seeds == [0, 1, 2]
    with pytest.raises(RecipeError, match=r"--evaluation.select_best needs --evaluation.every_steps"):
        load_recipe(RECIPES / "tiny-copymatch.yaml", ["--evaluation.every_steps", "null"])
    with pytest.raises(RecipeError, match=r"--evaluation.bank copymatch-validation needs --data.source copymatch"):
        load_recipe(
            RECIPES / "tiny-cpu.yaml", ["--evaluation.bank", "copymatch-validation", "--evaluation.every_steps", "5"]
        )
    with pytest.raises(RecipeError, match=r"--model.tiny.tokenizer must be one of"):
        load_recipe(RECIPES / "tiny-copymatch.yaml", ["--model.tiny.tokenizer", "chars"])
