"""Each speed-up of the extractor agrees with the slower rule it stands for, on generated input."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from alphamed.extract import answer as A
from alphamed.extract import fallback as F
from alphamed.extract import option_index
from alphamed.extract import search as S
from alphamed.extract.options import OptionIndex, normalize_options, normalize_text

AF = ["Aspirin", "Unfractionated heparin", "Warfarin", "Clopidogrel"]
_OPTIONS = st.sampled_from(
    [AF, ["yes", "no", "maybe"], [], ["Type 1 diabetes", "Type 2 diabetes", "C", "(D)"], ["A. x", "B. y"]]
)

_SEGMENT_PIECES = st.sampled_from(
    [
        " ",
        "  ",
        "\t",
        "\n",
        "**",
        "(",
        ")",
        "[",
        "]",
        ".",
        "..",
        ",",
        ":",
        "!",
        ";",
        "C",
        "A",
        "I",
        "E",
        "c",
        "Z",
        "or",
        " or B",
        "Warfarin",
        "aspirin",
        "not",
        "either",
        "maybe",
        "because",
        "-",
        "'s",
        "\\text{",
        "}",
        "$",
        "Ｃ",
        "С",
        "\r",
        "yes",
        "5",
    ]
)


@settings(max_examples=700, deadline=None)
@given(
    st.lists(_SEGMENT_PIECES, max_size=12).map("".join), _OPTIONS, st.sampled_from(["phrase", "enclosed", "strict"])
)
def test_the_lone_letter_shortcut_reads_as_the_full_reading(segment: str, options: list[str], mode: str) -> None:
    idx = OptionIndex(normalize_options(options))
    seg = segment if segment.isascii() else segment.translate(A.TRANSLATE)
    if A._LONE_LETTER.match(seg):
        assert A.read_answer(segment, idx, mode) == A._read_full(seg, idx, mode)


_SOUP = st.sampled_from(
    [
        "The answer is",
        "answer: ",
        "C",
        "B",
        ".",
        " ",
        "\n",
        "xanswer",
        "option ",
        "best option is A",
        "<answer>D</answer>",
        "\\boxed{A}",
        "not ",
        "if ",
        "either B or C",
        "Réponse : B",
        "ответ: С",
        "reponse",
        "filler text " * 6,
        "İ",
        "é",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_SOUP, max_size=60).map("".join), _OPTIONS)
def test_the_near_window_search_gives_what_two_window_scans_give(text: str, options: list[str]) -> None:
    """One lazy pass over the last 800 characters equals the scan of the last 160, then of the 640 before."""
    idx = option_index(options)
    end = len(text)
    near_at = max(0, end - S.NEAR_WINDOW)
    chunk = text[near_at:end]
    lowered = chunk.lower()
    if not (chunk.isascii() or (len(lowered) == len(chunk) and "\u03a3" not in chunk)):
        return  # last_marker scans such text window by window
    near = S._near_strong(text, idx, 0, end, near_at, chunk, lowered, chunk.isascii())
    first = S._scan(text, idx, max(0, end - 160), end, end + 1, end)
    if first is None and end > 160:
        first = S._scan(text, idx, max(0, end - 800), end, end - 160, end)
    assert near == first


_OLD_SENTENCE = re.compile(r"[^.!?\n。]+(?:[.!?。]+(?=\s|$)|\n|$)")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab .!?\n。\t\u3000\x1c", max_size=60))
def test_the_linear_sentence_split_finds_the_same_sentences(text: str) -> None:
    assert [m.span() for m in F._SENTENCE.finditer(text)] == [m.span() for m in _OLD_SENTENCE.finditer(text)]


@settings(max_examples=700, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["pernicious", "Anemia", "b12", "x", " ", "  ", ".", "*", "_", "\n", "\u3000", "İc", "Σ", "'"]
        ),
        max_size=8,
    ).map("".join)
)
def test_the_option_text_gate_never_hides_an_equal_text(text: str) -> None:
    idx = OptionIndex(normalize_options(["Pernicious anemia", "b12 . x", "x", "aİc", "'b12'"]))
    if normalize_text(text) in idx.texts.values():
        assert idx.may_be_text(text)
