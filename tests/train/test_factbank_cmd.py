"""`alphamed data factbank`: the synthetic fact bank written as a question bank."""

from __future__ import annotations

import json
from pathlib import Path

from alphamed_train.factbank import FactBank
from alphamed_train.factbank_cmd import factbank_questions
from click.testing import CliRunner

from alphamed.cli import main
from alphamed.data import QuestionBank


def run(*args: str) -> object:
    return CliRunner().invoke(main, ["data", "factbank", *args])


def test_writes_the_three_measures_as_subjects(tmp_path: Path) -> None:
    out = tmp_path / "fb.jsonl"
    result = run("-o", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 64 questions" in result.output
    questions = list(QuestionBank(out))
    assert [q.subject for q in questions].count("rl_as_trained") == 16
    assert [q.subject for q in questions].count("rl_reordered") == 32
    assert [q.subject for q in questions].count("heldout") == 16
    for q in questions:
        assert q.options[q.answer] == q.metadata["drug"]


def test_same_questions_as_the_training_run_measures(tmp_path: Path) -> None:
    out = tmp_path / "fb.jsonl"
    assert run("--recipe", "tiny-cpu", "-o", str(out)).exit_code == 0
    written = [json.loads(line) for line in out.read_text().splitlines()]
    bank = FactBank.generate(0, num_options=4, num_rl=16, num_heldout=8)
    rl = bank.questions("rl")
    assert [(w["question"], w["options"], w["answer"]) for w in written[:16]] == [
        (q.question, q.options, q.answer) for q in rl
    ]


def test_options_override_the_recipe(tmp_path: Path) -> None:
    out = tmp_path / "fb.jsonl"
    assert (
        run(
            "--recipe", "tiny-cpu", "--num-options", "5", "--num-rl", "4", "--num-heldout", "2", "-o", str(out)
        ).exit_code
        == 0
    )
    questions = list(QuestionBank(out))
    assert len(questions) == 4 + 8 + 4
    assert all(sorted(q.options) == ["A", "B", "C", "D", "E"] for q in questions)


def test_bad_settings_are_one_line_errors(tmp_path: Path) -> None:
    out = tmp_path / "fb.jsonl"
    result = run("--num-rl", "40", "--num-heldout", "20", "-o", str(out))
    assert result.exit_code == 1
    assert "num_rl + num_heldout must be <" in result.output
    assert not out.exists()
    result = run("--recipe", "no-such-recipe", "-o", str(out))
    assert result.exit_code == 1 and "recipe no-such-recipe not found" in result.output


def test_ids_are_unique() -> None:
    qs = factbank_questions(FactBank.generate(3, num_options=3, num_rl=5, num_heldout=5))
    assert len({q.id for q in qs}) == len(qs) == 5 + 10 + 10
