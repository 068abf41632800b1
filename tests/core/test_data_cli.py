"""`alphamed data ...` commands: exit codes, one-line errors, nothing written on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from alphamed.cli import main
from alphamed.data import QuestionBank, sample_bank_path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
GOOD = {"id": "q1", "question": "Which drug?", "options": {"A": "x", "B": "y"}, "answer": "A"}


def run(*args: str):
    return CliRunner().invoke(main, ["data", *map(str, args)])


def one_line_error(result) -> str:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def write_lines(path: Path, lines: list) -> Path:
    path.write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines))
    return path


def test_convert_medqa(tmp_path):
    out = tmp_path / "medqa.jsonl"
    result = run("convert", "--format", "medqa", FIXTURES / "medqa_usmle.jsonl", out)
    assert result.exit_code == 0, result.output
    assert f"wrote 3 questions to {out}" in result.output
    assert [q.answer for q in QuestionBank(out)] == ["B", "D", "C"]


def test_convert_with_format_options(tmp_path):
    out = tmp_path / "g.jsonl"
    assert run("convert", "--format", "gpqa", "--medical-only", FIXTURES / "gpqa_main.csv", out).exit_code == 0
    assert [q.subject for q in QuestionBank(out)] == ["Molecular Biology", "Genetics"]
    assert run("convert", "--format", "medmcqa", "--cop-base", "0", FIXTURES / "medmcqa_hf.jsonl", out).exit_code == 0
    assert [q.answer for q in QuestionBank(out)] == ["B", "A", None]


def test_convert_failure_writes_nothing_and_keeps_old_output(tmp_path):
    src = write_lines(
        tmp_path / "in.jsonl", [{"question": "q", "options": {"A": "x", "B": "y"}, "answer_idx": "A"}, "{broken"]
    )
    out = tmp_path / "out.jsonl"
    line = one_line_error(run("convert", "--format", "medqa", src, out))
    assert line.startswith("Error: ") and "in.jsonl:2: json: malformed JSON" in line
    assert not out.exists()
    out.write_text("previous\n")
    one_line_error(run("convert", "--format", "medqa", src, out))
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]  # no temp file left


def test_convert_skip_invalid_lists_skipped_records(tmp_path):
    src = write_lines(
        tmp_path / "in.jsonl", [{"question": "q", "options": {"A": "x", "B": "y"}, "answer_idx": "A"}, "{broken"]
    )
    out = tmp_path / "out.jsonl"
    result = run("convert", "--format", "medqa", "--skip-invalid", src, out)
    assert result.exit_code == 0
    assert "skipped" in result.output and "in.jsonl:2: json" in result.output
    assert len(list(QuestionBank(out))) == 1


def test_convert_unknown_format_and_option_mismatch(tmp_path):
    result = run("convert", "--format", "nope", FIXTURES / "medqa_usmle.jsonl", tmp_path / "o.jsonl")
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.output
    line = one_line_error(
        run("convert", "--format", "medqa", "--medical-only", FIXTURES / "medqa_usmle.jsonl", tmp_path / "o.jsonl")
    )
    assert "does not take option(s) medical_only" in line


def test_convert_missing_input(tmp_path):
    line = one_line_error(run("convert", "--format", "medqa", tmp_path / "none.jsonl", tmp_path / "o.jsonl"))
    assert line == f"Error: {tmp_path / 'none.jsonl'}: no such file"


def test_validate_ok():
    result = run("validate", sample_bank_path())
    assert result.exit_code == 0 and "OK, 65 questions" in result.output


def test_validate_reports_every_problem_one_per_line(tmp_path):
    lines = [
        GOOD,
        "{oops",
        {**GOOD, "id": "q3", "answer": "C"},
        {**GOOD, "id": "q4", "options": {"A": "x", "B": ""}},
        GOOD,
        {**GOOD, "id": "q6", "options": {"A": "x", "C": "y"}},
    ]
    path = write_lines(tmp_path / "bank.jsonl", lines)
    result = CliRunner().invoke(main, ["data", "validate", str(path)])
    assert result.exit_code == 1
    problems = [ln for ln in result.stdout.splitlines()]
    assert [p.replace(str(tmp_path) + "/", "") for p in problems] == [
        "bank.jsonl:2: json: malformed JSON: Expecting property name enclosed in double quotes (column 2)",
        "bank.jsonl:3: answer: answer 'C' is not one of the options (A, B)",
        "bank.jsonl:4: options.B: option B is empty",
        "bank.jsonl:5: id: duplicate id 'q1' (first at line 1)",
        "bank.jsonl:6: options: option letters must be contiguous from A (A, B), got A, C",
    ]
    assert "5 problem(s); 1 valid question(s)" in result.stderr


def test_validate_a_public_format(tmp_path):
    assert run("validate", "--format", "pubmedqa", FIXTURES / "pubmedqa_ori.json").exit_code == 0


def test_mix_split_filter_pipeline(tmp_path):
    a = write_lines(tmp_path / "a.jsonl", [{**GOOD, "id": f"a{i}", "difficulty": i / 10} for i in range(11)])
    b = write_lines(tmp_path / "b.jsonl", [{**GOOD, "id": f"b{i}", "difficulty": 0.5} for i in range(10)])
    mixed = tmp_path / "mixed.jsonl"
    result = run("mix", f"{a}:0.6", f"{b}:0.4", "--size", 10, "--seed", 7, "-o", mixed)
    assert result.exit_code == 0, result.output
    ids = [q.id for q in QuestionBank(mixed)]
    assert sum(i.startswith("a") for i in ids) == 6 and len(ids) == 10
    again = tmp_path / "again.jsonl"
    run("mix", f"{a}:0.6", f"{b}:0.4", "--size", 10, "--seed", 7, "-o", again)
    assert again.read_bytes() == mixed.read_bytes()

    result = run("split", mixed, "--ratios", "0.8,0.2", "--seed", 1, "-o", tmp_path / "parts")
    assert result.exit_code == 0, result.output
    assert "wrote 8 questions" in result.output and "wrote 2 questions" in result.output
    assert (tmp_path / "parts-train.jsonl").exists() and (tmp_path / "parts-test.jsonl").exists()

    out = tmp_path / "band.jsonl"
    result = run("filter", a, "--min-pass", 0.1, "--max-pass", 0.3, "-o", out)
    assert result.exit_code == 0 and "wrote 3 questions" in result.output
    assert [q.id for q in QuestionBank(out)] == ["a1", "a2", "a3"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["mix", "{a}:x", "--size", "3", "-o", "{o}"], "weight 'x' is not a number"),
        (["mix", "{a}:1", "--size", "30", "-o", "{o}"], "has 2 questions, its share of the mix is 30"),
        (["split", "{a}", "--ratios", "0.9,0.2", "-o", "{o}"], "sum to 1.1, not 1"),
        (["split", "{a}", "--ratios", "0.5,0.5", "--names", "x,x", "-o", "{o}"], "need 2 distinct part names"),
        (["filter", "{a}", "--min-pass", "0.1", "-o", "{o}"], "question 'q1' has no difficulty"),
        (["filter", "{a}", "--min-pass", "0.9", "--max-pass", "0.1", "-o", "{o}"], "min-pass <= max-pass"),
    ],
)
def test_tool_errors_are_one_line(tmp_path, args, message):
    a = write_lines(tmp_path / "a.jsonl", [GOOD, {**GOOD, "id": "q2"}])
    o = tmp_path / "out" / "o"
    line = one_line_error(run(*[x.format(a=a, o=o) for x in args]))
    assert message in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_subprocess_exit_codes_and_no_traceback(tmp_path):
    bad = write_lines(tmp_path / "bad.jsonl", [GOOD, {**GOOD, "answer": "Q", "id": "q2"}])
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "alphamed", "data", "convert", "--format", "alphamed", str(bad), str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"Error: {bad}:2: answer: answer 'Q' is not one of the options (A, B)"
    assert "Traceback" not in proc.stderr and not out.exists()
    proc = subprocess.run(
        [sys.executable, "-m", "alphamed", "data", "validate", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1 and proc.stdout.count("\n") == 1


def test_cli_format_names_match_the_registry():
    from alphamed.cli.data_cmds import FORMAT_NAMES
    from alphamed.data import FORMATS

    assert sorted(FORMAT_NAMES) == sorted(FORMATS)


def test_help_does_not_import_the_data_package():
    code = (
        "import sys; from alphamed.cli import main\ntry:\n main(['data', '--help'])\nexcept SystemExit: pass\n"
        "print('alphamed.data' in sys.modules, 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "False False"


def test_unwritable_output_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    line = one_line_error(run("convert", "--format", "medqa", FIXTURES / "medqa_usmle.jsonl", blocker / "out.jsonl"))
    assert line.startswith("Error: ") and str(blocker) in line
