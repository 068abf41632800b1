"""`alphamed demo`: the core pipeline end to end on the tiny model."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from alphamed.cli import main
from alphamed.extract import extract_answer
from alphamed.reasoning import split_reasoning

pytest.importorskip("transformers")


def test_demo_prints_a_row_per_question(tiny_model_dir):
    result = CliRunner().invoke(main, ["demo", "--model", str(tiny_model_dir), "--n", "3", "--max-new-tokens", "8"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["id", "gold", "extracted", "method"]
    rows = [line.split() for line in lines[1:4]]
    assert [r[0] for r in rows] == ["sample-001", "sample-002", "sample-003"]
    assert all(r[1] in "ABCDE" and (r[2] == "-" or r[2] in "ABCDE") for r in rows)
    assert lines[-1].endswith("correct") and "/3 answered" in lines[-1]


def test_pipeline_rows_match_the_extractor(tiny_model_dir):
    from alphamed.data import QuestionBank, sample_bank_path
    from alphamed.demo import run_demo

    questions = list(QuestionBank(sample_bank_path()))[:2]
    rows = run_demo(tiny_model_dir, n=2, max_new_tokens=8, style="think-answer")
    assert [r.id for r in rows] == ["sample-001", "sample-002"]
    for row, question in zip(rows, questions):
        assert row.output  # something was generated
        assert row.gold == question.answer
        found = extract_answer(split_reasoning(row.output)[1], question.options)
        assert row.extracted == (found.letter if found else None)
    assert run_demo(tiny_model_dir, n=2, max_new_tokens=8, style="think-answer") == rows  # greedy: deterministic


def test_demo_without_a_model_folder_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--model", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path}: not a model folder (no config.json); build one with `alphamed tiny-model DIR`"
    ]
