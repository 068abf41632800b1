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


def test_heldout_bank_is_scored_every_n_steps_beside_the_rewards(tiny_model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("trl")
    import sys

    from train_support import HERE, tiny_recipe

    sys.path.insert(0, str(HERE))
    from alphamed_train.recipe import load_recipe_dict
    from alphamed_train.run import run

    out = tmp_path / "run"
    recipe = tiny_recipe(
        tiny_model_dir,
        out,
        grpo={"max_steps": 4, "per_device_train_batch_size": 8},
        evaluation={"every_steps": 2, "max_questions": 6},
        checkpointing={"save_steps": 100},
    )
    run(load_recipe_dict(recipe))
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    steps = {r["step"]: r for r in rows if "reward" in r}
    assert sorted(steps) == [1, 2, 3, 4]
    for step in (2, 4):
        row = steps[step]
        assert row["eval/n"] == 6 and "rewards/vowel_share/mean" in row
        assert 0 <= row["eval/accuracy_ci_low"] <= row["eval/accuracy"] <= row["eval/accuracy_ci_high"] <= 1
        assert row["eval/accuracy_ci_high"] - row["eval/accuracy_ci_low"] > 0.2  # n = 6: a wide interval
        assert 0 <= row["eval/format"] <= 1
    assert not any(k.startswith("eval/") for step in (1, 3) for k in steps[step])


def test_heldout_bank_from_a_jsonl_file(tmp_path: Path) -> None:
    from alphamed_train.evaluate import heldout_questions
    from alphamed_train.factbank import FactBank
    from alphamed_train.recipe import RecipeError, load_recipe_dict

    from alphamed.data import write_bank

    path = tmp_path / "bank.jsonl"
    write_bank(FactBank.generate(1).questions("heldout"), path)
    recipe = load_recipe_dict(
        {
            "model": {"name_or_path": "m"},
            "data": {"source": str(path)},
            "evaluation": {"every_steps": 5, "bank": str(path), "max_questions": 3},
        }
    )
    assert [q.id for q in heldout_questions(recipe)] == [q.id for q in FactBank.generate(1).questions("heldout")[:3]]
    with pytest.raises(RecipeError, match="^--evaluation.bank factbank-heldout needs --data.source factbank"):
        load_recipe_dict(
            {"model": {"name_or_path": "m"}, "data": {"source": str(path)}, "evaluation": {"every_steps": 5}}
        )
