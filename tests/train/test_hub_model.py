"""`model.name_or_path` as a Hugging Face hub id: resolved through the cache (offline here), like from_pretrained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hf_cache import TINY_HUB_COMMIT, TINY_HUB_ID
from train_support import HERE, tiny_recipe, write_recipe


def _train(recipe: Path, hf_home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env |= {"PYTHONPATH": str(HERE), "OMP_NUM_THREADS": "1", "HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "alphamed_train.run", str(recipe)], env=env, capture_output=True, text=True, timeout=600
    )


def test_grpo_starts_from_a_cached_hub_id(tiny_hf_home: Path, tiny_model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("trl")
    recipe = tiny_recipe(tiny_model_dir, tmp_path / "run", grpo={"max_steps": 2}, checkpointing={"save_steps": 2})
    recipe["model"] |= {"name_or_path": TINY_HUB_ID, "revision": TINY_HUB_COMMIT}
    proc = _train(write_recipe(tmp_path / "r.yaml", recipe), tiny_hf_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout[proc.stdout.index("{") :])["steps"] == 2


def test_missing_hub_id_is_one_line(tiny_hf_home: Path, tmp_path: Path) -> None:
    recipe = tiny_recipe(Path("alphamed-test/no-such-model"), tmp_path / "run")
    proc = _train(write_recipe(tmp_path / "r.yaml", recipe), tiny_hf_home)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: model not found: alphamed-test/no-such-model")
