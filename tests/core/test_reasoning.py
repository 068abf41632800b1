"""Reasoning split: the documented rules, and streaming == whole-text split."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alphamed.reasoning import ReasoningSplitter, answer_region, get_parser, parser_names, split_reasoning

CASES = [
    # think tags
    ("<think>B12 is low.</think>The answer is C.", ("B12 is low.", "The answer is C.")),
    ("  \n<think>\n  B12 is low.\n</think>\n\n<answer>C</answer>\n", ("B12 is low.", "<answer>C</answer>")),
    ("<think>cut off mid-thought", ("cut off mid-thought", "")),
    ("<think></think>C", ("", "C")),
    ("<think>a</think>b</think>c", ("a", "b</think>c")),
    # the template opened the tag: only </think> in the output
    ("B12 is low, so pernicious anemia.</think>\nC", ("B12 is low, so pernicious anemia.", "C")),
    (
        "The final answer is B. Hmm, recheck.</think>The final answer is C.",
        ("The final answer is B. Hmm, recheck.", "The final answer is C."),
    ),
    # HuatuoGPT
    (
        "## Thinking\nFolate is normal.\n\n## Final Response\nPernicious anemia.",
        ("Folate is normal.", "Pernicious anemia."),
    ),
    ("## Thinking\nstill going", ("still going", "")),
    # released AlphaMed style: free reasoning then a final-answer sentence
    (
        "Folate is normal. B12 is low. The final answer is: $\\boxed{C}$",
        ("Folate is normal. B12 is low.", "The final answer is: $\\boxed{C}$"),
    ),
    ("Reasoning here.\n\n**Final Answer:** C", ("Reasoning here.", "**Final Answer:** C")),
    ("Reasoning here.\n### Final answer\nC", ("Reasoning here.", "### Final answer\nC")),
    ("Reasoning. Therefore, the final answer is C.", ("Reasoning.", "Therefore, the final answer is C.")),
    ("Reasoning! So the final answer is C.", ("Reasoning!", "So the final answer is C.")),
    ("In conclusion,  the final answer is C", ("", "In conclusion,  the final answer is C")),
    (
        "The final answer is C. Later: The final answer is D.",
        ("", "The final answer is C. Later: The final answer is D."),
    ),
    # not a final-answer sentence
    (
        "Before giving the final answer, check B12. It is low.",
        ("", "Before giving the final answer, check B12. It is low."),
    ),
    ("Reasoning. The final answers are C and D.", ("", "Reasoning. The final answers are C and D.")),
    ("Reasoning.The final answer is C.", ("", "Reasoning.The final answer is C.")),
    ("C. Warfarin", ("", "C. Warfarin")),
    ("", ("", "")),
    ("   \n ", ("", "")),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_split_follows_the_documented_rules(text: str, expected: tuple[str, str]) -> None:
    assert split_reasoning(text) == expected
    assert reference_split(text) == expected


@pytest.mark.parametrize(
    "text,region",
    [
        ("<think>a</think>C", "C"),
        ("<think>cut off", ""),
        ("cut off inside template-opened thinking</think>", ""),
        ("## Thinking\ncut off", ""),
        ("Reasoning.\nThe final answer is: $\\boxed{C}$", "The final answer is: $\\boxed{C}$"),
        ("C", "C"),
        ("  Answer: C\n", "Answer: C"),
        ("The most likely diagnosis is pernicious anemia.", "The most likely diagnosis is pernicious anemia."),
    ],
)
def test_answer_region_is_what_extraction_reads(text: str, region: str) -> None:
    assert answer_region(text) == region


@pytest.mark.parametrize(
    "reasoning,content,region",
    [
        # deepseek_r1 parsers (vLLM, SGLang) on AlphaMed free text: everything in reasoning
        ("B12 is low.\nThe final answer is: $\\boxed{C}$", "", "The final answer is: $\\boxed{C}$"),
        ("B12 is low. The final answer is: $\\boxed{C}$", None, "The final answer is: $\\boxed{C}$"),
        # the parser found </think>: its content is the region, as without the parser
        ("The final answer is B, or not", "The final answer is: C", "The final answer is: C"),
        # no final-answer sentence in the reasoning: a letter only mentioned there is no commitment
        ("Maybe C? B12 is low and", "", ""),
    ],
)
def test_answer_region_of_an_engine_split_output(reasoning: str, content: str | None, region: str) -> None:
    assert answer_region(content, reasoning=reasoning) == region
    if content == "" and region:  # the same as the gateway's own split of the raw output
        assert answer_region(reasoning) == region


def test_untagged_reasoning_mode_makes_free_text_reasoning() -> None:
    assert split_reasoning("B12 is low, so", untagged="reasoning") == ("B12 is low, so", "")
    assert split_reasoning("Because X.\nThe final answer is C", untagged="reasoning") == (
        "Because X.",
        "The final answer is C",
    )
    assert split_reasoning("x</think>C", untagged="reasoning") == ("x", "C")


def test_stream_emits_reasoning_before_the_end() -> None:
    s = ReasoningSplitter()
    assert s.feed("<think>Folate is normal. ") == ("Folate is normal.", "")
    assert s.feed("B12 is low.</thi") == (" B12 is low.", "")
    assert s.feed("nk> The answer") == ("", "The answer")
    assert s.feed(" is C.") == ("", " is C.")
    assert s.finish() == ("", "")


def test_stream_free_text_holds_only_a_possible_final_answer_sentence() -> None:
    s = ReasoningSplitter(untagged="reasoning")
    assert s.feed("Folate is normal.\nThe fin") == ("Folate is normal.", "")
    assert s.feed("ding is B12 deficiency.\nThe final") == ("\nThe finding is B12 deficiency.", "")
    assert s.feed(" answer is C") == ("", "")
    assert s.finish() == ("", "The final answer is C")


def test_feed_after_finish_and_bad_input_do_nothing() -> None:
    s = ReasoningSplitter()
    assert s.feed("<think>a ") == ("a", "")
    assert s.finish() == ("", "")
    assert s.feed("more") == ("", "")
    assert s.finish() == ("", "")
    assert ReasoningSplitter().feed(None) == ("", "")  # type: ignore[arg-type]
    assert split_reasoning(None) == ("", "")  # type: ignore[arg-type]


# ---- an independent, regex-based statement of the rules -------------------------------------------

_OPENER = re.compile(
    r"(?:^|(?<=[\n\r])|(?<=[\n\r.!?:])[ \t]{1,16})(?P<op>[#*_>]{0,4}[ \t]{0,3}(?:(?:therefore|thus|hence|so|finally|overall"
    r"|in[ \t]{1,3}conclusion|in[ \t]{1,3}summary)(?:[ \t]{0,3},[ \t]{0,3}|[ \t]{1,3}))?(?:the[ \t]{1,3})?final[ \t]{1,3}answer)",
    re.IGNORECASE | re.ASCII,
)


def _first_opener(s: str) -> int:
    pos = 0
    while True:
        m = _OPENER.search(s, pos)
        if m is None:
            return -1
        end = m.end("op")
        if end == len(s) or not s[end].isalpha():
            return m.start("op")
        pos = m.start() + 1


def reference_split(text: str, untagged: str = "content", style: str = "auto") -> tuple[str, str]:
    s = text.lstrip()
    for open_tag, close_tag in (("<think>", "</think>"), ("## Thinking", "## Final Response")):
        if s.startswith(open_tag):
            r, _, c = s[len(open_tag) :].partition(close_tag)
            return r.strip(), c.strip()
    p, k = _first_opener(s), s.find("</think>")
    if style == "final-answer" and p >= 0 and (k < 0 or p < k):  # the first marker ends the reasoning
        return s[:p].strip(), s[p:].strip()
    if "</think>" in s:
        r, _, c = s.partition("</think>")
        return r.strip(), c.strip()
    p = _first_opener(s)
    if p >= 0:
        return s[:p].strip(), s[p:].strip()
    return (s.strip(), "") if untagged == "reasoning" else ("", s.strip())


FRAGMENTS = [
    "<think>",
    "</think>",
    "<th",
    "ink>",
    "</",
    "think",
    "</think",
    "## Thinking",
    "## Final Response",
    "## Fin",
    "The final answer is: $\\boxed{C}$",
    "final answer",
    "Final  Answer",
    "FINAL ANSWER",
    "Therefore, the final answer",
    "So the",
    "so,",
    "In   conclusion",
    "in summary ,",
    "the",
    "final",
    "answer",
    "answers",
    "finally",
    " ",
    "  ",
    "    ",
    "\n",
    "\t",
    "\r\n",
    " " * 16,
    "\t" * 9,
    ".",
    ":",
    "!",
    "?",
    ",",
    "**",
    "#",
    "###",
    ">",
    "_",
    "B12 is low",
    "C",
    "é",
    "ſ",
    "İ",
    "\u00a0",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=30).map("".join)


def _stream(text: str, cuts: list[int], untagged: str = "content", style: str = "auto") -> tuple[str, str]:
    splitter = ReasoningSplitter(untagged=untagged, style=style)  # type: ignore[arg-type]
    reasoning, content = [], []
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    for a, b in zip(bounds, bounds[1:]):
        r, c = splitter.feed(text[a:b])
        reasoning.append(r)
        content.append(c)
    r, c = splitter.finish()
    return "".join(reasoning) + r, "".join(content) + c


@settings(max_examples=600, deadline=None)
@given(
    text=texts,
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=40),
    untagged=st.sampled_from(["reasoning", "content"]),
    style=st.sampled_from(["auto", "final-answer"]),
)
def test_streaming_equals_whole_text_split_for_any_chunking(
    text: str, cuts: list[int], untagged: str, style: str
) -> None:
    whole = split_reasoning(text, untagged=untagged, style=style)  # type: ignore[arg-type]
    assert _stream(text, cuts, untagged, style) == whole
    assert _stream(text, list(range(len(text))), untagged, style) == whole  # one character at a time
    assert whole == reference_split(text, untagged, style)


def test_final_answer_style_streams_the_answer_as_it_comes() -> None:
    """The gateway's streams: content is sent from the final-answer sentence on, not held to the end."""
    s = ReasoningSplitter(untagged="reasoning", style="final-answer")
    assert s.feed("B12 is low.\nThe final") == ("B12 is low.", "")  # could still be "The finalist..."
    assert s.feed(" answer is") == ("", "The final answer is")
    assert s.feed(" $\\boxed{C}") == ("", " $\\boxed{C}")
    assert s.finish() == ("", "")
    held = ReasoningSplitter(untagged="reasoning")  # auto: a later </think> could still turn it into reasoning
    assert held.feed("B12 is low.\nThe final answer is") == ("B12 is low.", "")
    assert held.feed(" $\\boxed{C}") == ("", "")
    assert split_reasoning("The final answer is B.</think>C", style="final-answer") == (
        "",
        "The final answer is B.</think>C",
    )


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_any_string_splits_without_error(text: str) -> None:
    reasoning, content = split_reasoning(text)
    assert isinstance(reasoning, str) and isinstance(content, str)


