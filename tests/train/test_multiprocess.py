"""`alphamed train RECIPE --num-processes 2`: accelerate + DeepSpeed ZeRO-2 with 2 CPU ranks (gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from train_support import HERE, tiny_recipe, write_recipe

pytestmark = pytest.mark.slow


def test_two_ranks_step_together_and_save_one_folder(tiny_model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("deepspeed")
    out = tmp_path / "mp"
    recipe = write_recipe(
        tmp_path / "r.yaml",
        tiny_recipe(
            tiny_model_dir,
            out,
            grpo={"max_steps": 3, "per_device_train_batch_size": 8},
            checkpointing={"save_steps": 3},
            logging={"report_to": ["none"]},
        ),
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
    }
    env |= {"PYTHONPATH": str(HERE), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "alphamed", "train", str(recipe), "--num-processes", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "rank 0 of 2 finished at step 3" in proc.stderr
    assert "rank 1 of 2 finished at step 3" in proc.stderr
    summary = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert summary["steps"] == 3
    from alphamed_train.factbank import FactBank
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from alphamed.prompts import build_messages

    # the logged token count is gathered over both ranks: more than one rank's 8 completions can hold
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    longest = max(
        len(
            tok(
                tok.apply_chat_template(build_messages(q, "alphamed"), add_generation_prompt=True, tokenize=False),
                add_special_tokens=False,
            ).input_ids
        )
        for q in FactBank.generate(0).questions("rl")
    )
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if '"num_tokens"' in line]
    assert rows[0]["num_tokens"] > 8 * (longest + 12)

    final = out / "final"
    assert AutoModelForCausalLM.from_pretrained(final).num_parameters() > 0
    assert AutoTokenizer.from_pretrained(final).chat_template
    assert not list(final.glob("global_step*")), "final folder should be one consolidated HF model"
