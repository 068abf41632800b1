"""Answer extraction: which option a model's output commits to.

Evidence, strongest first:

1. Final-answer markers (:mod:`alphamed.extract.markers`): answer tags, ``\\boxed{}``, "the answer
   is", "Answer:", answer headers, "Option C is correct", "I'd choose", multilingual markers. The
   LAST marker in the output wins, so a revised answer beats a tentative one; when that last
   marker hedges ("either B or C"), negates ("not A"), names a letter that is not an option, or
   gives a letter whose text contradicts another option, the output commits to nothing.
2. A bare answer line: the output is only "C" / "(C)" / "C. text", or its first or last line is
   (not when the lines are an options list).
3. Option text in the concluding sentence ("...most likely pernicious anemia."), the longest
   option text winning over shorter ones it contains; negated mentions ("not X", "rules out X")
   and hedged or several-option sentences abstain.

Otherwise None: truncated reasoning, refusals, hedges, gibberish. A wrong letter is worse than
None. Outputs longer than :data:`WINDOW` characters are read in two bounded windows (the head
for an answer given first, the tail for the final commitment), so the cost per output is bounded.

>>> extract_answer("So the answer is clear. The final answer is: $\\\\boxed{C}$", ["a", "b", "c"]).letter
'C'
>>> extract_answer("Initially B looks right, but the answer is D.", ["w", "x", "y", "z"]).letter
'D'
>>> extract_answer("The findings point to pernicious anemia.", ["Folate deficiency", "Pernicious anemia"]).method
'option_text'
>>> extract_answer("It is either B or C.", ["a", "b", "c"]) is None
True
>>> extract_answer("I am not sure.", ["a", "b"]) is None
True
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from alphamed.extract.answer import TRANSLATE, Reading, read_answer
from alphamed.extract.fallback import bare_line, concluding_option
from alphamed.extract.markers import CONDITIONAL, MARKERS, NEGATED, READ_MODE, TAG_CLOSE
from alphamed.extract.options import OptionIndex, Options, normalize_options

__all__ = ["Extraction", "Options", "extract_answer", "normalize_options", "WINDOW"]

logger = logging.getLogger(__name__)

WINDOW = 16_384
"""Outputs longer than this are read as their first ``HEAD`` and last ``WINDOW`` characters."""
HEAD = 2_048
_LOOKBEHIND = 80
_ENCLOSED_MAX = 400


@dataclass(frozen=True)
class Extraction:
    """What an output commits to.

    Args:
        letter: the option letter.
        text: that option's text (None when options were not given with texts).
        method: the rule that found it (``answer_tag``, ``boxed``, ``answer_phrase``, ``option_text``...).
        span: (start, end) of the evidence in the text.
    """

    letter: str
    text: str | None
    method: str
    span: tuple[int, int]


def extract_answer(text: str, options: Options | None = None) -> Extraction | None:
    """The option ``text`` commits to, or None when it commits to no single option.

    Never raises: any input that is not a string, or anything unexpected, gives None.

    Args:
        text: the model output.
        options: option texts in order (letters A, B, ... implied), a letter -> text mapping,
            or either as a JSON string. Without options any capital letter is accepted and
            option texts cannot be matched.

    Returns:
        An :class:`Extraction`, or None.

    >>> extract_answer("<answer>(B) Heparin</answer>", {"A": "Aspirin", "B": "Heparin"})
    Extraction(letter='B', text='Heparin', method='answer_tag', span=(0, 19))
    """
    if not isinstance(text, str) or not text or text.isspace():
        return None
    try:
        return find_answer(text, OptionIndex(normalize_options(options)))
    except Exception:  # a bug must not take down training or serving; it is logged
        logger.exception("answer extraction failed on a %d-character output", len(text))
        return None


def find_answer(text: str, options: OptionIndex) -> Extraction | None:
    """:func:`extract_answer` with prepared options (raises on bugs, for tests)."""
    if len(text) <= WINDOW + HEAD:
        return _decide(text, options, 0, len(text))[0]
    found, decided = _decide(text, options, len(text) - WINDOW, len(text), head=False)
    if decided:
        return found
    return _decide(text, options, 0, HEAD, tail=False)[0]


def _decide(
    text: str, options: OptionIndex, start: int, end: int, head: bool = True, tail: bool = True
) -> tuple[Extraction | None, bool]:
    """Apply the rules to ``text[start:end]`` (offsets stay those of ``text``).

    Returns:
        The extraction, and whether the window decided (a marker that abstains decides too).
    """
    marker = _last_marker(text, options, start, end)
    if marker is not None:
        reading, method, span = marker
        if reading.kind != "commit" or reading.letter is None:
            return None, True
        return Extraction(reading.letter, options.text_of(reading.letter), method, span), True
    if tail:
        line = bare_line(text, options, start, end, first=False, last=True)
        if line is not None:
            return Extraction(line[0], options.text_of(line[0]), line[1], line[2]), True
        concluded = concluding_option(text, options, start, end)
        if concluded is not None:
            letter, span = concluded
            return Extraction(letter, options.text_of(letter), "option_text", span), True
    if head:
        line = bare_line(text, options, start, end, first=True, last=False)
        if line is not None:
            return Extraction(line[0], options.text_of(line[0]), line[1], line[2]), True
    return None, False


def _last_marker(text: str, options: OptionIndex, start: int, end: int) -> tuple[Reading, str, tuple[int, int]] | None:
    """The last marker in ``text[start:end]`` that says something about the answer."""
    last = None
    for m in MARKERS.finditer(text, start, end):
        method = m.lastgroup or ""
        found = _read_marker(text, m, method, options, end)
        if found is not None:
            last = (found[0], method, found[1])
    return last


def _read_marker(text: str, m: Any, method: str, options: OptionIndex, end: int) -> tuple[Reading, tuple[int, int]] | None:
    """The reading after one marker match, or None when the marker says nothing."""
    if method == "verdict":
        letter = text[_verdict_letter(m)].translate(TRANSLATE)
        reading = Reading("commit" if options.valid(letter) else "invalid", letter, m.end() - m.start())
        seg_start = m.start()
    else:
        seg_start = m.end()
        seg_end = min(end, seg_start + 240)
        mode = READ_MODE.get(method, "phrase")
        if method in ("answer_tag", "boxed"):
            seg_end = _enclosed_end(text, seg_start, min(end, seg_start + _ENCLOSED_MAX), method)
        reading = read_answer(text[seg_start:seg_end], options, mode)
    if reading.kind == "none":
        return None
    before = text[max(0, m.start() - _LOOKBEHIND):m.start()]
    if method in ("answer_phrase", "verdict", "conclusion_phrase") and CONDITIONAL.search(before):
        return None
    if method not in ("answer_tag", "boxed") and NEGATED.search(before) and reading.kind == "commit":
        reading = Reading("negation", reading.letter, reading.end)
    return reading, (m.start(), seg_start + reading.end)


def _verdict_letter(m: Any) -> int:
    """Offset of the letter in a "verdict" match ("Option C is correct")."""
    s = m.group(0)
    for i, ch in enumerate(s):
        if "A" <= ch <= "Z" and (i + 1 == len(s) or not s[i + 1].isalpha()) and (i == 0 or not s[i - 1].isalpha()):
            return m.start() + i
    return m.start()


def _enclosed_end(text: str, start: int, limit: int, method: str) -> int:
    """End of the content of ``<answer>...</answer>`` or ``\\boxed{...}`` (bounded)."""
    if method == "answer_tag":
        close = TAG_CLOSE.search(text, start, limit)
        if close:
            return close.start()
        newline = text.find("\n", start, limit)
        return newline if newline >= 0 else limit
    depth = 1
    for i in range(start, limit):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
    return limit
