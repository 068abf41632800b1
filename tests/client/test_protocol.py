import pytest
from alphamed_client import protocol

from alphamed.schema import Question

Q = Question(id="q1", question="Which?", options={"A": "aspirin", "B": "heparin", "C": "warfarin"}, answer="B")


def _completion(*messages: dict, usage: dict | None = None) -> dict:
    return {"choices": [{"index": i, "message": m} for i, m in enumerate(messages)], "usage": usage}


def test_chat_answer_splits_think_tags_client_side():
    ans = protocol.model_answer_from_chat(
        _completion(
            {"content": "<think>B is the anticoagulant</think>The final answer is: $\\boxed{B}$"},
            usage={"prompt_tokens": 10, "completion_tokens": 5},
        ),
        Q,
        0.5,
    )
    assert (ans.letter, ans.text, ans.method) == ("B", "heparin", "boxed")
    assert ans.reasoning == "B is the anticoagulant"
    assert ans.usage.total_tokens == 15 and ans.latency == 0.5 and ans.via == "chat"


def test_chat_answer_uses_the_servers_reasoning_field_and_ignores_letters_in_it():
    ans = protocol.model_answer_from_chat(_completion({"reasoning": "The answer is C? no.", "content": ""}), Q, 0.1)
    assert ans.letter is None  # a letter mentioned only in the reasoning is no commitment
    assert ans.reasoning.startswith("The answer is C")


def test_chat_answer_survives_an_engine_parser_that_put_it_in_the_reasoning():
    """vLLM/SGLang deepseek_r1 parsers put AlphaMed's free text, final-answer sentence included, in reasoning."""
    message = {"reasoning": "B12 is low. The final answer is: $\\boxed{C}$", "content": None}
    assert protocol.model_answer_from_chat(_completion(message), Q, 0.1).letter == "C"


def test_chat_vote_over_choices_with_a_tie_reports_no_answer():
    ans = protocol.model_answer_from_chat(
        _completion({"content": "The answer is A"}, {"content": "The answer is B"}), Q, 0
    )
    assert ans.letter is None and ans.votes == {"A": 1, "B": 1} and ans.n == 2


def test_chat_answer_outside_the_options_abstains():
    ans = protocol.model_answer_from_chat(_completion({"content": "The final answer is: $\\boxed{E}$"}), Q, 0)
    assert ans.letter is None


def test_mcqa_answer_keeps_the_servers_vote():
    payload = {
        "answer": "C",
        "answer_text": "warfarin",
        "votes": {"C": 2, "A": 1},
        "agreement": 2 / 3,
        "samples": [
            {"reasoning": "r", "content": "x", "answer": {"letter": "A", "text": "aspirin", "method": "boxed"}},
            {"reasoning": "r2", "content": "y", "answer": {"letter": "C", "text": "warfarin", "method": "answer_tag"}},
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }
    ans = protocol.model_answer_from_mcqa(payload, Q, 1.0)
    assert (ans.letter, ans.text, ans.method, ans.reasoning) == ("C", "warfarin", "answer_tag", "r2")
    assert ans.votes == {"C": 2, "A": 1} and ans.via == "mcqa" and ans.usage.total_tokens == 7


@pytest.mark.parametrize("payload", [{}, {"answer": "Z", "samples": []}, []])
def test_malformed_mcqa_response_is_an_error_not_an_answer(payload):
    with pytest.raises(ValueError):
        protocol.model_answer_from_mcqa(payload, Q, 0)


def test_bodies_carry_sampling_and_the_prompt():
    body = protocol.mcqa_body(Q, model="m", prompt_style="plain", n=5, temperature=None, max_tokens=64)
    assert body["n"] == 5 and body["temperature"] == 0.7 and body["max_tokens"] == 64
    assert body["options"] == Q.options and body["prompt_style"] == "plain"
    params = protocol.chat_params(Q, model="m", prompt_style="alphamed", n=1, temperature=None, max_tokens=None)
    assert params["temperature"] == 0.0 and "max_tokens" not in params
    assert "B. heparin" in params["messages"][-1]["content"]


def test_text_question_needs_options():
    with pytest.raises(ValueError, match="options"):
        protocol.as_question("Which?")


FRAGMENTS = [
    "<think>",
    "</think>",
    "## Thinking\n",
    "\n## Final Response\n",
    "The final answer is: ",
    "Therefore, the final answer: ",
    "final answer",
    "$\\boxed{B}$",
    "C",
    "Answer: A",
    " ",
    "\n",
    ".",
    "B12 is low",
    "  so ",
    "**",
    "think>",
    "<thi",
]


def test_one_split_gives_what_two_core_calls_give():
    """message_split runs the core splitter once; it must agree with split_reasoning + answer_region."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from alphamed.reasoning import answer_region, split_reasoning

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join))
    def check(text):
        expected = (*split_reasoning(text, untagged="reasoning"), answer_region(text))
        assert protocol.message_split({"content": text}) == expected

    check()
