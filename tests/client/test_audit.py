"""Evaluation you can audit and reproduce (issue #18): kept outputs, the run header, seeds, resume
checks, re-extraction, scorers side by side, pass@k / maj@k and option-permutation consistency."""

import json
import re

import pytest
from alphamed_client.report import ScoreReport
from click.testing import CliRunner
from client_support import LETTERS, client_for, gold_of, question_record, right_when, write_bank
from fake_openai import Reply, always, boxed

from alphamed.cli import main

TEXTS = question_record(0)["options"]  # letter -> text of the original order


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def score_args(bank, server, out, *extra: str) -> list[str]:
    return ["score", str(bank), "--base-url", server.base_url, "--model", "fake-model", "--out", str(out), *extra]


def rows_of(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def shown_letter_of(body: dict, text: str) -> str:
    """The letter under which option ``text`` was shown in the request."""
    prompt = body["messages"][-1]["content"]
    return re.search(rf"^([A-Z])\. {re.escape(text)}$", prompt, re.MULTILINE).group(1)


def answer_correctly(key, attempt, body):
    """Right in whatever order the options are shown."""
    i = int(key[1:])
    return Reply(boxed(shown_letter_of(body, TEXTS[gold_of(i)])))


def test_rows_keep_what_was_sent_and_what_came_back_and_show_prints_it(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: i != 1))
    bank, out = write_bank(tmp_path / "bank.jsonl", 3), tmp_path / "r.jsonl"
    assert invoke(*score_args(bank, server, out)).exit_code == 0
    row = {r["id"]: r for r in rows_of(out)}["q1"]
    assert row["messages"][-1]["content"].startswith("Question: [id:q1]") and row["options"]["B"] == "beta"
    assert row["output"] == boxed("C") and row["content"] == "The final answer is: $\\boxed{C}$"
    assert row["reasoning"] == "Reasoning about the options." and row["span"] and "C" in row["span"]
    shown = invoke("report", str(out), "--show", "q1")
    assert shown.exit_code == 0
    for needed in (
        "q1: wrong",
        "gold B",
        "predicted C",
        "Messages sent",
        "[id:q1]",
        "Reasoning about the options.",
        "span read by the extractor",
    ):
        assert needed in shown.stdout
    missing = CliRunner().invoke(main, ["report", str(out), "--show", "nope"])
    assert missing.exit_code == 1 and "nope" in missing.stderr and str(out) in missing.stderr


def test_the_run_header_records_the_settings_and_the_bank(tmp_path, fake_server, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "sk-very-secret")
    server = fake_server(api_key="sk-very-secret")
    bank, out = write_bank(tmp_path / "bank.jsonl", 2), tmp_path / "r.jsonl"
    assert (
        invoke(
            *score_args(
                bank,
                server,
                out,
                "--api-key-env",
                "SECRET_KEY",
                "--seed",
                "7",
                "--temperature",
                "0.3",
                "--max-tokens",
                "99",
            )
        ).exit_code
        == 0
    )
    text = (tmp_path / "r.run.json").read_text()
    header = json.loads(text)
    assert "sk-very-secret" not in text
    assert header["base_url"] == server.base_url and header["model"] == "fake-model"
    assert header["server"]["model_card"]["id"] == "fake-model"
    assert (header["temperature"], header["max_tokens"], header["n"], header["seed"]) == (0.3, 99, 1, 7)
    assert header["prompt_style"] == "alphamed" and len(header["prompt_template_sha256"]) == 64
    import hashlib

    assert header["banks"] == [
        {"path": str(bank), "sha256": hashlib.sha256(bank.read_bytes()).hexdigest(), "format": None}
    ]
    assert header["alphamed_version"] and header["started"] and header["ended"]


def test_each_question_is_sent_its_own_seed_the_same_on_a_rerun(tmp_path, fake_server):
    seen: dict[str, list[int]] = {}

    def respond(key, attempt, body):
        seen.setdefault(key, []).append(body.get("seed"))
        return Reply(boxed("A"))

    server = fake_server(respond)
    bank = write_bank(tmp_path / "bank.jsonl", 4)
    for name in ("a", "b"):
        assert invoke(*score_args(bank, server, tmp_path / f"{name}.jsonl")).exit_code == 0
    assert all(len(v) == 2 and v[0] == v[1] and isinstance(v[0], int) for v in seen.values())
    assert len({v[0] for v in seen.values()}) == 4  # one seed per question
    assert invoke(*score_args(bank, server, tmp_path / "c.jsonl", "--seed", "1")).exit_code == 0
    assert all(v[2] != v[0] for v in seen.values())  # another run seed, other seeds


