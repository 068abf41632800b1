"""Finding the last final-answer marker of an output and reading what it says.

Strong markers (answer tags, ``\\boxed{}``, "the answer is", answer headers, foreign phrases) are
searched from the end backwards: first the last :data:`NEAR_WINDOW` characters, then windows
growing geometrically, stopping at the first window holding a marker that says something, so
the cost rarely depends on the length of the reasoning. Weak markers ("Option C is correct",
"I'd choose C", "Therefore, C.", arrows) count only after the last strong one and within the
last :data:`WEAK_TAIL` characters.

>>> from alphamed.extract.options import OptionIndex
>>> text = "The answer is B. On reflection, the answer is C because of the INR."
>>> reading, method, span = last_marker(text, OptionIndex({"A": "x", "B": "y", "C": "z"}), 0, len(text))
>>> reading.letter, method, text[span[0]:span[1]]
('C', 'answer_phrase', 'answer is C')
"""

from __future__ import annotations

import re
from operator import itemgetter

from alphamed.extract.answer import SEGMENT, TRANSLATE, Reading, read_answer
from alphamed.extract.markers import (
    FOREIGN,
    FOREIGN_ANY_CASE,
    LABEL_ENDS,
    READ_MODE,
    STRONG,
    STRONG_ANY_CASE,
    TAG_CLOSE,
    VERDICT_WORDS,
    WEAK,
    WEAK_ANY_CASE,
    WEAK_NO_VERDICT,
    WEAK_UNLABELED,
    WEAK_WORDS,
    accept,
    find_literals,
    find_markers,
    has_doubt_after,
    has_latin_foreign,
    is_alternative,
    is_conditional,
    is_negated,
    may_be_foreign,
    present,
)
from alphamed.extract.options import OptionIndex

Event = tuple[Reading, str, tuple[int, int]]
"""A marker that says something: its reading, its rule (``method``) and the evidence span."""

FIRST_WINDOW = 160
"""The last characters scanned first for strong markers; then the window before it."""
NEAR_WINDOW = 5 * FIRST_WINDOW
"""The first window read for strong markers (it holds the full rules' first two windows)."""
WEAK_TAIL = 480
_LOOKBEHIND = 80
_ENCLOSED_MAX = 400
_OVERLAP = 200
_first = itemgetter(0)
_LETTER_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Z](?![a-z0-9])")
_FORCED = re.compile(
    r"\bif\s+(?:i'm\s+|i\s+am\s+|i\s+was\s+|i\s+were\s+|i\s+)?(?:forced|made|pushed|asked|required"
    r"|had|have|must)\s+to\b[^.!?\n]*\Z",
    re.IGNORECASE,
)
"""'If I'm forced to pick one, B': a commitment, not a conditional."""
_NOTHING_AFTER = re.compile(r"[\s.!*_$})\]`'\"]*")


def last_marker(text: str, options: OptionIndex, start: int, end: int) -> Event | None:
    """The last marker in ``text[start:end]`` that says something about the answer.

    Args:
        text: the output.
        options: prepared options.
        start: window start.
        end: window end.

    Returns:
        The marker event, or None when no marker says anything.
    """
    near = max(start, end - NEAR_WINDOW)
    chunk = text[near:end]
    lowered = chunk.lower()
    ascii_chunk = chunk.isascii()
    if ascii_chunk or (len(lowered) == len(chunk) and "\u03a3" not in chunk):  # İ grows; Σ lowers by context
        strong = _near_strong(text, options, start, end, near, chunk, lowered, ascii_chunk)
        w_end, size = near, 4 * (NEAR_WINDOW - FIRST_WINDOW)
    else:  # text the near window cannot read exactly: the windows one by one
        strong, w_end, size = None, end, FIRST_WINDOW
    while w_end > start and strong is None:
        w_start = max(start, w_end - size)
        strong = _scan(text, options, w_start, min(end, w_end + _OVERLAP), w_end if w_end < end else end + 1, end)
        w_end, size = w_start, size * 4
    weak_from = max(start, end - WEAK_TAIL, strong[2][1] if strong is not None else start)
    if weak_from >= end or (strong is not None and _NOTHING_AFTER.fullmatch(text, weak_from, end)):
        return strong
    weak = _scan(text, options, weak_from, end, end + 1, end, strong=False)
    return weak if weak is not None else strong