def test_megabyte_outputs_split_in_linear_time() -> None:
    body = "Folate is normal. " * 20_000
    text = "<think>" + body + "</think>The final answer is C."
    assert split_reasoning(text) == (body.strip(), "The final answer is C.")
    free = body + "\nThe final answer is: $\\boxed{C}$"
    s = ReasoningSplitter(untagged="reasoning")
    pieces = [s.feed(free[i : i + 7]) for i in range(0, len(free), 7)] + [s.finish()]
    assert "".join(r for r, _ in pieces) == body.strip()
    assert "".join(c for _, c in pieces) == "The final answer is: $\\boxed{C}$"


# ---- the parser registry: one parser per style ----------------------------------------------------


def _stream_parser(name: str, text: str, cuts: list[int], untagged: str) -> tuple[str, str]:
    parser = get_parser(name, untagged=untagged)  # type: ignore[arg-type]
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    pieces = [parser.feed(text[a:b]) for a, b in zip(bounds, bounds[1:])] + [parser.finish()]
    return "".join(r for r, _ in pieces), "".join(c for _, c in pieces)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(parser_names()),
    text=texts,
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=40),
    untagged=st.sampled_from(["reasoning", "content"]),
)
def test_every_parser_splits_the_same_whole_and_incrementally(
    name: str, text: str, cuts: list[int], untagged: str
) -> None:
    whole = get_parser(name, untagged=untagged).split(text)  # type: ignore[arg-type]
    assert _stream_parser(name, text, cuts, untagged) == whole
    assert _stream_parser(name, text, list(range(len(text))), untagged) == whole


def test_registry_names_every_style_and_rejects_unknown_names() -> None:
    assert {"auto", "final-answer", "free-text", "think-tags", "final-response"} <= set(parser_names())
    assert split_reasoning("## Thinking\nB12 is low.\n## Final Response\nC", style="final-response") == (
        "B12 is low.",
        "C",
    )
    assert get_parser("think-tags").split("B12 is low.</think>C") == ("B12 is low.", "C")
    with pytest.raises(ValueError, match=r"unknown reasoning parser 'deepseek'.*auto, final-answer") as info:
        get_parser("deepseek")
    assert all(name in str(info.value) for name in parser_names())
    with pytest.raises(ValueError, match="unknown reasoning parser"):
        ReasoningSplitter(style="nope")  # type: ignore[arg-type]