def test_a_resume_with_other_settings_is_refused_and_nothing_is_lost(tmp_path, fake_server):
    server = fake_server(right_when(lambda i: True))
    bank, out = write_bank(tmp_path / "bank.jsonl", 4), tmp_path / "r.jsonl"
    assert invoke(*score_args(bank, server, out, "--temperature", "0")).exit_code == 0
    before, asked = out.read_bytes(), len(server.log)
    write_bank(tmp_path / "bank.jsonl", 6)  # two questions added: more to score
    refused = CliRunner().invoke(main, score_args(bank, server, out, "--temperature", "0.7", "--seed", "3"))
    assert refused.exit_code == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert (
        str(out) in refused.stderr and "temperature: 0.0 -> 0.7" in refused.stderr and "seed: 0 -> 3" in refused.stderr
    )
    assert "changed since the run started" in refused.stderr and "bank.jsonl" in refused.stderr
    assert out.read_bytes() == before and len(server.log) == asked
    forced = invoke(*score_args(bank, server, out, "--temperature", "0.7", "--seed", "3", "--force-resume"))
    assert forced.exit_code == 0 and sorted(r["id"] for r in rows_of(out)) == [f"q{i}" for i in range(6)]
    header = json.loads((tmp_path / "r.run.json").read_text())
    assert header["temperature"] == 0.7 and len(header["forced_resumes"]) == 1
    assert any("temperature" in d for d in header["forced_resumes"][0]["differences"])


def test_a_truncated_header_or_a_file_without_one_is_one_line(tmp_path, fake_server):
    server = fake_server()
    bank, out = write_bank(tmp_path / "bank.jsonl", 2), tmp_path / "r.jsonl"
    assert invoke(*score_args(bank, server, out)).exit_code == 0
    header = tmp_path / "r.run.json"
    header.write_text(header.read_text()[:40])
    before = out.read_bytes()
    result = CliRunner().invoke(main, score_args(bank, server, out))
    assert result.exit_code == 1 and "r.run.json" in result.stderr and "truncated" in result.stderr
    header.unlink()
    result = CliRunner().invoke(main, score_args(bank, server, out))
    assert result.exit_code == 1 and "no run header" in result.stderr and "Traceback" not in result.output
    assert out.read_bytes() == before
    assert invoke(*score_args(bank, server, out, "--no-resume")).exit_code == 0  # starting afresh is allowed


def test_re_extract_reproduces_the_stored_letters_and_measures_a_changed_extractor(tmp_path, fake_server, monkeypatch):
    def respond(key, attempt, body):
        i = int(key[1:])
        if i % 3 == 0:
            return Reply(f"It has to be {TEXTS[gold_of(i)]}.")  # no final answer sentence
        return Reply("", choices=(boxed(gold_of(i)), boxed("A"), boxed(gold_of(i))))

    server = fake_server(respond)
    bank, out = write_bank(tmp_path / "bank.jsonl", 9), tmp_path / "r.jsonl"
    assert invoke(*score_args(bank, server, out, "--n", "3")).exit_code == 0
    same = invoke("report", str(out), "--re-extract")
    assert same.exit_code == 0 and "0 letter(s) changed" in same.stdout
    stored = rows_of(out)
    again = rows_of(tmp_path / "r.re-extracted.jsonl")
    fields = ("id", "predicted", "correct", "method", "span", "votes", "agreement", "letters")
    assert [{f: r[f] for f in fields} for r in again] == [{f: r[f] for f in fields} for r in stored]

    import alphamed_client.protocol as protocol

    monkeypatch.setattr(protocol, "extract_answer", lambda text, options: None)  # an extractor that finds nothing
    changed = invoke("report", str(out), "--re-extract", "-o", str(tmp_path / "none.jsonl"))
    assert changed.exit_code == 0
    right_before = sum(r["correct"] for r in stored)
    assert f"{sum(r['predicted'] is not None for r in stored)} letter(s) changed" in changed.stdout
    assert f"| 9 | {100 * right_before / 9:.1f} | 0.0 | 0 | {right_before} |" in changed.stdout  # the paired table