def _near_strong(
    text: str, options: OptionIndex, start: int, end: int, near: int, chunk: str, lowered: str, ascii_chunk: bool
) -> Event | None:
    """The last strong marker in the last :data:`NEAR_WINDOW` characters, ``chunk = text[near:end]``.

    Exactly what scanning the window of the last :data:`FIRST_WINDOW` characters, then (when it
    holds nothing) the window before it, gives, lower-casing the text once and reading marker
    candidates lazily from the last one backwards: a candidate before the one that says
    something is never matched. A marker in the first window is checked with only that window's
    text before it, as the window scan does. Only for a chunk whose lower-casing ``lowered`` is
    character by character.
    """
    foreign = has_latin_foreign(lowered) or (not ascii_chunk and may_be_foreign(lowered))
    entries = present(lowered, STRONG)
    if foreign:
        entries += present(lowered, FOREIGN)
    first = max(start, end - FIRST_WINDOW) - near
    for lo, hi in ((first, len(chunk)), (0, first)):
        if not entries or lo >= hi:
            continue
        candidates = find_literals(lowered, entries, lo, hi)
        candidates.sort(key=_first, reverse=True)
        for i, pattern in candidates:
            m = pattern.match(lowered, i)
            if m is None:
                continue
            found = accept(chunk, m, lo)
            if found is None:
                continue
            read = _read_marker(text, near + m.end(), found[0], near + found[1], options, end)
            if read is not None:
                return read[0], found[0], read[1]
    return None


def _scan(
    text: str, options: OptionIndex, start: int, stop: int, before: int, end: int, strong: bool = True
) -> Event | None:
    """The last marker event in ``text[start:stop]`` whose evidence starts before ``before``."""
    chunk = text[start:stop]
    lowered = chunk.lower()
    if len(lowered) == len(chunk):
        if strong:
            matches = find_markers(lowered, STRONG)
            if has_latin_foreign(lowered) or (not chunk.isascii() and may_be_foreign(lowered)):
                matches += find_markers(lowered, FOREIGN)
        else:
            matches = find_markers(lowered, _weak_table(chunk, lowered))
    else:  # lower-casing changed the length: offsets would not line up
        patterns = (STRONG_ANY_CASE, FOREIGN_ANY_CASE) if strong else (WEAK_ANY_CASE,)
        matches = [m for pattern in patterns for m in pattern.finditer(chunk)]
    accepted = []
    for m in matches:
        found = accept(chunk, m)
        if found is not None and start + found[1] < before:
            accepted.append((start + found[1], found[0], m))
    accepted.sort(key=_first, reverse=True)
    last: Event | None = None
    for evidence_start, method, m in accepted:
        read = _read_marker(text, start + m.end(), method, evidence_start, options, end)
        if read is not None:
            last = (read[0], method, read[1])
            break
    return last


def _weak_table(chunk: str, lowered: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The weak markers that can occur in ``chunk``: those reading a letter need a capital
    letter, and verdicts ("C is correct") one of their closing words."""
    table = WEAK_NO_VERDICT
    if not _LETTER_TOKEN.search(chunk):
        table = WEAK_WORDS
    else:
        for word in VERDICT_WORDS:
            if word in lowered:
                table = WEAK
                break
    for end in LABEL_ENDS:
        if end in chunk:
            return table
    return WEAK_UNLABELED[table]


def _read_marker(
    text: str, marker_end: int, method: str, evidence_start: int, options: OptionIndex, end: int
) -> tuple[Reading, tuple[int, int]] | None:
    """The reading after one marker (ending at ``marker_end``), or None when it says nothing."""
    if method == "verdict":
        letter = text[evidence_start].translate(TRANSLATE)
        reading = Reading("commit" if options.valid(letter) else "invalid", letter, marker_end - evidence_start)
        seg_start = evidence_start
    elif method == "plural_verdict":  # "Both B and D are correct": several options
        reading = Reading("hedge", None, marker_end - evidence_start)
        seg_start = evidence_start
    else:
        seg_start = marker_end
        seg_end = end if end < seg_start + SEGMENT else seg_start + SEGMENT
        if method in ("answer_tag", "boxed"):
            seg_end = _enclosed_end(text, seg_start, min(end, seg_start + _ENCLOSED_MAX), method)
        reading = read_answer(text[seg_start:seg_end], options, READ_MODE.get(method, "phrase"))
    if reading.kind == "none":
        return None
    before = text[max(0, evidence_start - _LOOKBEHIND) : evidence_start]
    if (
        method in ("answer_phrase", "verdict", "choice_phrase")
        and is_conditional(before)
        and not _FORCED.search(before)
    ):
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


_HEAD_PARAGRAPH = 300
"""An answer-first output commits in its opening paragraph: only that much is read by :func:`head_marker`."""


def head_marker(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """A commitment in the opening paragraph of ``text[start:end]`` ("C is correct. Routine anti-D..."),
    for outputs whose later text commits to nothing (it only rejects other options).

    Returns:
        ``(letter, span)`` or None.
    """
    body = start + len(text[start:end]) - len(text[start:end].lstrip())
    if body >= end - WEAK_TAIL:
        return None  # the paragraph lies in the tail that :func:`last_marker` read: it found nothing there
    stop = text.find("\n\n", body, min(end, body + _HEAD_PARAGRAPH))
    stop = min(end, body + _HEAD_PARAGRAPH) if stop < 0 else stop
    for strong in (True, False):
        event = _scan(text, options, body, stop, stop + 1, stop, strong=strong)
        if event is not None:
            reading, _, span = event
            return (reading.letter, span) if reading.kind == "commit" and reading.letter else None
    return None
