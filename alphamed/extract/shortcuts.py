"""Shortcuts for the most common endings, exact by construction.

Most outputs end with their final commitment in one of a few fixed shapes: the released models'
``The final answer is: $\\boxed{C}$``, ``<answer>C</answer>``, ``The answer is (C).``,
``**Answer:** C``. For those, :func:`read_ending` gives the same :class:`~alphamed.extract.Extraction` as the full
rules (:func:`alphamed.extract.find_answer` with ``fast=False``) without scanning the output for
markers. Each shortcut is taken only when the full rules provably reach the same result:

- the ending regex is anchored at the end of the text and its characters after the marker hold
  no other marker literal, so the full rules would read this marker first (the LAST marker wins);
- the letter names an option, so the reading commits to it;
- the checks the full rules apply to that marker (conditional clause, negation or "or" before
  it, a word glued to it) are the same functions, called on the same context; when one of them
  fires, the shortcut gives up and the full rules decide;
- only spaces and closing punctuation follow, so no weaker marker can come after it.

Anything else returns None and the full rules run. ``tests/core/test_extract_labeled.py``
compares both paths on many generated endings, and a differential test compares whole results
with the extractor before the shortcuts (``tests/core/test_extract_differential.py``).

>>> from alphamed.extract.options import OptionIndex
>>> idx = OptionIndex({"A": "Aspirin", "B": "Heparin"})
>>> read_ending("Heparin prevents clot growth. The answer is (B).", idx)
('B', 'answer_phrase', (34, 47))
>>> read_ending("If it were arterial, the answer is (A).", idx) is None
True
"""

from __future__ import annotations

import re

from alphamed.extract.markers import is_alternative, is_conditional, is_negated, word_before
from alphamed.extract.options import OptionIndex

FIRST_WINDOW = 160
"""Size of the first (last-characters) window the full rules scan for strong markers."""

# "...$\\boxed{C}$" / "<answer>C</answer>" at the very end: the last commitment, read directly.
_BOXED_END = re.compile(
    r"(?:\\boxed\{[ \t]*(?:\\text(?:bf)?\{[ \t]*)?(?:\(([A-Z])\)|([A-Z]))[ \t]*\}?[ \t]*\}"
    r"|<answer>\s*(?:\(([A-Z])\)|([A-Z]))\s*</answer>)(?P<close>)[\s$.*\\\])]*\Z"
)
# "The answer is (C)." / "Answer: C" / "**Answer:** C." at the very end. Deliberately narrow:
# "answer" then "is" or ":" on the same line, an upper-case ASCII letter, then only ")", "**",
# "." and line ends. Every character after "answer" is ASCII and none starts a marker literal.
_PHRASE_END = re.compile(
    r"[Aa][Nn][Ss][Ww][Ee][Rr](?:[ \t]*[Ii][Ss](?![A-Za-z])[ \t]*:?|:)[ \t]*(?:\*\*)?[ \t]*"
    r"\(?(?P<letter>[A-Z])\)?(?P<close>)(?:\*\*)?\.?(?:\*\*)?[ \t\r\n]*\Z"
)
_TAIL = 96
"""The shortcuts look at the last this many characters only."""
_LOOKBEHIND = 80
_CONTEXT = 40


Ending = tuple[str, str, tuple[int, int]]
"""``(letter, method, span)`` of an :class:`~alphamed.extract.Extraction`."""


def read_ending(text: str, options: OptionIndex) -> Ending | None:
    """What an output ending in a common fixed shape commits to, or None to use the full rules.

    Args:
        text: the whole output (non-empty).
        options: prepared options.

    Returns:
        ``(letter, method, span)`` exactly as the full rules give them, or None when no
        shortcut applies.
    """
    tail_from = max(0, len(text) - _TAIL)
    tail = text[tail_from:]
    box = max(tail.rfind("\\boxed"), tail.rfind("<answer>"))  # the shape holds no letter after it
    if box >= 0:
        found = _boxed_ending(text, options, tail_from + box)
        if found is not None:
            return found
    last = max(tail.rfind("nswer"), tail.rfind("NSWER"))  # the shape holds no letter after it
    if last >= 1:
        return _phrase_ending(text, options, tail_from + last - 1)
    return None


def _boxed_ending(text: str, options: OptionIndex, at: int) -> Ending | None:
    """``\\boxed{C}`` or ``<answer>C</answer>`` closing the output, starting at ``at``."""
    m = _BOXED_END.match(text, at)
    if m is None or is_alternative(text, max(0, m.start() - 12), m.start()):
        return None
    letter = m.group(1) or m.group(2) or m.group(3) or m.group(4)
    if not options.valid(letter):
        return None
    method = "boxed" if m.group(1) or m.group(2) else "answer_tag"
    return letter, method, (m.start(), m.end("close"))


def _phrase_ending(text: str, options: OptionIndex, at: int) -> Ending | None:
    """ "The answer is (C)." closing the output, with "answer" at ``at``, read as the full rules read it.

    The full rules scan the last :data:`FIRST_WINDOW` characters first; the marker must lie in
    that window, where its glued-word check sees only the window (the same context is used here).
    """
    m = _PHRASE_END.match(text, at)
    if m is None:
        return None
    letter = m.group("letter")
    if not options.valid(letter):
        return None
    start, end = m.start(), len(text)
    window = max(0, end - FIRST_WINDOW)
    if start < window:
        return None
    chunk = text[window:]
    if not chunk.isascii() and len(chunk.lower()) != len(chunk):
        return None  # the full rules take their rare-case path on such text
    if word_before(text[max(window, start - _CONTEXT) : start]):
        return None
    before = text[max(0, start - _LOOKBEHIND) : start]
    if is_conditional(before) or is_negated(before) or is_alternative(before, max(0, len(before) - 12), len(before)):
        return None
    return letter, "answer_phrase", (start, m.end("close"))
