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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from alphamed.extract.answer import SEGMENT, TRANSLATE, Reading, read_answer
from alphamed.extract.fallback import bare_line, concluding_option
from alphamed.extract.markers import (
    CONDITIONAL,
    FOREIGN,
    FOREIGN_ANY_CASE,
    FOREIGN_LATIN_WORDS,
    NEGATED,
    READ_MODE,
    STRONG,
    STRONG_ANY_CASE,
    TAG_CLOSE,
    WEAK,
    WEAK_ANY_CASE,
    accept,
)
from alphamed.extract.options import OptionIndex, Options, normalize_options

__all__ = ["Extraction", "Options", "extract_answer", "normalize_options", "WINDOW"]

logger = logging.getLogger(__name__)

WINDOW = 16_384
"""Outputs longer than this are read as their first ``HEAD`` and last ``WINDOW`` characters."""
HEAD = 2_048
_LOOKBEHIND = 80
_ENCLOSED_MAX = 400
_FIRST_WINDOW = 320
WEAK_TAIL = 480
_OVERLAP = 200


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
    for first, last in ((False, tail), (head, False)):
        line = bare_line(text, options, start, end, first=first, last=last) if first or last else None
        if line is not None:
            return Extraction(line[0], options.text_of(line[0]), line[1], line[2]), True
    if tail:
        concluded = concluding_option(text, options, start, end)
        if concluded is not None:
            letter, span = concluded
            return Extraction(letter, options.text_of(letter), "option_text", span), True
    return None, False


def _last_marker(text: str, options: OptionIndex, start: int, end: int) -> _Event | None:
    """The last marker in ``text[start:end]`` that says something about the answer.

    Weak markers are read only in the last :data:`WEAK_TAIL` characters. Strong markers are
    read in windows from the end backwards, growing geometrically, stopping at the first window
    holding one: the final answer is usually near the end, so the cost rarely depends on the
    length of the reasoning.
    """
    weak = _scan(text, options, max(start, end - WEAK_TAIL), end, end, end, strong=False)
    floor = weak[2][0] if weak is not None else start
    w_end, size = end, _FIRST_WINDOW
    while w_end > floor:
        w_start = max(floor, w_end - size)
        strong = _scan(text, options, w_start, min(end, w_end + _OVERLAP), w_end if w_end < end else end + 1, end)
        if strong is not None:
            return strong if weak is None or strong[2][0] > weak[2][0] else weak
        w_end, size = w_start, size * 4
    return weak


_Event = tuple[Reading, str, tuple[int, int]]


def _scan(text: str, options: OptionIndex, start: int, stop: int, before: int, end: int, strong: bool = True) -> _Event | None:
    """The last marker event in ``text[start:stop]`` whose evidence starts before ``before``."""
    chunk = text[start:stop]
    lowered = chunk.lower()
    exact = len(lowered) == len(chunk)
    if not exact:
        lowered = chunk
    if strong:
        patterns = [STRONG if exact else STRONG_ANY_CASE]
        if not chunk.isascii() or any(w in lowered for w in FOREIGN_LATIN_WORDS):
            patterns.append(FOREIGN if exact else FOREIGN_ANY_CASE)
    else:
        patterns = [WEAK if exact else WEAK_ANY_CASE]
    last: _Event | None = None
    for pattern in patterns:
        for m in pattern.finditer(lowered):
            accepted = accept(chunk, m)
            if accepted is None or start + accepted[1] >= before:
                continue
            found = _read_marker(text, _Shifted(m, start), accepted[0], start + accepted[1], options, end)
            if found is not None and (last is None or found[1][0] > last[2][0]):
                last = (found[0], accepted[0], found[1])
    return last


class _Shifted:
    """A match with offsets moved by ``shift`` (matches come from a slice of the text)."""

    __slots__ = ("_m", "_shift")

    def __init__(self, m: re.Match[str], shift: int) -> None:
        self._m, self._shift = m, shift

    def start(self) -> int:
        return self._m.start() + self._shift

    def end(self) -> int:
        return self._m.end() + self._shift


def _read_marker(
    text: str, m: Any, method: str, evidence_start: int, options: OptionIndex, end: int
) -> tuple[Reading, tuple[int, int]] | None:
    """The reading after one marker match, or None when the marker says nothing."""
    if method == "verdict":
        letter = text[evidence_start].translate(TRANSLATE)
        reading = Reading("commit" if options.valid(letter) else "invalid", letter, m.end() - evidence_start)
        seg_start = evidence_start
    else:
        seg_start = m.end()
        seg_end = min(end, seg_start + SEGMENT)
        if method in ("answer_tag", "boxed"):
            seg_end = _enclosed_end(text, seg_start, min(end, seg_start + _ENCLOSED_MAX), method)
        reading = read_answer(text[seg_start:seg_end], options, READ_MODE.get(method, "phrase"))
    if reading.kind == "none":
        return None
    before = text[max(0, evidence_start - _LOOKBEHIND):evidence_start]
    if method in ("answer_phrase", "verdict", "conclusion_phrase") and CONDITIONAL.search(before):
        return None
    if method not in ("answer_tag", "boxed") and NEGATED.search(before) and reading.kind == "commit":
        reading = Reading("negation", reading.letter, reading.end)
    return reading, (evidence_start, seg_start + reading.end)


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
