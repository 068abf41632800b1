"""The shipped sample bank: original clinical MCQs for the demo and tests."""

from __future__ import annotations

from collections import Counter

from alphamed.data import QuestionBank, sample_bank_path, validate_bank


def test_sample_bank_is_valid_and_big_enough():
    report = validate_bank(sample_bank_path())
    assert report.ok, report.errors
    assert report.questions >= 60


def test_sample_bank_is_varied_and_balanced():
    qs = list(QuestionBank(sample_bank_path()))
    assert len({q.id for q in qs}) == len(qs)
    assert {q.source for q in qs} == {"alphamed-sample"}
    assert all(q.subject for q in qs) and all(q.answer for q in qs)
    subjects = Counter(q.subject for q in qs)
    for specialty in (
        "cardiology",
        "infectious disease",
        "endocrinology",
        "pharmacology",
        "neurology",
        "pediatrics",
        "obstetrics",
        "nephrology",
    ):
        assert subjects[specialty] >= 3, specialty
    sizes = Counter(len(q.options) for q in qs)
    assert sizes[4] >= 10 and sizes[5] >= 10
    yes_no_maybe = [q for q in qs if list(q.options.values()) == ["yes", "no", "maybe"]]
    assert len(yes_no_maybe) >= 3 and all(q.context for q in yes_no_maybe)
    assert {q.answer for q in yes_no_maybe} == {"A", "B", "C"}
    gold = Counter(q.answer for q in qs)
    assert set(gold) == set("ABCDE")
    assert max(gold.values()) - min(gold.values()) <= 3, gold


def test_sample_bank_gold_is_not_guessable_from_option_length():
    """The correct option is not systematically the longest one (a common flaw of written MCQs)."""
    qs = [q for q in QuestionBank(sample_bank_path()) if len(q.options) >= 4]
    longest = sum(1 for q in qs if max(q.options, key=lambda k: len(q.options[k])) == q.answer)
    assert longest / len(qs) < 0.35
