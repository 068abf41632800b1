"""A few GRPO steps under DeepSpeed ZeRO-2 in one CPU process (gloo, DS_ACCELERATOR=cpu)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from train_support import HERE, tiny_recipe, write_recipe


@pytest.mark.slow
def test_zero2_single_process_on_cpu(tiny_model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("deepspeed")
    out = tmp_path / "ds"
    recipe = write_recipe(
        tmp_path / "r.yaml",
        tiny_recipe(
            tiny_model_dir,
            out,
            grpo={"max_steps": 3},
            checkpointing={"save_steps": 2},
            distributed={"deepspeed": "zero2"},
        ),
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
    }
    env |= {"PYTHONPATH": str(HERE), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "alphamed_train.run", str(recipe)], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert summary["steps"] == 3
    assert (out / "checkpoint-2" / "global_step2").is_dir(), "not a DeepSpeed checkpoint"
    from transformers import AutoModelForCausalLM

    assert AutoModelForCausalLM.from_pretrained(out / "final").num_parameters() > 0
