"""Rewards: TRL's call shapes, gold/option column shapes, never raising."""

from __future__ import annotations

import json

import pytest

from alphamed.rewards import REWARDS, accuracy_reward, completion_text, get_reward, gold_letter, make_format_reward

OPTS = {"A": "Aspirin", "B": "Heparin", "C": "Warfarin", "D": "Clopidogrel"}
BOXED_C = "Long-term anticoagulation is needed.\nThe final answer is: $\\boxed{C}$"


@pytest.mark.parametrize(
    "options",
    [OPTS, list(OPTS.values()), json.dumps(OPTS), json.dumps(list(OPTS.values())), None],
    ids=["dict", "list", "json-dict", "json-list", "none"],
)
def test_accuracy_accepts_every_options_shape(options: object) -> None:
    rewards = accuracy_reward([BOXED_C, BOXED_C], answer=["C", "B"], options=[options, options])
    assert rewards == [1.0, 0.0]


@pytest.mark.parametrize(
    "completion",
    [
        BOXED_C,
        [{"role": "assistant", "content": BOXED_C}],
        [{"role": "assistant", "content": [{"type": "text", "text": BOXED_C}]}],
        {"role": "assistant", "content": BOXED_C},
    ],
    ids=["plain", "conversational", "content-parts", "message"],
)
def test_accuracy_reads_plain_and_conversational_completions(completion: object) -> None:
    assert accuracy_reward([completion], answer=["C"], options=[OPTS]) == [1.0]


def test_accuracy_takes_trl_keyword_arguments() -> None:
    kwargs = dict(
        prompts=[[{"role": "user", "content": "q"}]] * 3,
        completion_ids=[[1, 2], [3], [4]],
        trainer_state=object(),
        question=["q"] * 3,
        answer=["C", "C", None],
        options=[OPTS] * 3,
        source=["medqa"] * 3,
    )
    assert accuracy_reward(completions=[BOXED_C, "I cannot tell.", BOXED_C], **kwargs) == [1.0, 0.0, None]


@pytest.mark.parametrize(
    "answer,options,expected",
    [
        ("C", None, "C"),
        ("(c)", None, "C"),
        ("C. Warfarin", OPTS, "C"),
        (2, None, "C"),
        ("maybe", ["yes", "no", "maybe"], "C"),
        ("Warfarin", OPTS, "C"),
        ("E", OPTS, None),
        ("", None, None),
        (None, None, None),
        (True, None, None),
        (3.5, None, None),
    ],
)
def test_gold_letter_reads_dataset_answer_columns(answer: object, options: object, expected: str | None) -> None:
    assert gold_letter(answer, options) == expected


@pytest.mark.parametrize(
    "completions",
    [[None], [42], [[]], [[{"role": "assistant"}]], [{"content": None}], ["\x00" * 10], ["x" * 2_000_000]],
)
def test_rewards_never_raise_on_odd_completions(completions: list) -> None:
    assert accuracy_reward(completions, answer=["A"], options=[OPTS]) == [0.0]
    for style in ("alphamed", "think-answer", "plain"):
        assert make_format_reward(style)(completions) == [0.0]


def test_accuracy_with_missing_or_short_columns_skips_rows() -> None:
    assert accuracy_reward([BOXED_C, BOXED_C]) == [None, None]
    assert accuracy_reward([BOXED_C, BOXED_C], answer=["C"], options=[OPTS]) == [1.0, None]
    assert accuracy_reward([BOXED_C], answer="C", options=OPTS) == [None]  # not per-row columns


@pytest.mark.parametrize(
    "style,good,bad",
    [
        ("alphamed", BOXED_C, "The answer is C."),
        ("alphamed", "x. The final answer is $\\boxed{D}$.", "The final answer is: $\\boxed{C}$ but maybe B"),
        ("think-answer", "<think>a</think><answer>C</answer>", "<answer>C</answer>"),
        ("think-answer", "template opened it</think>\n<answer> B </answer>\n", "<think>a</think>C"),
        ("plain", "C", "I think C"),
        ("plain", "(B) Heparin", ""),
    ],
)
def test_format_reward_checks_each_style(style: str, good: str, bad: str) -> None:
    reward = get_reward("format", style=style)
    assert reward([good, [{"role": "assistant", "content": good}], bad]) == [1.0, 1.0, 0.0]
    assert reward.__name__ == f"format_reward_{style.replace('-', '_')}"


def test_registry_builds_only_what_is_asked_and_names_errors() -> None:
    assert set(REWARDS) >= {"accuracy", "format"}
    assert get_reward("accuracy") is accuracy_reward
    assert get_reward("alphamed.rewards.accuracy_reward") is accuracy_reward
    assert get_reward("alphamed.rewards.make_format_reward", style="plain")(["C"]) == [1.0]
    with pytest.raises(ValueError, match="unknown reward"):
        get_reward("nope")
    with pytest.raises(ValueError, match="unknown prompt style"):
        get_reward("format", style="nope")
    with pytest.raises(ValueError, match="accuracy"):
        get_reward("accuracy", style="plain")
    with pytest.raises(ValueError, match="cannot import"):
        get_reward("alphamed.nope.fn")


def test_completion_text_of_unknown_shapes_is_empty() -> None:
    assert completion_text(None) == ""
    assert completion_text([]) == ""
    assert completion_text({"content": 3}) == ""
