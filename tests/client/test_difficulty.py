"""``alphamed data difficulty``: pass rates over k samples, resumable."""

import json

from click.testing import CliRunner
from client_support import gold_of, write_bank
from fake_openai import Fail, Reply, boxed

from alphamed.cli import main


def respond_with_pass_rate(key, attempt, body):
    """q<i> gets i % 5 correct samples out of 4 (capped), the rest wrong or unparseable."""
    i = int(key[1:])
    right = min(i % 5, 4)
    wrong = (boxed("A" if gold_of(i) != "A" else "B"), "no idea")
    return Reply("", choices=tuple([boxed(gold_of(i))] * right + [wrong[j % 2] for j in range(4 - right)]))


def test_labels_are_pass_rates_and_a_rerun_asks_nothing_again(tmp_path, fake_server):
    server = fake_server(respond_with_pass_rate)
    bank = write_bank(tmp_path / "bank.jsonl", 10)
    out = tmp_path / "labeled.jsonl"
    args = [
        "data",
        "difficulty",
        str(bank),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "-k",
        "4",
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    labeled = {q["id"]: q["difficulty"] for q in map(json.loads, out.read_text().splitlines())}
    assert labeled == {f"q{i}": min(i % 5, 4) / 4 for i in range(10)}
    requests = len(server.log)
    assert requests == 10 and "sampling" not in result.stdout
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0 and len(server.log) == requests  # resumed: nothing asked again


def test_failed_questions_are_left_out_and_retried(tmp_path, fake_server):
    state = {"fail": True}

    def respond(key, attempt, body):
        if key == "q1" and state["fail"]:
            return Fail(503)
        return respond_with_pass_rate(key, attempt, body)

    server = fake_server(respond)
    bank = write_bank(tmp_path / "bank.jsonl", 3)
    out = tmp_path / "labeled.jsonl"
    args = [
        "data",
        "difficulty",
        str(bank),
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "-k",
        "4",
        "-o",
        str(out),
        "--max-retries",
        "0",
    ]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 3
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["q0", "q2"]
    state["fail"] = False
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["q0", "q1", "q2"]
