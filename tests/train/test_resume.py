"""A run killed with SIGKILL between saves resumes from its last complete checkpoint, not step 0."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from learnable_reward import HOLD_WHEN
from train_support import HERE, tiny_recipe, write_recipe


def _start(
    recipe: Path, *extra: str, stderr: object = subprocess.DEVNULL, hold_when: Path | None = None
) -> subprocess.Popen:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]), OMP_NUM_THREADS="1"
    )
    if hold_when:
        env[HOLD_WHEN] = str(hold_when)
    return subprocess.Popen(
        [sys.executable, "-m", "alphamed_train.run", str(recipe), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


@pytest.mark.slow
def test_sigkill_between_saves_then_resume(tiny_model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    settings = tiny_recipe(
        tiny_model_dir, out, grpo={"max_steps": 14, "learning_rate": 1e-3}, checkpointing={"save_steps": 4}
    )
    settings["rewards"] = [{"name": "learnable_reward.vowel_share_or_hold", "weight": 1.0}]
    recipe = write_recipe(tmp_path / "r.yaml", settings)
    marker = out / "checkpoint-8" / "alphamed_checkpoint.json"
    proc = _start(recipe, hold_when=marker)  # step 9 blocks once checkpoint-8 is complete: the kill lands there
    deadline = time.monotonic() + 240
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert marker.exists(), "the run never completed checkpoint-8"
    assert not (out / "final").exists()
    # what a kill in the middle of the next save leaves behind: a folder without the marker
    half = out / "checkpoint-12"
    assert not half.exists()
    half.mkdir()
    (half / "model.safetensors").write_bytes(b"truncated")

    with open(tmp_path / "resume.err", "w") as err:
        resumed = _start(recipe, "--resume", stderr=err)
        stdout, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0
    summary = json.loads(stdout[stdout.index("{") :])
    assert summary["resumed_from"].endswith("checkpoint-8")
    assert summary["steps"] == 14
    stepped = [int(m) for m in re.findall(r"\[step (\d+)\] loss=", (tmp_path / "resume.err").read_text())]
    assert stepped == list(range(9, 15)), "the resumed run did not continue at step 9"
    assert json.loads((out / "final" / "alphamed_checkpoint.json").read_text())["step"] == 14
    assert [p.name.split(".")[0] for p in (out / "incomplete").iterdir()] == ["checkpoint-12"]
