"""The Question schema: every rule it enforces, and what it accepts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from alphamed.data.errors import describe_validation_error
from alphamed.schema import Question, letters_for


def make(**overrides):
    fields = {"id": "q1", "question": "Which drug?", "options": {"A": "x", "B": "y", "C": "z"}, "answer": "B"}
    fields.update(overrides)
    return Question(**fields)


def problems(**overrides) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        make(**overrides)
    return describe_validation_error(info.value)


def test_valid_question_and_defaults():
    q = make()
    assert q.letters == ["A", "B", "C"]
    assert q.answer_text == "y"
    assert q.source == "custom" and q.context is None and q.metadata == {}


def test_answer_is_normalised_and_optional():
    assert make(answer=" c ").answer == "C"
    assert make(answer=None).answer is None
    assert make(answer="").answer is None
    assert make(answer=None).answer_text is None


def test_int_id_becomes_text():
    assert make(id=17).id == "17"


def test_options_are_stripped_and_reordered_by_letter():
    q = make(options={"B": " y ", "A": "x"}, answer="A")
    assert list(q.options.items()) == [("A", "x"), ("B", "y")]


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"answer": "D"}, "answer", "answer 'D' is not one of the options (A, B, C)"),
        ({"options": {"A": "x", "B": "", "C": "z"}}, "options.B", "option B is empty"),
        ({"options": {"A": "x", "B": "   ", "C": "z"}}, "options.B", "option B is empty"),
        (
            {"options": {"A": "x", "C": "z"}, "answer": None},
            "options",
            "option letters must be contiguous from A (A, B), got A, C",
        ),
        ({"options": {"B": "x", "C": "z"}, "answer": None}, "options", "option letters must be contiguous from A"),
        ({"options": {"A": "x"}, "answer": None}, "options", "needs 2..26 options, got 1"),
        ({"options": {}, "answer": None}, "options", "needs 2..26 options, got 0"),
        ({"options": {f"K{i}": "x" for i in range(27)}, "answer": None}, "options", "needs 2..26 options, got 27"),
        ({"question": "  "}, "question", "question text is empty"),
        ({"id": ""}, "id", "at least 1 character"),
        ({"colour": "red"}, "colour", "unknown field"),
    ],
)
def test_each_rule_names_its_field(overrides, field, message):
    found = problems(**overrides)
    assert any(f == field and message in m for f, m in found), found


def test_missing_required_field():
    with pytest.raises(ValidationError) as info:
        Question(question="q", options={"A": "x", "B": "y"})
    assert describe_validation_error(info.value) == [("id", "required field is missing")]


def test_twenty_six_options_is_the_maximum():
    q = Question.from_options_list(id="z", question="q", options=[f"o{i}" for i in range(26)], answer="Z")
    assert q.letters == letters_for(26) and q.answer_text == "o25"


def test_a_27th_option_is_refused_not_dropped():
    with pytest.raises(ValueError, match="at most 26 options"):
        Question.from_options_list(id="z", question="q", options=[f"o{i}" for i in range(27)])


def test_difficulty_accepts_rate_or_level():
    assert make(difficulty=0.25).difficulty == 0.25
    assert make(difficulty="hard").difficulty == "hard"
