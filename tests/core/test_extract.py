"""Answer extraction: one idea per case, fuzzing, bounded cost on huge outputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alphamed.extract import Extraction, extract_answer, find_answer, normalize_options
from alphamed.extract.options import OptionIndex

AF = ["Aspirin", "Unfractionated heparin", "Warfarin", "Clopidogrel"]
DM = [
    "Type 2 diabetes mellitus",
    "Type 1 diabetes mellitus",
    "Maturity-onset diabetes of the young",
    "Diabetes insipidus",
]
YNM = ["yes", "no", "maybe"]
TEN = [f"Option text {i}" for i in range(10)]

COMMITS = [
    # (output, options, letter, method)
    ("The final answer is: $\\boxed{C}$", AF, "C", "boxed"),
    ("<answer>(B) Unfractionated heparin</answer>", AF, "B", "answer_tag"),
    ("<answer>Warfarin</answer>", AF, "C", "answer_tag"),
    ("\\boxed{\\text{C}}", AF, "C", "boxed"),
    ("\\boxed{\\textbf{D}}", AF, "D", "boxed"),
    ("\\boxed{C: Warfarin}", AF, "C", "boxed"),
    ("\\boxed{Warfarin}", AF, "C", "boxed"),
    ("The answer is (C).", AF, "C", "answer_phrase"),
    ("Answer: C", AF, "C", "answer_phrase"),
    ("**Answer:** C", AF, "C", "answer_phrase"),
    ("### Final Answer\nC", AF, "C", "answer_header"),
    ("Final answer: C) Warfarin", AF, "C", "answer_phrase"),
    ("C. Warfarin\n\nExplanation: aspirin and clopidogrel are antiplatelets.", AF, "C", "answer_first"),
    ("(C)", AF, "C", "bare_letter"),
    ("Warfarin is the drug of choice for long-term prevention here.", AF, "C", "option_text"),
    ("The findings indicate type 1 diabetes mellitus rather than type 2 diabetes mellitus.", DM, "B", "option_text"),
    ("The answer is B. Wait, no: the answer is C.", AF, "C", "answer_phrase"),
    ("The answer is not A; it is C.", AF, "C", "answer_phrase"),
    ("A 45-year-old man needs anticoagulation. Answer: C", AF, "C", "answer_phrase"),
    ("Option C is correct.", AF, "C", "verdict"),
    ("I'll go with (B).", AF, "B", "choice_phrase"),
    ("Therefore, C.", AF, "C", "conclusion"),
    ("So the final answer is yes.", YNM, "A", "answer_phrase"),
    ("No, the groups did not differ.", YNM, "B", "answer_first"),
    ("The answer is (J).", TEN, "J", "answer_phrase"),
    ("答案：Ｃ", AF, "C", "answer_phrase"),
    ("Réponse : C", AF, "C", "answer_phrase"),
    ("Ответ: С", AF, "C", "answer_phrase"),  # Cyrillic Es
    ("The answer is C!!!", AF, "C", "answer_phrase"),
    ("The answer is \\textbf{C}.", AF, "C", "answer_phrase"),
    ("Final answer → C", AF, "C", "answer_phrase"),
    ("B12 low → autoimmune gastritis → C", AF, "C", "arrow"),
]


@pytest.mark.parametrize("text,options,letter,method", COMMITS)
def test_commitments_are_found(text: str, options: list[str], letter: str, method: str) -> None:
    found = extract_answer(text, options)
    assert found is not None
    assert (found.letter, found.method) == (letter, method)
    assert found.text == dict(normalize_options(options))[letter]
    start, end = found.span
    assert 0 <= start < end <= len(text)


ABSTAINS = [
    ("", AF),
    ("   \n\t", AF),
    ("Let's analyze each option. Aspirin is an antiplatelet agent that", AF),
    ("I'm sorry, but I can't help with medical questions.", AF),
    ("The answer is either B or C.", AF),
    ("\\boxed{B \\text{ or } C}", AF),
    ("Answer: B/C", AF),
    ("The answer is not A.", AF),
    ("The answer is E.", AF),
    ("\\boxed{K}", TEN),
    ("asdkj qwe zxcv ;;; ???", AF),
    ("Question: which drug?\nA. Aspirin\nB. Unfractionated heparin\nC. Warfarin\nD. Clopidogrel", AF),
    ("If the valve were mechanical, the answer would be C.", AF),
    ("It could be type 1 diabetes mellitus or type 2 diabetes mellitus.", DM),
    ("The answer is C, maybe, or D.", AF),
    ("Answer: A 45-year-old man", AF),
    ("It is $\\boxed{B}$ or $\\boxed{C}$", AF),
    ("The answer is C, but I cannot tell for sure.", AF),
]


@pytest.mark.parametrize("text,options", ABSTAINS)
def test_non_commitments_give_none(text: str, options: list[str]) -> None:
    assert extract_answer(text, options) is None


@pytest.mark.parametrize(
    "options",
    [
        AF,
        dict(zip("ABCD", AF)),
        {"a": "Aspirin", "b": "x", "c": "Warfarin", "d": "y"},
        '["Aspirin", "b", "Warfarin", "d"]',
        ["A. Aspirin", "B. x", "C. Warfarin", "D. y"],
    ],
)
def test_every_options_shape_is_understood(options: object) -> None:
    found = extract_answer("The patient needs warfarin. The final answer is: $\\boxed{C}$", options)  # type: ignore[arg-type]
    assert found is not None and found.letter == "C" and found.text == "Warfarin"


def test_without_options_any_capital_letter_is_accepted_but_no_text() -> None:
    assert extract_answer("The answer is (G).") == Extraction("G", None, "answer_phrase", (4, 17))


@pytest.mark.parametrize(
    "text",
    [
        "The INR is therapeutic here\nAnswer: C",
        "The INR is therapeutic here\nAnswer: C\n",
        "Warfarin fits best 2\nThe answer is (C).",
        "Warfarin fits best\n**Answer:** C",
        "Warfarin fits best\nFinal answer: C",
    ],
)
def test_a_marker_on_a_new_line_after_a_word_is_read(text: str) -> None:
    """A line break ends the word before a marker: the reasoning need not end with a full stop."""
    found = extract_answer(text, AF)
    assert found is not None and found.letter == "C" and found.method == "answer_phrase"


@pytest.mark.parametrize(
    "text",
    [
        "I wondered whether B could work\nAnswer: C",
        "Aspirin alone is not enough in AF\nAnswer: C",
        "Heparin would help if it were acute\n**Answer:** C",
    ],
)
def test_a_line_break_ends_a_conditional_or_negated_clause(text: str) -> None:
    """A hedge or negation on the line before a marker does not reach the marker."""
    found = extract_answer(text, AF)
    assert found is not None and found.letter == "C"


def test_a_marker_glued_to_a_word_is_still_ignored() -> None:
    assert extract_answer("Warfarin is my reanswer: B", AF) is None


def test_non_string_input_gives_none() -> None:
    for value in (None, 3, b"The answer is C", ["C"]):
        assert extract_answer(value, AF) is None  # type: ignore[arg-type]


def test_last_commitment_wins_over_a_boxed_draft() -> None:
    text = "Draft: \\boxed{A}. On reflection aspirin is inferior.\n\nThe final answer is: $\\boxed{C}$"
    assert extract_answer(text, AF).letter == "C"  # type: ignore[union-attr]


def test_answer_at_the_end_of_a_megabyte_output_is_found_quickly() -> None:
    body = "Aspirin is an antiplatelet; clopidogrel too. " * 25_000
    found = extract_answer(body + "\nThe final answer is: $\\boxed{C}$", AF)
    assert found is not None and found.letter == "C" and found.span[0] > 1_000_000


def test_answer_given_first_in_a_megabyte_output_is_found() -> None:
    text = "Answer: C\n\n" + "Aspirin is an antiplatelet; clopidogrel too. " * 25_000 + "That is all"
    assert extract_answer(text, AF).letter == "C"  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400), options=st.lists(st.text(max_size=20), max_size=10))
def test_any_string_and_options_never_raise(text: str, options: list[str]) -> None:
    found = find_answer(text, OptionIndex(normalize_options(options))) if text.strip() else None
    assert found is None or found.letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


MARKER_PIECES = [
    "The answer is",
    "Answer:",
    "\\boxed{",
    "}",
    "<answer>",
    "</answer>",
    "(",
    ")",
    "C",
    "A",
    "B",
    "or",
    "not",
    "**",
    "\n",
    " ",
    "final answer",
    "Option",
    "is correct",
    "Therefore,",
    "→",
    "答案",
    "Ответ",
    "Ｃ",
    "С",
    "warfarin",
    "yes",
    "$",
    ".",
]


@settings(max_examples=100, deadline=None)
@given(pieces=st.lists(st.sampled_from(MARKER_PIECES), max_size=40), big=st.integers(min_value=0, max_value=3))
def test_marker_soup_never_raises_even_when_huge(pieces: list[str], big: int) -> None:
    text = "".join(pieces) * (1 + big * 20_000)
    found = find_answer(text, OptionIndex(normalize_options(AF))) if text.strip() else None
    assert found is None or found.letter in "ABCD"


_GATE_PIECES = st.sampled_from(
    list("abor/ \n\t$*.,;!?ANDORn")
    + [
        " or",
        " and/or",
        "not ",
        "n't",
        "never",
        "doubt",
        "if ",
        "were ",
        "suppose",
        "cannot tell",
        "not sure",
        " a guess",
        "ſ",
        "İ",
        "K",
        "\x1c",
        "\xa0",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_GATE_PIECES, max_size=30).map("".join), st.integers(min_value=0, max_value=200))
def test_marker_check_gates_agree_with_their_regexes(text, cut):
    """The fast checks run on every marker read give exactly what their regexes give."""
    from alphamed.extract import markers as M

    start = min(cut, len(text))
    assert M.is_alternative(text, start, len(text)) == (M.ALTERNATIVE.search(text, start, len(text)) is not None)
    assert M.is_negated(text) == (M.NEGATED.search(text) is not None)
    assert M.is_conditional(text) == (M.CONDITIONAL.search(text) is not None)
    assert M.has_doubt_after(text, start, len(text)) == (M.DOUBT_AFTER.match(text, start, len(text)) is not None)
    assert M.has_latin_foreign(text.lower()) == (M.FOREIGN_LATIN_WORDS.search(text.lower()) is not None)


# Issue #17 families: one idea per case (the labeled set holds many more of each).
@pytest.mark.parametrize(
    "text, letter",
    [
        (
            "**C**\n\nWarfarin is the oral anticoagulant.\n(A) is wrong: aspirin is inferior.\n(B) is wrong: IV only.",
            "C",
        ),
        (
            "D - Clopidogrel. It is an antiplatelet. A is incorrect - aspirin alone. B is incorrect - heparin is IV.",
            "D",
        ),
        ("Warfarin is oral.\n\nFinal: C", "C"),
        ("Warfarin is oral. So my final pick is C.", "C"),
        ("Warfarin is oral.\n\ngoing with c", "C"),
        ("Warfarin is oral.\n\nThe answer is Ｃ.", "C"),
        ("Warfarin is oral.\n\nAnswer:\u00a0\u200bC\u200b", "C"),
        ("Warfarin is oral.\n\nAnswer: **C**!!", "C"),
        ("[ ] A. Aspirin\n[ ] B. Unfractionated heparin\n[x] C. Warfarin\n[ ] D. Clopidogrel", "C"),
        (
            "A. Aspirin: inferior.\nB. Unfractionated heparin: IV.\nC. Warfarin: oral.\nD. Clopidogrel: no.\n\n**C. Warfarin**",
            "C",
        ),
        ("Aspirin is inferior in AF.\n\n最终答案：C", "C"),
        ("Aspirin is inferior in AF.\n\nTherefore: warfarin.", "C"),
    ],
)
def test_issue_17_families_commit(text: str, letter: str) -> None:
    found = extract_answer(text, AF)
    assert found is not None and found.letter == letter, found


@pytest.mark.parametrize(
    "text",
    [
        "Both B and C are correct.",
        "Warfarin is oral.\n\n**Correct answers: B, C**",
        "[ ] A. Aspirin\n[x] B. Unfractionated heparin\n[x] C. Warfarin\n[ ] D. Clopidogrel",
        "A. Aspirin\nB. Unfractionated heparin\nC. Warfarin\nD. Clopidogrel",
        "None of the options given is correct.",
        "If the INR were labile I'd be going with B, but we do not know it.",
    ],
)
def test_issue_17_families_abstain(text: str) -> None:
    assert extract_answer(text, AF) is None


def test_near_miss_paraphrases_stay_apart() -> None:
    assert extract_answer("GAD65 positive child.\n\nDiagnosis: type 1 DM.", DM).letter == "B"  # type: ignore[union-attr]
    assert extract_answer("Obese adult.\n\nDiagnosis: T2DM.", DM).letter == "A"  # type: ignore[union-attr]


def test_the_span_of_normalised_text_is_in_original_offsets() -> None:
    text = "Aspirin is inferior.\n\nAnswer:\u00a0\u200bＣ"
    found = extract_answer(text, AF)
    assert found is not None and text[found.span[1] - 1] == "Ｃ"
