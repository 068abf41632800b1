"""docker/train.Dockerfile, unchanged, built on the CPU stand-in for vllm/vllm-openai and run by a real Docker
daemon: its entrypoint (`alphamed train`) runs 3 GRPO steps of the bundled tiny recipe into a mounted folder."""

from __future__ import annotations

import json

import pytest
from docker_support import build, docker, record, require_docker

pytestmark = [pytest.mark.require_docker, pytest.mark.timeout(2400)]

STANDIN = "local/vllm-cpu-standin:0.32.0"


def test_train_image_runs_three_grpo_steps_of_the_tiny_recipe(tmp_path):
    require_docker(STANDIN)
    image = build("train.Dockerfile", "alphamed-train:cpu-test", f"VLLM_IMAGE={STANDIN}")
    runs = tmp_path / "runs"
    runs.mkdir()
    import time

    started = time.monotonic()
    done = docker(
        "run",
        "--rm",
        "--network=host",
        "-e",
        "OMP_NUM_THREADS=2",
        "-v",
        f"{runs}:/runs",
        image,
        "tiny-cpu",
        "--grpo.max_steps",
        "3",
        "--warm_start.steps",
        "20",
        "--evaluation.factbank",
        "false",
        "--checkpointing.output_dir",
        "/runs/tiny",
        timeout=1200,
        check=False,
    )
    record("train image: 3 GRPO steps", time.monotonic() - started)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout[done.stdout.index("{") :])
    assert summary["steps"] == 3
    assert (runs / "tiny" / "final" / "config.json").is_file()
    assert any((runs / "tiny" / "final").glob("*.safetensors"))
