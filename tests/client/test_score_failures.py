"""`alphamed score` when the world fails: a full disk, a server that dies mid-run, unreadable bank lines."""

from __future__ import annotations

import errno
import threading

from alphamed_client.results import read_compacted
from click.testing import CliRunner
from client_support import right_when, write_bank

from alphamed.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_full_disk_is_one_line_and_loses_nothing(tmp_path, fake_server, monkeypatch):
    from alphamed_client import results

    server = fake_server(right_when(lambda i: True))
    bank, out = write_bank(tmp_path / "bank.jsonl", 6), tmp_path / "r.jsonl"
    real_write = results.ResultsWriter.write
    written = []

    def write(self, row):
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(out))
        written.append(row.id)
        real_write(self, row)

    monkeypatch.setattr(results.ResultsWriter, "write", write)
    args = (
        "score",
        str(bank),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "--concurrency",
        "1",
        "--out",
        str(out),
    )
    full = invoke(*args)
    assert full.exit_code == 1
    assert full.stderr.strip().splitlines() == [
        f"Error: cannot write {out}: No space left on device (errno 28); free space, then run again to resume"
    ]
    monkeypatch.setattr(results.ResultsWriter, "write", real_write)
    assert invoke(*args).exit_code == 0  # the resume asks only what is missing
    assert sorted(r.id for r in read_compacted(out)) == sorted(f"q{i}" for i in range(6))


def test_a_server_that_dies_mid_run_stops_the_run_with_the_true_cause(tmp_path, fake_server):
    answered = []
    holder = {}

    def respond(key, attempt, body):
        answered.append(key)
        if len(answered) == 5:  # then the server goes away: every later connection is refused
            threading.Thread(target=holder["server"].stop).start()
        return right_when(lambda i: True)(key, attempt, body)

    server = holder["server"] = fake_server(respond)
    bank, out = write_bank(tmp_path / "bank.jsonl", 200), tmp_path / "r.jsonl"
    result = invoke(
        "score",
        str(bank),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "--concurrency",
        "2",
        "--max-retries",
        "0",
        "--timeout",
        "3",
        "--out",
        str(out),
    )
    assert result.exit_code == 3
    assert "connection refused" in result.stderr and "left for the resume" in result.stderr
    rows = list(read_compacted(out))
    assert len(rows) < 50  # not every remaining question tried in vain
    errors = [r.error for r in rows if r.error]
    # the rows say what failed: refused connections (only the two cut off in flight timed out)
    assert sum("connection refused" in e for e in errors) >= len(errors) - 2 > 0


def test_unreadable_bank_lines_end_with_a_summary_line(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: True))
    bank = write_bank(tmp_path / "bank.jsonl", 4, extra_lines={1: "not json", 2: "{}"})
    result = invoke(
        "score", str(bank), "--base-url", server.base_url, "--model", "fake-model", "--out", str(tmp_path / "r.jsonl")
    )
    assert result.stderr.strip().splitlines()[-1] == (
        f"{bank}: 4 problem(s) in lines that were skipped, not scored (listed above)"
    )  # line 3: 1, line 5: 3
