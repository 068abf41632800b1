"""LoRA through PEFT on the tiny model: adapters train, a run resumes from an adapter checkpoint, and the
merged final folder is an ordinary checkpoint that `alphamed serve` loads and answers from."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from train_support import HERE, tiny_recipe

pytest.importorskip("peft")
pytest.importorskip("trl")

LORA = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}


@pytest.fixture(scope="module")
def lora_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """4 LoRA steps (checkpoints at 2 and 4), then the same run resumed to step 6."""
    sys.path.insert(0, str(HERE))
    from alphamed_train.recipe import load_recipe_dict
    from alphamed_train.run import run

    out = tmp_path_factory.mktemp("lora-run")
    recipe = tiny_recipe(
        tiny_model_dir,
        out,
        peft=LORA,
        grpo={"max_steps": 4, "learning_rate": 2e-2},
        checkpointing={"save_steps": 2, "save_total_limit": 2},
    )
    first = run(load_recipe_dict(recipe))
    recipe["grpo"]["max_steps"] = 6
    progress = io.StringIO()  # the per-step lines the run writes to stderr
    with contextlib.redirect_stderr(progress):
        resumed = run(load_recipe_dict(recipe), resume=True)
    stepped = [int(m) for m in re.findall(r"\[step (\d+)\] loss=", progress.getvalue())]
    return {"out": out, "first": first, "resumed": resumed, "stepped": stepped, "base": tiny_model_dir}


def test_checkpoints_hold_adapters_only(lora_run: dict[str, Any]) -> None:
    ckpt = lora_run["out"] / "checkpoint-4"
    config = json.loads((ckpt / "adapter_config.json").read_text())
    assert (config["r"], config["lora_alpha"], sorted(config["target_modules"])) == (8, 16, ["q_proj", "v_proj"])
    assert (ckpt / "adapter_model.safetensors").exists() and not (ckpt / "model.safetensors").exists()
    assert (ckpt / "alphamed_checkpoint.json").exists()


def test_resume_continues_from_the_adapter_checkpoint(lora_run: dict[str, Any]) -> None:
    assert lora_run["first"]["steps"] == 4
    assert lora_run["resumed"]["resumed_from"].endswith("checkpoint-4")
    assert lora_run["resumed"]["steps"] == 6
    assert lora_run["stepped"] == [5, 6]  # trained steps 5 and 6 only, not from scratch
    rows = [json.loads(line) for line in (lora_run["out"] / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "loss" in r] == [1, 2, 3, 4, 5, 6]  # history restored from checkpoint-4


def test_adapter_trained_and_merged_folder_is_a_plain_model(lora_run: dict[str, Any]) -> None:
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    adapter = load_file(lora_run["out"] / "final-adapter" / "adapter_model.safetensors")
    lora_b = [t for name, t in adapter.items() if "lora_B" in name]
    assert lora_b and all(t.abs().sum() > 0 for t in lora_b)  # PEFT initialises B to zero: the adapter learned
    final = lora_run["out"] / "final"
    assert not (final / "adapter_config.json").exists()
    before = AutoModelForCausalLM.from_pretrained(lora_run["base"]).state_dict()
    after = AutoModelForCausalLM.from_pretrained(final).state_dict()
    assert set(before) == set(after)
    changed = {k for k in before if not before[k].equal(after[k])}
    assert changed and all(("q_proj" in k or "v_proj" in k) and k.endswith("weight") for k in changed), changed


@pytest.mark.slow  # starts a real server on the merged model
def test_merged_folder_serves(lora_run: dict[str, Any]) -> None:
    pytest.importorskip("alphamed_serve.cli")
    pytest.importorskip("openai")
    from gateway_process import GatewayProcess

    server = GatewayProcess(
        str(lora_run["out"] / "final"),
        "--backend",
        "transformers",
        "--device",
        "cpu",
        "--served-model-name",
        "lora",
        timeout=180,
    )
    try:
        client = server.client(timeout=120)
        reply = client.chat.completions.create(
            model="lora", max_tokens=8, messages=[{"role": "user", "content": "First-line treatment of gout?"}]
        )
        assert reply.choices[0].finish_reason in ("stop", "length") and reply.usage.completion_tokens >= 1
    finally:
        server.stop()
