"""`make demo` as a test: the real Makefile target with shorter training, so the demo cannot rot.

Runs train -> fact bank -> serve -> score (sample bank + fact bank) -> report -> stop, exactly the
Makefile's commands, with ``DEMO_TRAIN_ARGS`` cutting the warm start and GRPO to a few steps.
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
SHORT_TRAINING = "--grpo.max_steps 5 --warm_start.steps 30 --checkpointing.save_steps 5 --evaluation.factbank false"
GRPO_STEPS = 5
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
    steps = re.findall(r"\[step (\d+)\][^\n]*\breward=", proc.stderr)
    assert [int(s) for s in steps] == list(range(1, GRPO_STEPS + 1))
    summary = json.loads((work / "run" / "summary.json").read_text())
    assert summary["steps"] == GRPO_STEPS
    assert (work / "run" / "final" / "config.json").exists()


def test_both_banks_are_scored_through_the_server(demo_run) -> None:
    proc, work, _ = demo_run
    sample_bank = ROOT / "alphamed" / "data" / "samples" / "sample_bank.jsonl"
    sample_rows = read_jsonl(work / "sample-results.jsonl")
    fact_rows = read_jsonl(work / "factbank-results.jsonl")
    assert len(sample_rows) == len(read_jsonl(sample_bank))
    assert len(fact_rows) == len(read_jsonl(work / "factbank.jsonl")) == 64
    for row in sample_rows + fact_rows:
        assert row.get("error") in (None, ""), row
    assert {row["subject"] for row in fact_rows} == {"rl_as_trained", "rl_reordered", "heldout"}


def test_report_prints_accuracy_by_measure(demo_run) -> None:
    proc, _, _ = demo_run
    report = proc.stdout.split("report", 1)[-1]
    for subject in ("rl_as_trained", "rl_reordered", "heldout"):
        assert re.search(rf"{subject}\s*\|\s*\d+", report), f"{subject} missing from the report:\n{report}"
