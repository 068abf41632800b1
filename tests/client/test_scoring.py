"""Batch scoring against the fake server: exact accuracy, bounded concurrency, resume, errors."""

import json
from pathlib import Path

import pytest
from alphamed_client.errors import ScoringAborted
from alphamed_client.results import done_ids, read_results
from client_support import client_for, gold_of, right_when, write_bank
from fake_openai import Fail, Reply, boxed


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_accuracy_is_exact_and_broken_down(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: i % 3 != 0))  # q0, q3, q6... wrong
    bank = write_bank(tmp_path / "bank.jsonl", 30)
    report = client_for(server).score(bank, out=tmp_path / "r.jsonl", concurrency=8)
    assert (report.overall.n, report.overall.correct) == (30, 20)
    by_subject = {g.name: g for g in report.by["subject"]}
    assert by_subject["cardiology"].correct == 0 and by_subject["neurology"].correct == 10
    assert report.confusion["A"] == {"A": 5, "B": 3}  # gold A: q0,q4,...,q28; wrong ones answer B
    rows = {r["id"]: r for r in lines(tmp_path / "r.jsonl")}
    assert rows["q3"]["predicted"] == "A" and rows["q3"]["gold"] == "D" and rows["q3"]["correct"] is False
    assert {
        "id",
        "source",
        "subject",
        "difficulty",
        "gold",
        "predicted",
        "correct",
        "method",
        "latency",
        "prompt_tokens",
        "completion_tokens",
        "n",
        "votes",
        "model",
        "error",
    } <= set(rows["q3"])


def test_concurrency_is_bounded_and_used(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: True, delay=0.15))
    bank = write_bank(tmp_path / "bank.jsonl", 35)
    client_for(server).score(bank, out=tmp_path / "r.jsonl", concurrency=7)
    assert server.state.max_in_flight == 7


def test_rows_are_written_as_they_complete(tmp_path, fake_server):
    seen_at_callback = []
    out = tmp_path / "r.jsonl"
    server = fake_server(right_when(lambda i: True))
    bank = write_bank(tmp_path / "bank.jsonl", 10)
    client_for(server).score(
        bank, out=out, concurrency=2, on_result=lambda row: seen_at_callback.append(len(out.read_text().splitlines()))
    )
    assert seen_at_callback == list(range(1, 11))


def test_a_question_that_keeps_failing_is_recorded_not_counted_wrong_and_retried_on_resume(tmp_path, fake_server):
    fail_q4 = {"on": True}

    def respond(key, attempt, body):
        if key == "q4" and fail_q4["on"]:
            return Fail(500, message="engine crashed")
        return Reply(boxed(gold_of(int(key[1:]))))

    server = fake_server(respond)
    bank = write_bank(tmp_path / "bank.jsonl", 10)
    out = tmp_path / "r.jsonl"
    report = client_for(server, max_retries=1).score(bank, out=out)
    assert (report.overall.n, report.overall.correct, report.errors) == (9, 9, 1)
    assert report.overall.accuracy == 1.0
    assert "engine crashed" in report.error_examples[0]
    assert len(server.requests_for("q4")) == 2  # first try + 1 retry
    fail_q4["on"] = False
    before = len(server.log)
    report = client_for(server).score(bank, out=out)
    assert len(server.log) - before == 1  # only q4 asked again
    assert (report.overall.n, report.overall.correct, report.errors) == (10, 10, 0)
    assert sorted(r["id"] for r in lines(out)) == sorted(f"q{i}" for i in range(10))  # compacted


def test_resume_skips_done_ids_and_no_resume_starts_afresh(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: True))
    bank = write_bank(tmp_path / "bank.jsonl", 12)
    out = tmp_path / "r.jsonl"
    full = lines(write_bank(tmp_path / "b2.jsonl", 12))
    out.write_text(
        "".join(
            json.dumps(
                {"id": r["id"], "gold": r["answer"], "predicted": r["answer"], "correct": True, "model": "fake-model"}
            )
            + "\n"
            for r in full[:5]
        )
    )
    client_for(server).score(bank, out=out, force_resume=True)  # a file without a run header
    assert sorted({r.key for r in server.log}) == sorted(f"q{i}" for i in range(5, 12))
    assert len(lines(out)) == 12
    client_for(server).score(bank, out=out, resume=False)
    assert len(lines(out)) == 12 and len(server.log) == 7 + 12


