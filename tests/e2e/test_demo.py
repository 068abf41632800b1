"""`make demo` as a test: the real Makefile target with shorter training, so the demo cannot rot.

Runs the transfer measurement (warm start -> GRPO x 3 seeds -> SFT control -> transfer.json) -> the
copy/match bank -> serve -> score (sample bank + copy/match bank) -> report -> stop, exactly the Makefile's
commands, with ``DEMO_TRAIN_ARGS`` cutting the warm start and GRPO to a few steps and the measures to
fewer questions. What a short run can show is the structure of ``transfer.json`` and that its numbers
are consistent (the target itself, GRPO above the warm start in every seed, needs the full run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from ports import free_port  # the suite's one helper (tests/support)

ROOT = Path(__file__).resolve().parents[2]
SHORT_TRAINING = (
    "--grpo.max_steps 4 --warm_start.steps 30 --evaluation.every_steps 2 --transfer.sft_seconds 5"
    " --data.copymatch.num_rl 24 --data.copymatch.num_validation 12 --data.copymatch.num_heldout 30"
)
GRPO_STEPS = 4
SEEDS = [0, 1, 2]
SERVED = 6  # DEMO_SERVED: questions of each measure scored through the server
TIMEOUT_S = 1500  # about 3 minutes on 2 quiet cores; a machine shared with other jobs can be 5x slower

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None or shutil.which("curl") is None, reason="needs make and curl"),
]


def port_open(port: int) -> bool:
    """Whether something accepts connections on ``port``."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path, int]:
    """Run ``make demo`` once with short training, in a temporary work folder and a free port."""
    pytest.importorskip("trl")
    pytest.importorskip("alphamed_serve")
    pytest.importorskip("alphamed_client")
    work = tmp_path_factory.mktemp("demo")
    port = free_port()
    venv = Path(sys.prefix)
    if not (venv / "bin" / "alphamed").exists():
        pytest.skip(f"no alphamed console script in {venv}/bin")
    cmd = [
        "make",
        "--no-print-directory",
        "-o",
        f"{venv}/.alphamed-installed",
        "demo",
        f"VENV={venv}",
        f"WORK={work}",
        f"DEMO_PORT={port}",
        f"DEMO_TRAIN_ARGS={SHORT_TRAINING}",
        f"DEMO_SERVED={SERVED}",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    with subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as child:
        try:
            stdout, stderr = child.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGTERM)  # the recipe's trap stops the server
            stdout, stderr = child.communicate(timeout=60)
            pytest.fail(f"make demo took over {TIMEOUT_S} s\n{stderr[-3000:]}")
    proc = subprocess.CompletedProcess(cmd, child.returncode, stdout, stderr)
    (work / "make-demo.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    return proc, work, port


def test_demo_succeeds_and_stops_its_server(demo_run) -> None:
    proc, work, port = demo_run
    assert proc.returncode == 0, f"make demo failed; log in {work / 'make-demo.log'}\n{proc.stderr[-3000:]}"
    assert "server stopped" in proc.stdout
    assert not port_open(port), "the demo left its server running"


def test_training_shows_the_reward_every_step(demo_run) -> None:
    proc, work, _ = demo_run
    steps = [int(s) for s in re.findall(r"\[step (\d+)\][^\n]*\breward=", proc.stderr)]
    assert steps == list(range(1, GRPO_STEPS + 1)) * len(SEEDS)
    for seed in SEEDS:
        summary = json.loads((work / "run" / f"seed-{seed}" / "summary.json").read_text())
        assert summary["steps"] == GRPO_STEPS
        assert summary["selected_step"] in (2, 4)  # chosen on the validation curve
        assert (work / "run" / f"seed-{seed}" / "final" / "config.json").exists()


def check_score(score: dict, n: int, orders: int) -> None:
    assert score["n"] == n and score["orders"] == orders
    low, high = score["ci"]
    assert 0.0 <= low <= score["accuracy"] <= high <= 100.0
    if orders > 1 or "seeds" in score:  # the same pick across orders (and, pooled, across seeds)
        assert 0.0 <= score["consistent"] <= 100.0
    else:
        assert score["consistent"] is None


def test_transfer_json_has_every_measure_seed_and_the_control(demo_run) -> None:
    _, work, _ = demo_run
    result = json.loads((work / "transfer.json").read_text())
    sizes = {"as_trained": (24, 1), "reordered": (24, 2), "heldout": (30, 3)}
    for measure, (n, orders) in sizes.items():
        before, after = result[measure]["before"], result[measure]["after"]
        check_score(before, n, orders)
        check_score(after, n, orders)
        assert after["seeds"] == len(SEEDS)
        assert result["sft_control"][measure]["before"] == before  # the same warm start
        check_score(result["sft_control"][measure]["after"], n, orders)
        for seed in result["seeds"]:
            check_score(seed[measure], n, orders)
    assert [s["seed"] for s in result["seeds"]] == SEEDS
    pooled = sum(s["heldout"]["accuracy"] for s in result["seeds"]) / len(SEEDS)
    assert abs(result["heldout"]["after"]["accuracy"] - pooled) <= 0.11  # pooled = mean of the seeds
    assert result["sft_control"]["steps"] > 0 and result["sft_control"]["seconds"] >= 5


def test_the_result_is_printed_in_one_sentence(demo_run) -> None:
    proc, work, _ = demo_run
    result = json.loads((work / "transfer.json").read_text())
    assert proc.stdout.strip().splitlines()[-1] == result["sentence"]
    h = result["heldout"]["before"]
    assert f"warm start {h['accuracy']:.1f}% [{h['ci'][0]:.1f}, {h['ci'][1]:.1f}]" in result["sentence"]
    for seed in result["seeds"]:
        assert f"seed {seed['seed']} {seed['heldout']['accuracy']:.1f}%" in result["sentence"]


def test_both_banks_are_scored_through_the_server(demo_run) -> None:
    proc, work, _ = demo_run
    sample_bank = ROOT / "alphamed" / "data" / "samples" / "sample_bank.jsonl"
    sample_rows = read_jsonl(work / "sample-results.jsonl")
    bank_rows = read_jsonl(work / "copymatch-results.jsonl")
    assert len(sample_rows) == len(read_jsonl(sample_bank))
    assert len(bank_rows) == len(read_jsonl(work / "copymatch.jsonl")) == SERVED * (1 + 2 + 3)
    for row in sample_rows + bank_rows:
        assert row.get("error") in (None, ""), row
    assert {row["subject"] for row in bank_rows} == {"as_trained", "reordered", "heldout"}


def test_report_prints_accuracy_by_measure(demo_run) -> None:
    proc, _, _ = demo_run
    report = proc.stdout.split("report", 1)[-1]
    for subject in ("as_trained", "reordered", "heldout"):
        assert re.search(rf"{subject}\s*\|\s*\d+", report), f"{subject} missing from the report:\n{report}"
