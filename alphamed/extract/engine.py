"""The extraction rules end to end, on prepared options.

>>> idx = option_index(["Aspirin", "Heparin"])
>>> find("Heparin stops the clot growing. The answer is (B).", idx)
Extraction(letter='B', text='Heparin', method='answer_phrase', span=(36, 49))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from alphamed.extract.closing import closing_letter, not_but
from alphamed.extract.fallback import bare_line, concluding_option, opening_label
from alphamed.extract.normalize import normalize
from alphamed.extract.options import OptionIndex, normalize_options
from alphamed.extract.search import head_marker, last_marker
from alphamed.extract.structure import leading_answer, letter_opening, ticked_option

WINDOW = 16_384
"""Outputs longer than this are read as their first ``HEAD`` and last ``WINDOW`` characters."""
HEAD = 2_048


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


_NONE_CORRECT = re.compile(
    r"\bnone\s+of\s+the\s+(?:\w+\s+)?(?:options|answers|choices|answer\s+choices)\b[^.\n]{0,40}"
    r"\b(?:is|are|seems?|appears?)\s+(?:fully\s+|entirely\s+|completely\s+)?(?:correct|right|appropriate)",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def _cached_index(key: tuple[Any, ...]) -> OptionIndex:
    return OptionIndex(normalize_options(dict(key) if key and isinstance(key[0], tuple) else list(key)))


def option_index(options: Any) -> OptionIndex:
    """Prepared options, cached: training and batch scoring reuse the same options many times.

    Args:
        options: option texts in order, a letter -> text mapping, or either as a JSON string.

    Returns:
        The :class:`~alphamed.extract.options.OptionIndex`.
    """
    try:
        if type(options) is list:  # the common case first: a list is no Mapping
            return _cached_index(tuple(options))
        if isinstance(options, Mapping):
            key: tuple[Any, ...] = tuple(options.items())
        elif isinstance(options, (list, tuple)):
            key = tuple(options)
        else:
            return OptionIndex(normalize_options(options))
        return _cached_index(key)
    except TypeError:  # unhashable oddities
        return OptionIndex(normalize_options(options))


def extract(text: Any, options: Any) -> Extraction | None:
    """What ``text`` commits to, with options in any form :func:`option_index` takes (raises on bugs).

    >>> extract("The answer is B.", ["Aspirin", "Heparin"])
    Extraction(letter='B', text='Heparin', method='answer_phrase', span=(4, 15))
    """
    if not isinstance(text, str) or not text or text.isspace():
        return None
    return find(text, option_index(options))


def find(text: str, options: OptionIndex) -> Extraction | None:
    """What ``text`` (non-empty) commits to, or None.

    The rules read the text normalised (:mod:`alphamed.extract.normalize`); the span is given in
    offsets of ``text``.

    Args:
        text: the output.
        options: prepared options.
    """
    normal = normalize(text)
    found = _find(normal.text, options)
    if found is None or not normal.starts:
        return found
    return replace(found, span=normal.span(found.span))


def _find(text: str, options: OptionIndex) -> Extraction | None:
    think_end = text.rfind("</think>")
    if think_end >= 0 and len(text) - think_end <= WINDOW:
        found, decided = _decide(text, options, think_end + 8, len(text), True, True)
        if decided:
            return found  # the answer after the reasoning: what the reasoning said on the way does not count
    if len(text) <= WINDOW + HEAD:
        return _decide(text, options, 0, len(text), True, True)[0]
    found, decided = _decide(text, options, len(text) - WINDOW, len(text), False, True)
    if decided:
        return found
    return _decide(text, options, 0, HEAD, True, False)[0]


def _extraction(letter: str, options: OptionIndex, method: str, span: tuple[int, int]) -> Extraction:
    return Extraction(letter, options.text_of(letter), method, span)


def _decide(
    text: str, options: OptionIndex, start: int, end: int, head: bool, tail: bool
) -> tuple[Extraction | None, bool]:
    """Apply the rules to ``text[start:end]`` (offsets stay those of ``text``).

    Returns:
        What it commits to, and whether the window decided (a marker that abstains decides too).
    """
    marker = last_marker(text, options, start, end)
    if marker is not None:
        reading, method, span = marker
        letter = reading.letter
        if reading.kind != "commit" or letter is None:
            return None, True
        return Extraction(letter, options.text_of(letter), method, span), True
    for first, last in ((False, tail), (head, False)):
        line = bare_line(text, options, start, end, first, last) if first or last else None
        if line is not None:
            return Extraction(line[0], options.text_of(line[0]), line[1], line[2]), True
    ticked = ticked_option(text, options, start, end)
    if ticked is not None:
        return (None if ticked[0] is None else _extraction(ticked[0], options, "ticked", ticked[1])), True
    think_end = text.rfind("</think>", start, end)
    if think_end >= 0:  # the first line of the answer after the reasoning ("**Immunity from vaccination**")
        line = bare_line(text, options, think_end + 8, end, True, False)
        if line is not None:
            return _extraction(line[0], options, "answer_first", line[2]), True
    if tail:
        for rule, method in ((closing_letter, "closing_letter"), (not_but, "not_but")):
            closing = rule(text, options, start, end)
            if closing is not None:
                return _extraction(closing[0], options, method, closing[1]), True
    if head:
        first = leading_answer(text, options, start, end) or head_marker(text, options, start, min(end, start + HEAD))
        if first is None:
            first = letter_opening(text, options, start, end) or opening_label(text, options, start, end)
            if first is not None and tail:
                concluded = concluding_option(text, options, start, end)
                if concluded is not None and concluded[0] != first[0]:
                    return None, True  # the opening names one option, the conclusion another
        if first is not None:
            return _extraction(first[0], options, "answer_first", first[1]), True
    if tail and _NONE_CORRECT.search(text, max(start, end - 400), end):
        return None, True  # "None of the options is correct": a deliberate non-answer
    if tail:
        concluded = concluding_option(text, options, start, end)
        if concluded is not None:
            return Extraction(concluded[0], options.text_of(concluded[0]), "option_text", concluded[1]), True
    return None, False
