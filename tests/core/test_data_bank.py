"""QuestionBank: streaming, errors naming file/line/field, skip mode, duplicates, atomic writes."""

from __future__ import annotations

import gc
import json
import tempfile
import tracemalloc
import weakref
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alphamed.data import (
    BankError,
    BankFormatError,
    QuestionBank,
    atomic_output,
    load_bank,
    validate_bank,
    write_bank,
)
from alphamed.schema import Question, letters_for

GOOD = {"id": "q1", "question": "Which drug?", "options": {"A": "x", "B": "y"}, "answer": "A"}


def bank_file(path: Path, lines: list) -> Path:
    """Write lines (dicts as JSON, strings verbatim) to ``path``."""
    path.write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines))
    return path


def test_reads_questions_in_order_and_can_iterate_twice(tmp_path):
    path = bank_file(tmp_path / "b.jsonl", [GOOD, {**GOOD, "id": "q2", "answer": "B"}])
    bank = QuestionBank(path)
    assert [q.id for q in bank] == ["q1", "q2"]
    assert [q.answer for q in bank] == ["A", "B"]


def test_blank_lines_and_utf8_bom_are_fine(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n\n   \n" + json.dumps({**GOOD, "id": "q2"}).encode()
    )
    assert [q.id for q in QuestionBank(path)] == ["q1", "q2"]


@pytest.mark.parametrize(
    "line,expected",
    [
        (
            "{not json",
            "bank.jsonl:2: json: malformed JSON: Expecting property name enclosed in double quotes (column 2)",
        ),
        ('["a list"]', "bank.jsonl:2: json: expected a JSON object, got list"),
        ({**GOOD, "id": "q2", "answer": "C"}, "bank.jsonl:2: answer: answer 'C' is not one of the options (A, B)"),
        ({**GOOD, "id": "q2", "options": {"A": "x", "B": ""}}, "bank.jsonl:2: options.B: option B is empty"),
        (
            {**GOOD, "id": "q2", "options": {"A": "x", "C": "y"}},
            "bank.jsonl:2: options: option letters must be contiguous from A (A, B), got A, C",
        ),
        ({**GOOD, "id": "q2", "options": {"A": "x"}}, "bank.jsonl:2: options: needs 2..26 options, got 1"),
        (
            {**GOOD, "id": "q2", "answer": None, "options": {f"{i}": "x" for i in range(30)}},
            "bank.jsonl:2: options: needs 2..26 options, got 30",
        ),
        (GOOD, "bank.jsonl:2: id: duplicate id 'q1' (first at line 1)"),
        ({**GOOD, "id": "q2", "extra": 1}, "bank.jsonl:2: extra: unknown field (not part of the question schema)"),
    ],
)
def test_bad_record_raises_naming_file_line_field(tmp_path, line, expected):
    path = bank_file(tmp_path / "bank.jsonl", [GOOD, line])
    with pytest.raises(BankFormatError) as info:
        list(QuestionBank(path))
    assert str(info.value).replace(str(tmp_path) + "/", "") == expected


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b'\n{"id": "\xff"}\n')
    with pytest.raises(BankFormatError, match=r"b\.jsonl:2: encoding: not valid UTF-8"):
        list(QuestionBank(path))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(BankFormatError, match="nope.jsonl: no such file"):
        list(QuestionBank(tmp_path / "nope.jsonl"))
    with pytest.raises(BankFormatError, match="is a directory"):
        list(QuestionBank(tmp_path))


def test_skip_mode_keeps_good_records_and_reports_every_bad_one(tmp_path):
    lines = [GOOD, "{oops", {**GOOD, "id": "q3", "answer": "Z"}, GOOD, {**GOOD, "id": "q5"}]
    path = bank_file(tmp_path / "b.jsonl", lines)
    errors: list[BankError] = []
    kept = [q.id for q in QuestionBank(path, on_error="skip", errors=errors)]
    assert kept == ["q1", "q5"]
    assert [(e.line, e.field) for e in errors] == [(2, "json"), (3, "answer"), (4, "id")]
    seen = []
    list(QuestionBank(path, on_error="skip", errors=seen.append))  # a callback works too
    assert seen == errors


def test_duplicate_check_can_be_turned_off(tmp_path):
    path = bank_file(tmp_path / "b.jsonl", [GOOD, GOOD])
    assert len(list(QuestionBank(path, check_duplicates=False))) == 2


def test_bad_on_error_value():
    with pytest.raises(ValueError, match="on_error"):
        QuestionBank("x.jsonl", on_error="ignore")


def test_validate_reports_all_problems_in_one_pass(tmp_path):
    lines = ["{oops", {**GOOD, "options": {"A": "", "B": "y"}}, {**GOOD, "id": "q2"}, {**GOOD, "id": "q2"}]
    report = validate_bank(bank_file(tmp_path / "b.jsonl", lines))
    assert not report.ok and report.questions == 1
    assert [(e.line, e.field) for e in report.errors] == [(1, "json"), (2, "options.A"), (4, "id")]