def test_strict_and_lenient_scorers_side_by_side(tmp_path, fake_server):
    def respond(key, attempt, body):
        i = int(key[1:])
        misspelled = TEXTS[gold_of(i)][:-1] + "x"  # "alphx": the strict extractor commits to nothing
        return Reply(misspelled) if i < 2 else Reply(boxed(gold_of(i)))

    server = fake_server(respond)
    bank, out = write_bank(tmp_path / "bank.jsonl", 4), tmp_path / "r.jsonl"
    invoke(*score_args(bank, server, out))
    strict, lenient = ScoreReport.from_file(out), ScoreReport.from_file(out, scorer="lenient")
    assert strict.overall.accuracy == 0.5 and strict.overall.abstained == 2
    assert lenient.overall.accuracy == 1.0 and lenient.overall.abstained == 0
    assert strict.scorers == lenient.scorers and strict.scorers["lenient"].correct == 4
    shown = invoke("report", str(out))
    assert "strict 50.0% (2 abstained) · lenient 100.0% · gap +50.0 points" in shown.stdout
    assert "scorer of these tables: strict" in shown.stdout
    assert "| overall | 4 | 4 | 100.0 |" in invoke("report", str(out), "--scorer", "lenient").stdout


def test_pass_at_k_and_maj_at_k(tmp_path, fake_server):
    def respond(key, attempt, body):  # q<i>: the first i samples right, then wrong
        i, gold = int(key[1:]), gold_of(int(key[1:]))
        wrong = LETTERS[(LETTERS.index(gold) + 1) % 4]
        return Reply("", choices=tuple(boxed(gold if j < i else wrong) for j in range(4)))

    server = fake_server(respond)
    bank, out = write_bank(tmp_path / "bank.jsonl", 5), tmp_path / "r.jsonl"
    client_for(server).score(bank, out=out, n=4, temperature=0.7)
    metrics = ScoreReport.from_file(out).metrics
    # c right of 4 for c = 0..4: pass@1 = c/4, pass@2 = 1 - C(4-c,2)/6, pass@4 = 1 if c else 0
    assert metrics.pass_at_k[1] == pytest.approx(sum(c / 4 for c in range(5)) / 5)
    assert metrics.pass_at_k[2] == pytest.approx((0 + 0.5 + 5 / 6 + 1 + 1) / 5)
    assert metrics.pass_at_k[4] == pytest.approx(4 / 5)
    # maj over the first k samples: q1 (R W W W) maj@1 right; q2 (R R W W) maj@2 right, maj@4 a tie
    assert metrics.maj_at_k == {1: pytest.approx(4 / 5), 2: pytest.approx(3 / 5), 4: pytest.approx(2 / 5)}


@pytest.mark.parametrize(
    ("responder", "consistency", "accuracy"),
    [
        (always("A"), 0.0, 0.25),  # position bias: chance, never consistent
        (answer_correctly, 1.0, 1.0),
    ],
)
def test_option_permutations(tmp_path, fake_server, responder, consistency, accuracy):
    server = fake_server(responder)
    bank, out = write_bank(tmp_path / "bank.jsonl", 8), tmp_path / "r.jsonl"
    result = invoke(*score_args(bank, server, out, "--permutations", "4"))
    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    assert len(rows) == 32 and {r["base_id"] for r in rows} == {f"q{i}" for i in range(8)}
    stats = ScoreReport.from_file(out).metrics.permutations
    assert (stats.questions, stats.orders) == (8, 4)
    assert stats.consistency == consistency and stats.accuracy == accuracy
    assert stats.accuracy_by_order == [accuracy] * 4
    assert f"consistency {100 * consistency:.1f}%" in result.stdout


def test_a_header_left_without_rows_is_replaced(tmp_path, fake_server):
    server = fake_server()
    bank, out = write_bank(tmp_path / "bank.jsonl", 2), tmp_path / "r.jsonl"
    assert invoke(*score_args(bank, server, out)).exit_code == 0
    out.unlink()  # the rows deleted, the header left behind
    assert invoke(*score_args(bank, server, out, "--temperature", "0.5")).exit_code == 0
    assert json.loads((tmp_path / "r.run.json").read_text())["temperature"] == 0.5 and len(rows_of(out)) == 2
