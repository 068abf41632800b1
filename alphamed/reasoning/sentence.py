"""The final-answer sentence: how a free-text AlphaMed output marks the start of its answer.

A final-answer sentence starts at the beginning of the text, of a line, or of a sentence (after
``.``, ``!``, ``?`` or ``:`` and 1-16 spaces or tabs; a line may be indented by up to 16), with
optional markdown (``#``, ``*``, ``_``, ``>``), an optional connective (Therefore, Thus, Hence, So,
Finally, Overall, In conclusion, In summary, with an optional comma), an optional "the", then
"final answer" (any case, 1-3 spaces between words) not followed by a letter.

>>> find_opener("B12 is low. The final answer is: C")
12
>>> find_opener("Before giving the final answer, check B12.")
-1
"""

from __future__ import annotations

import re

MARKDOWN = "#*_>"
CONNECTIVES = ("therefore", "thus", "hence", "so", "finally", "overall", "in conclusion", "in summary")
SENTENCE_ENDS = ".!?:"
FIRST_LETTERS = frozenset(w[0] for w in (*CONNECTIVES, "the", "final"))
MAX_OPENER = 64  # no final-answer opener is longer than this
MAX_INDENT = 16  # spaces or tabs allowed between a sentence end or newline and the next sentence
FINAL = re.compile("final", re.IGNORECASE)
FULL, PARTIAL, NO = 2, 1, 0


def find_opener(text: str, start: int = 0, *, at_end: bool = True, text_start: bool = True) -> int:
    """Start of the first complete final-answer opener in ``text`` whose "final" is at or after ``start``, or -1.

    Args:
        text: the free text (or, in a stream, a window of its recent part).
        start: where to start looking for the word "final".
        at_end: whether ``text`` is all there is (an opener at its very end is complete).
        text_start: whether ``text[0]`` is the real start of the free text.

    >>> find_opener("So the final answer")
    0
    >>> find_opener("So the final answer", at_end=False)
    -1
    """
    for m in FINAL.finditer(text, start):
        core = m.start()
        for p in range(max(core - MAX_OPENER, 0), core + 1):
            if is_sentence_start(text, p, text_start) and opener_state(text, p, at_end) == FULL:
                return p
    return -1


def is_sentence_start(text: str, p: int, text_start: bool = True) -> bool:
    """Whether a final-answer sentence may start at ``p`` (see the module docstring).

    ``text_start`` says whether ``text[0]`` is the real start of the free text (a stream passes
    a window of recent text).
    """
    if p >= len(text) or text[p].isspace():
        return False
    if p == 0:
        return text_start
    q = p - 1
    if text[q] not in " \t\n\r":
        return False
    indent = 0
    # a sentence may be indented by 16, and an opener without markdown may start with 3 more
    limit = MAX_INDENT if text[p] in MARKDOWN else MAX_INDENT + 3
    while q >= 0 and text[q] in " \t":
        q -= 1
        indent += 1
        if indent > limit:
            return False
    if q < 0:
        return text_start
    return text[q] in "\n\r" or text[q] in SENTENCE_ENDS


def opener_state(text: str, p: int, at_end: bool) -> int:
    """Whether a final-answer opener starts at ``p``: complete, possibly (text ends), or not."""
    i = p
    while i < len(text) and i - p < 4 and text[i] in MARKDOWN:
        i += 1
    i = _spaces(text, i, 0, 3)
    if i < 0:
        return NO if i == -1 or at_end else PARTIAL
    if text[i].lower() not in FIRST_LETTERS:
        return NO
    best = NO
    for connective in (None, *CONNECTIVES):
        if connective is not None and text[i].lower() != connective[0]:
            continue
        j = i if connective is None else _connective(text, i, connective)
        for article in (True, False):
            k = _spaces(text, _words(text, j, "the"), 1, 3) if article else j
            state = PARTIAL if k == -2 else NO if k < 0 else _core(text, k, at_end)
            if state == FULL:
                return FULL
            best = max(best, state)
    return NO if at_end else best


def _connective(text: str, i: int, word: str) -> int:
    """Index after a connective and its separator (spaces and/or a comma), or -1 / -2."""
    j = _words(text, i, word)
    if j < 0:
        return j
    k = _spaces(text, j, 0, 3)
    if k >= 0 and k < len(text) and text[k] == ",":
        k = _spaces(text, k + 1, 0, 3)
    if k == len(text):
        return -2
    return k if k != j else -1


def _core(text: str, i: int, at_end: bool) -> int:
    """``final answer`` followed by a non-letter, at ``i``."""
    j = _words(text, i, "final")
    if j >= 0:
        j = _spaces(text, j, 1, 3)
    if j >= 0:
        j = _words(text, j, "answer")
    if j == -2:
        return PARTIAL
    if j < 0:
        return NO
    if j == len(text):
        return FULL if at_end else PARTIAL
    return NO if text[j].isalpha() else FULL


def _words(text: str, i: int, word: str) -> int:
    """Index after ``word`` (case-insensitive; inner spaces 1-3 of space/tab) at ``i``.

    Returns -2 when the text ends inside it (could still match), -1 when it does not match.
    """
    if i < 0:
        return i
    n = len(text)
    for k, part in enumerate(word.split(" ")):
        if k:
            i = _spaces(text, i, 1, 3)
            if i < 0:
                return i
        for ch in part:
            if i >= n:
                return -2
            if text[i].lower() != ch:
                return -1
            i += 1
    return i


def _spaces(text: str, i: int, low: int, high: int) -> int:
    """Index after ``low``..``high`` spaces or tabs at ``i``.

    Returns -2 when the text ends before the run can be judged, -1 when there are too few or
    too many (negative ``i`` is passed through).
    """
    if i < 0:
        return i
    n = len(text)
    j = i
    while j < n and text[j] in " \t" and j - i <= high:
        j += 1
    count = j - i
    if count > high:
        return -1
    if j == n:
        return -2
    return j if count >= low else -1