def test_validate_missing_file_is_one_problem(tmp_path):
    report = validate_bank(tmp_path / "missing.jsonl")
    assert [e.message for e in report.errors] == ["no such file"]


def test_load_bank_picks_the_loader_by_format_name(tmp_path):
    row = {"question": "q?", "options": {"A": "x", "B": "y"}, "answer": "y", "answer_idx": "B", "meta_info": "step1"}
    path = bank_file(tmp_path / "m.jsonl", [row])
    (q,) = load_bank(path, format="medqa")
    assert q.source == "medqa" and q.answer == "B"
    with pytest.raises(BankFormatError, match="id: required field is missing"):
        list(load_bank(path))  # the native format needs an id


def test_iteration_is_lazy(tmp_path):
    """A bad record far down the file does not stop the first questions from arriving."""
    path = bank_file(tmp_path / "b.jsonl", [GOOD, "{broken"])
    it = iter(QuestionBank(path))
    assert next(it).id == "q1"
    with pytest.raises(BankFormatError):
        next(it)


def _big_bank(path: Path, n: int) -> Path:
    with open(path, "w") as f:
        for i in range(n):
            row = {
                "id": f"q{i:06d}",
                "question": f"Question {i} about a patient?",
                "options": {"A": "one", "B": "two", "C": "three", "D": "four"},
                "answer": "ABCD"[i % 4],
            }
            f.write(json.dumps(row) + "\n")
    return path


def _peak_bytes(bank: QuestionBank) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for _ in bank)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_stays_flat(tmp_path):
    small = _big_bank(tmp_path / "small.jsonl", 1_000)
    big = _big_bank(tmp_path / "big.jsonl", 10_000)
    n_small, peak_small = _peak_bytes(QuestionBank(small, check_duplicates=False))
    n_big, peak_big = _peak_bytes(QuestionBank(big, check_duplicates=False))
    assert (n_small, n_big) == (1_000, 10_000)
    # 10x the records, same peak: nothing accumulates (the file alone is ~1.5 MB).
    assert peak_big < 256 * 1024, peak_big
    assert peak_big < 2 * peak_small + 64 * 1024, (peak_small, peak_big)


def test_duplicate_check_keeps_only_ids(tmp_path):
    big = _big_bank(tmp_path / "big.jsonl", 5_000)
    _, peak = _peak_bytes(QuestionBank(big))
    assert peak < 5_000 * 300, peak  # ~ one id + line number per record, not whole questions


def test_questions_are_not_retained_between_iterations(tmp_path):
    path = _big_bank(tmp_path / "b.jsonl", 200)
    refs = []
    for q in QuestionBank(path):
        refs.append(weakref.ref(q))
    del q
    gc.collect()
    assert sum(1 for r in refs if r() is not None) == 0


def test_write_bank_round_trips(tmp_path):
    qs = [
        Question(
            id="a",
            question="q",
            options={"A": "x", "B": "y"},
            answer="B",
            context="ctx",
            difficulty=0.5,
            metadata={"k": [1, 2]},
        ),
        Question(id="b", question="q2", options={"A": "x", "B": "y", "C": "z"}),
    ]
    out = tmp_path / "sub" / "out.jsonl"
    assert write_bank(qs, out) == 2
    assert list(QuestionBank(out)) == qs
    assert "null" not in out.read_text()  # None fields are left out


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        with atomic_output(out) as f:
            f.write("partial\n")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_keeps_the_old_file_on_failure(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")

    def questions():
        yield Question(id="a", question="q", options={"A": "x", "B": "y"})
        raise BankFormatError(BankError("in.jsonl", 2, "json", "malformed JSON"))

    with pytest.raises(BankFormatError):
        write_bank(questions(), out)
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_every_bad_field_of_one_record_is_reported(tmp_path):
    line = {"id": "q1", "question": "q", "options": {"A": "x", "B": ""}, "answer": "E", "colour": "red"}
    report = validate_bank(bank_file(tmp_path / "b.jsonl", [line]))
    assert sorted((e.line, e.field) for e in report.errors) == [(1, "answer"), (1, "colour"), (1, "options.B")]
    with pytest.raises(BankFormatError, match=r"b\.jsonl:1: .* \(\+2 more on this record\)"):
        list(QuestionBank(tmp_path / "b.jsonl"))


_text = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s)


@st.composite
def _questions(draw):
    n = draw(st.integers(2, 26))
    options = dict(zip(letters_for(n), draw(st.lists(_text, min_size=n, max_size=n))))
    return Question(
        id=draw(_text),
        question=draw(_text),
        options=options,
        answer=draw(st.sampled_from([None, *options])),
        context=draw(st.none() | _text),
        difficulty=draw(st.none() | st.floats(0, 1)),
        metadata=draw(st.dictionaries(_text, _text, max_size=2)),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.lists(_questions(), max_size=4, unique_by=lambda q: q.id))
def test_any_written_bank_reads_back_identically(questions):
    """Whatever text a question holds (unicode, newlines, quotes), it survives write + read."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bank.jsonl"
        write_bank(questions, path)
        assert list(QuestionBank(path)) == questions