def test_a_torn_last_line_is_dropped_and_its_question_asked_again(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: True))
    bank = write_bank(tmp_path / "bank.jsonl", 4)
    out = tmp_path / "r.jsonl"
    client_for(server).score(bank, out=out)
    text = out.read_text().splitlines(keepends=True)
    torn_id = json.loads(text[-1])["id"]
    out.write_text("".join(text[:-1]) + text[-1][: len(text[-1]) // 2])  # as a SIGKILL mid-write leaves it
    assert torn_id not in done_ids(out)
    report = client_for(server).score(bank, out=out)
    assert report.overall.n == 4
    assert sorted(r["id"] for r in lines(out)) == ["q0", "q1", "q2", "q3"]


def test_bad_bank_lines_are_reported_with_file_and_line_and_skipped(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: True))
    bad_answer = json.dumps({"id": "x", "question": "?", "options": {"A": "a", "B": "b"}, "answer": "E"})
    bank = write_bank(
        tmp_path / "bank.jsonl",
        6,
        extra_lines={
            1: "{not json",
            3: bad_answer,
            4: json.dumps({"id": "q0", "question": "dup?", "options": {"A": "a", "B": "b"}}),
        },
    )
    report = client_for(server).score(bank, out=tmp_path / "r.jsonl")
    assert report.overall.n == 6
    not_json, bad_letter, duplicate = report.bad_lines
    assert not_json.startswith(f"{bank}:3: ") and "JSON" in not_json
    assert bad_letter.startswith(f"{bank}:6: ") and "'E'" in bad_letter
    assert duplicate.startswith(f"{bank}:8: ") and "duplicate" in duplicate
    assert all(json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines())


def test_a_rejected_key_mid_run_stops_the_run_and_keeps_finished_rows(tmp_path, fake_server):
    def respond(key, attempt, body):
        return Fail(401, message="key revoked") if key == "q5" else Reply(boxed("A"))

    server = fake_server(respond)
    bank = write_bank(tmp_path / "bank.jsonl", 20)
    out = tmp_path / "r.jsonl"
    with pytest.raises(ScoringAborted, match="q5"):
        client_for(server).score(bank, out=out, concurrency=1)
    assert [r.id for r in read_results(out)] == ["q0", "q1", "q2", "q3", "q4"]


def test_self_consistency_votes_client_side(tmp_path, fake_server):
    def respond(key, attempt, body):
        i = int(key[1:])
        if i == 0:  # tie: no answer
            return Reply("", choices=(boxed("A"), boxed("B"), "I am not sure."))
        return Reply("", choices=(boxed(gold_of(i)), boxed(gold_of(i)), "I am not sure."))

    server = fake_server(respond)
    bank = write_bank(tmp_path / "bank.jsonl", 3)
    report = client_for(server).score(bank, out=tmp_path / "r.jsonl", n=3)
    rows = {r.id: r for r in read_results(tmp_path / "r.jsonl")}
    assert rows["q0"].predicted is None and rows["q0"].correct is False and rows["q0"].votes == {"A": 1, "B": 1}
    assert rows["q1"].predicted == "B" and rows["q1"].votes == {"B": 2} and rows["q1"].n == 3
    assert report.abstention_rate == pytest.approx(1 / 3)


def test_the_bank_is_read_only_as_fast_as_questions_complete(tmp_path, fake_server, monkeypatch):
    import alphamed_client.scoring as scoring

    read = {"n": 0}
    original = scoring.iter_bank

    def counting(*args, **kwargs):
        for item in original(*args, **kwargs):
            read["n"] += 1
            yield item

    monkeypatch.setattr(scoring, "iter_bank", counting)
    server = fake_server(right_when(lambda i: True))
    bank = write_bank(tmp_path / "bank.jsonl", 200)
    ahead = []
    client_for(server).score(
        bank, out=tmp_path / "r.jsonl", concurrency=5, on_result=lambda row: ahead.append(read["n"] - len(ahead) - 1)
    )
    assert max(ahead) <= 5  # never more than `concurrency` questions read but not finished
