"""Prompt styles: messages built from a Question, and each style's own answer format."""

from __future__ import annotations

import pytest

from alphamed.prompts import STYLES, PromptStyle, build_messages, format_options, get_style
from alphamed.schema import Question

Q = Question(
    id="1", question="Which drug reverses heparin?", options={"A": "Protamine", "B": "Vitamin K", "C": "Naloxone"}
)
PUBMED = Question(
    id="2",
    question="Does walking lower blood pressure?",
    options={"A": "yes", "B": "no", "C": "maybe"},
    context="RESULTS: Systolic pressure fell by 6 mmHg.",
)


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_shows_question_and_all_options(style):
    user = build_messages(Q, style)[-1]
    assert user["role"] == "user"
    assert "Which drug reverses heparin?" in user["content"]
    assert "A. Protamine\nB. Vitamin K\nC. Naloxone" in user["content"]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_context_comes_before_the_question(style):
    content = build_messages(PUBMED, style)[-1]["content"]
    assert content.index("Context: RESULTS: Systolic") < content.index("Question: Does walking")
    assert "Context:" not in build_messages(Q, style)[-1]["content"]


def test_alphamed_style_asks_for_the_boxed_ending_without_system_message():
    messages = build_messages(Q)  # the default style
    assert [m["role"] for m in messages] == ["user"]
    assert "The final answer is: $\\boxed{X}$" in messages[0]["content"]
    assert get_style("alphamed").answer_format == "The final answer is: $\\boxed{X}$"


def test_think_answer_style_has_system_message_with_tags():
    messages = build_messages(Q, "think-answer")
    assert messages[0]["role"] == "system" and "<think>" in messages[0]["content"]


@pytest.mark.parametrize(
    "style,text,ok",
    [
        ("alphamed", "Protamine binds heparin. The final answer is: $\\boxed{A}$", True),
        ("alphamed", "The final answer is: $\\boxed{A}$.", True),
        ("alphamed", "The final answer is: $\\boxed{A}$ but maybe B", False),
        ("alphamed", "The answer is A", False),
        ("think-answer", "<think>binds heparin</think><answer>A</answer>", True),
        ("think-answer", "binds heparin</think> <answer> A </answer>", True),  # opened by the template
        ("think-answer", "<answer>A</answer>", False),
        ("think-answer", "<think>x</think><answer>A</answer> extra", False),
        ("plain", "A", True),
        ("plain", "(B) Vitamin K", True),
        ("plain", "I think it is A", False),
        ("plain", "A drug that binds heparin", False),
        ("plain", "B. Vitamin K", True),
        ("plain", "B", True),
    ],
)
def test_is_well_formatted(style, text, ok):
    assert get_style(style).is_well_formatted(text) is ok


def test_unknown_style_names_the_choices():
    with pytest.raises(ValueError, match="unknown prompt style 'cot'.*alphamed"):
        build_messages(Q, "cot")


def test_style_object_passes_through():
    custom = PromptStyle(name="x", system="sys", instruction="Answer.", answer_format="X", format_pattern="^[A-Z]$")
    assert get_style(custom) is custom
    assert build_messages(Q, custom)[0] == {"role": "system", "content": "sys"}


def test_format_options_handles_ten_options():
    opts = {chr(65 + i): f"o{i}" for i in range(10)}
    assert format_options(opts).splitlines()[-1] == "J. o9"
