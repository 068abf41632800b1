"""The client's commands: score/report end to end, SIGKILL + resume, one-line errors."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

from alphamed_client.report import ScoreReport
from click.testing import CliRunner
from client_support import right_when, write_bank
from fake_openai import Reply

from alphamed.cli import main

STABLE_FIELDS = (
    "rows",
    "answered",
    "errors",
    "unlabeled",
    "overall",
    "abstention_rate",
    "by",
    "confusion",
    "methods",
    "prompt_tokens",
    "completion_tokens",
)


def stable(report: ScoreReport) -> dict:
    """A report without its timings, which differ from run to run."""
    return report.model_dump(include=set(STABLE_FIELDS))


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_missing_bank_is_one_line(tmp_path):
    result = invoke("score", str(tmp_path / "nope.jsonl"), "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    assert result.exit_code == 2 and "nope.jsonl" in result.stderr


def test_score_prints_a_table_and_writes_results_and_report(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: i % 4 != 1))
    bank = write_bank(tmp_path / "bank.jsonl", 20, extra_lines={5: "not json"})
    out, report_path = tmp_path / "r.jsonl", tmp_path / "report.md"
    result = invoke(
        "score",
        str(bank),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "--out",
        str(out),
        "--report",
        str(report_path),
        "--concurrency",
        "4",
    )
    assert result.exit_code == 0, result.output
    assert "| overall | 20 | 15 | 75.0 |" in result.stdout
    assert f"{bank}:7" in result.stderr  # the bad line, with file and line
    assert len(out.read_text().splitlines()) == 20
    assert "### Confusion" in report_path.read_text()


def test_report_command_formats_and_compare(tmp_path, fake_server):
    bank = write_bank(tmp_path / "bank.jsonl", 12)
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    for path, predicate in ((old, lambda i: i < 6), (new, lambda i: i >= 3)):
        server = fake_server(right_when(predicate))
        assert (
            invoke(
                "score", str(bank), "--base-url", server.base_url, "--model", "fake-model", "--out", str(path)
            ).exit_code
            == 0
        )
    result = invoke("report", str(new), "--compare", str(old), "--by", "source")
    assert result.exit_code == 0
    assert "fixed: q10, q11, q6, q7, q8, q9" in result.stdout and "broken: q0, q1, q2" in result.stdout
    payload = json.loads(invoke("report", str(new), "--format", "json").stdout)
    assert payload["report"]["overall"]["correct"] == 9
    bad = invoke("report", str(new), "--by", "colour")
    assert bad.exit_code != 0 and "colour" in bad.output


def test_unreachable_server_is_one_line_with_the_url_and_nothing_is_scored(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    bank = write_bank(tmp_path / "bank.jsonl", 3)
    result = invoke(
        "score", str(bank), "--base-url", url, "--model", "m", "--max-retries", "0", "--out", str(tmp_path / "r.jsonl")
    )
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and url in result.stderr
    assert not (tmp_path / "r.jsonl").exists() or (tmp_path / "r.jsonl").read_text() == ""


def test_wrong_api_key_is_one_line(tmp_path, fake_server, monkeypatch):
    server = fake_server(api_key="secret")
    bank = write_bank(tmp_path / "bank.jsonl", 3)
    monkeypatch.setenv("MY_KEY", "not-the-key")
    result = invoke(
        "score",
        str(bank),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "--api-key-env",
        "MY_KEY",
        "--out",
        str(tmp_path / "r.jsonl"),
    )
    assert result.exit_code == 1 and "rejected the API key" in result.stderr
    assert "not-the-key" not in result.stderr
    assert [r.path for r in server.log] == []  # no question was sent


def test_a_failing_server_check_is_one_line_not_a_traceback(tmp_path, fake_server):
    server = fake_server(models_status=500)
    bank = write_bank(tmp_path / "bank.jsonl", 2)
    result = invoke(
        "score",
        str(bank),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "--max-retries",
        "0",
        "--out",
        str(tmp_path / "r.jsonl"),
    )
    assert result.exit_code == 1 and "HTTP 500" in result.stderr and server.base_url in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_failed_questions_give_a_distinct_exit_code(tmp_path, fake_server):
    from fake_openai import Fail

    server = fake_server(lambda key, attempt, body: Fail(500))
    bank = write_bank(tmp_path / "bank.jsonl", 2)
    result = invoke(
        "score",
        str(bank),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "--max-retries",
        "0",
        "--out",
        str(tmp_path / "r.jsonl"),
    )
    assert result.exit_code == 3 and "run the same command again" in result.stderr
    assert "errors 2" in result.stdout


def _score_cmd(bank, url, out, concurrency):
    return [
        sys.executable,
        "-m",
        "alphamed",
        "score",
        str(bank),
        "--base-url",
        url,
        "--model",
        "fake-model",
        "--out",
        str(out),
        "--concurrency",
        str(concurrency),
    ]


def test_sigkill_mid_run_then_resume_equals_an_uninterrupted_run(tmp_path, fake_server):
    count, concurrency = 300, 8
    answer, released = right_when(lambda i: i % 5 != 2, delay=0.01), threading.Event()

    def gated(key, attempt, body):  # the second half waits until the kill: the run cannot finish first
        reply = answer(key, attempt, body)
        return reply if released.is_set() or int(key[1:]) < count // 2 else Reply(reply.text, delay=3600)

    server = fake_server(gated)
    bank = write_bank(tmp_path / "bank.jsonl", count)
    out = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        _score_cmd(bank, server.base_url, out, concurrency), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or len(out.read_bytes().splitlines()) < 60):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    released.set()
    written = len(out.read_bytes().splitlines())
    assert 60 <= written <= count // 2
    resumed = subprocess.run(
        _score_cmd(bank, server.base_url, out, concurrency), capture_output=True, text=True, timeout=120
    )
    assert resumed.returncode == 0, resumed.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    ids = [row["id"] for row in rows]
    assert sorted(ids) == sorted(f"q{i}" for i in range(count))  # every id exactly once
    assert all(row["output"] and row["messages"] and row["options"] for row in rows)  # outputs kept, both runs
    header = json.loads((tmp_path / "killed.run.json").read_text())
    assert header["ended"] and header["model"] == "fake-model" and header["banks"][0]["path"] == str(bank)
    assert header["forced_resumes"] == []  # the resume matched the killed run's header
    asked = Counter(r.key for r in server.log if r.path.endswith("completions"))
    assert set(asked.values()) <= {1, 2} and sum(v == 2 for v in asked.values()) <= concurrency
    baseline = tmp_path / "uninterrupted.jsonl"
    invoke("score", str(bank), "--base-url", server.base_url, "--model", "fake-model", "--out", str(baseline))
    assert stable(ScoreReport.from_file(out)) == stable(ScoreReport.from_file(baseline))
