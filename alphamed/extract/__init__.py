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
from collections.abc import Mapping
from functools import lru_cache
from operator import itemgetter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from alphamed.extract.answer import SEGMENT, TRANSLATE, Reading, read_answer
from alphamed.extract.fallback import bare_line, concluding_option
from alphamed.extract.markers import (
    FOREIGN,
    FOREIGN_ANY_CASE,
    READ_MODE,
    STRONG,
    STRONG_ANY_CASE,
    TAG_CLOSE,
    WEAK,
    WEAK_ANY_CASE,
    WEAK_WORDS,
    accept,
    find_markers,
    has_doubt_after,
    has_latin_foreign,
    is_alternative,
    is_conditional,
    is_negated,
)
from alphamed.extract.options import OptionIndex, Options, normalize_options

__all__ = ["Extraction", "Options", "extract_answer", "normalize_options", "WINDOW"]

logger = logging.getLogger(__name__)

WINDOW = 16_384
"""Outputs longer than this are read as their first ``HEAD`` and last ``WINDOW`` characters."""
HEAD = 2_048
_LOOKBEHIND = 80
_ENCLOSED_MAX = 400
_FIRST_WINDOW = 160
# "...$\\boxed{C}$" / "<answer>C</answer>" at the very end: the last commitment, read directly.
_FAST_END = re.compile(
    r"(?:\\boxed\{[ \t]*(?:\\text(?:bf)?\{[ \t]*)?(?:\(([A-Z])\)|([A-Z]))[ \t]*\}?[ \t]*\}"
    r"|<answer>\s*(?:\(([A-Z])\)|([A-Z]))\s*</answer>)(?P<close>)[\s$.*\\\])]*\Z"
)
_first = itemgetter(0)
_LETTER_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Z](?![a-z0-9])")
_NOTHING_AFTER = re.compile(r"[\s.!*_$})\]`'\"]*")
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
        return find_answer(text, option_index(options))
    except Exception:  # a bug must not take down training or serving; it is logged
        logger.exception("answer extraction failed on a %d-character output", len(text))
        return None


@lru_cache(maxsize=4096)
def _cached_index(key: tuple[Any, ...]) -> OptionIndex:
    return OptionIndex(normalize_options(dict(key) if key and isinstance(key[0], tuple) else list(key)))


def option_index(options: Any) -> OptionIndex:
    """Prepared options, cached: training and batch scoring reuse the same options many times.

    Args:
        options: as for :func:`extract_answer`.

    Returns:
        The :class:`~alphamed.extract.options.OptionIndex`.
    """
    try:
        if isinstance(options, Mapping):
            key: tuple[Any, ...] = tuple(options.items())
        elif isinstance(options, (list, tuple)):
            key = tuple(options)
        else:
            return OptionIndex(normalize_options(options))
        return _cached_index(key)
    except TypeError:  # unhashable oddities
        return OptionIndex(normalize_options(options))


def find_answer(text: str, options: OptionIndex, fast: bool = True) -> Extraction | None:
    """:func:`extract_answer` with prepared options (raises on bugs, for tests).

    Args:
        text: the output.
        options: prepared options.
        fast: allow the shortcut for an output that ends with a boxed or tagged single letter
            (the released models' format); tests compare it with the full rules.
    """
    tail_from = max(0, len(text) - 96)
    if fast and ("\\boxed" in text[tail_from:] or "<answer>" in text[tail_from:]):
        m = _FAST_END.search(text, tail_from)
        if m is not None and not is_alternative(text, max(0, m.start() - 12), m.start()):
            letter = m.group(1) or m.group(2) or m.group(3) or m.group(4)
            if options.valid(letter):
                method = "boxed" if m.group(1) or m.group(2) else "answer_tag"
                return Extraction(letter, options.text_of(letter), method, (m.start(), m.end("close")))
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

    Strong markers are read in windows from the end backwards, growing geometrically, stopping
    at the first window holding one: the final answer is usually near the end, so the cost rarely
    depends on the length of the reasoning. Weak markers count only after the last strong one
    and within the last :data:`WEAK_TAIL` characters.
    """
    strong = None
    w_end, size = end, _FIRST_WINDOW
    while w_end > start and strong is None:
        w_start = max(start, w_end - size)
        strong = _scan(text, options, w_start, min(end, w_end + _OVERLAP), w_end if w_end < end else end + 1, end)
        w_end, size = w_start, size * 4
    weak_from = max(start, end - WEAK_TAIL, strong[2][1] if strong is not None else start)
    if weak_from >= end or (strong is not None and _NOTHING_AFTER.fullmatch(text, weak_from, end)):
        return strong
    weak = _scan(text, options, weak_from, end, end + 1, end, strong=False)
    return weak if weak is not None else strong


_Event = tuple[Reading, str, tuple[int, int]]


def _scan(text: str, options: OptionIndex, start: int, stop: int, before: int, end: int, strong: bool = True) -> _Event | None:
    """The last marker event in ``text[start:stop]`` whose evidence starts before ``before``."""
    chunk = text[start:stop]
    lowered = chunk.lower()
    if len(lowered) == len(chunk):
        if strong:
            matches = find_markers(lowered, STRONG)
            if not chunk.isascii() or has_latin_foreign(lowered):
                matches += find_markers(lowered, FOREIGN)
        else:
            matches = find_markers(lowered, WEAK if _LETTER_TOKEN.search(chunk) else WEAK_WORDS)
    else:  # lower-casing changed the length: offsets would not line up
        patterns = (STRONG_ANY_CASE, FOREIGN_ANY_CASE) if strong else (WEAK_ANY_CASE,)
        matches = [m for pattern in patterns for m in pattern.finditer(chunk)]
    accepted = []
    for m in matches:
        found = accept(chunk, m)
        if found is not None and start + found[1] < before:
            accepted.append((start + found[1], found[0], m))
    accepted.sort(key=_first, reverse=True)
    last: _Event | None = None
    for evidence_start, method, m in accepted:
        found = _read_marker(text, _Shifted(m, start), method, evidence_start, options, end)
        if found is not None:
            last = (found[0], method, found[1])
            break
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
    if method in ("answer_phrase", "verdict") and is_conditional(before):
        return None
    if reading.kind == "commit" and method not in ("answer_tag", "boxed") and is_negated(before):
        reading = Reading("negation", reading.letter, reading.end)
    if reading.kind == "commit" and is_alternative(before, max(0, len(before) - 12), len(before)):
        reading = Reading("hedge", reading.letter, reading.end)
    span = (evidence_start, seg_start + reading.end)
    if reading.kind == "commit" and has_doubt_after(text, span[1], min(end, span[1] + 80)):
        reading = Reading("hedge", reading.letter, reading.end)
    return reading, span


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
