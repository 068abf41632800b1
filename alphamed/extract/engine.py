"""The extraction rules end to end, on prepared options, returning plain tuples.

This module and the ones it imports (``options``, ``markers``, ``answer``, ``shortcuts``,
``search``, ``fallback``) are the extractor's engine: pure Python, and also compiled with mypyc
at install time into :mod:`alphamed._compiled` (see :mod:`alphamed.extract.build`), which
:mod:`alphamed.extract` uses when it is present and built from these very sources.

>>> idx = option_index(["Aspirin", "Heparin"])
>>> find("Heparin stops the clot growing. The answer is (B).", idx)
('B', 'answer_phrase', 36, 49)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from alphamed.extract.fallback import bare_line, concluding_option
from alphamed.extract.options import OptionIndex, normalize_options
from alphamed.extract.search import last_marker
from alphamed.extract.shortcuts import read_ending

WINDOW: Final = 16_384
"""Outputs longer than this are read as their first ``HEAD`` and last ``WINDOW`` characters."""
HEAD: Final = 2_048

Found = tuple[str, str, int, int]
"""``(letter, method, span start, span end)``."""
Answer = tuple[str, "str | None", str, int, int]
"""``(letter, option text, method, span start, span end)``: an :class:`~alphamed.extract.Extraction`'s fields."""


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


def extract(text: Any, options: Any) -> Answer | None:
    """What ``text`` commits to, with options in any form :func:`option_index` takes (raises on bugs).

    >>> extract("The answer is B.", ["Aspirin", "Heparin"])
    ('B', 'Heparin', 'answer_phrase', 4, 15)
    """
    if not isinstance(text, str) or not text or text.isspace():
        return None
    index = option_index(options)
    found = find(text, index, True)
    if found is None:
        return None
    letter = found[0]
    return letter, index.text_of(letter), found[1], found[2], found[3]


def find(text: str, options: OptionIndex, fast: bool = True) -> Found | None:
    """What ``text`` (non-empty) commits to, or None.

    Args:
        text: the output.
        options: prepared options.
        fast: allow the shortcuts for outputs ending in a common fixed shape
            (:mod:`alphamed.extract.shortcuts`); tests compare them with the full rules.
    """
    if fast:
        ending = read_ending(text, options)
        if ending is not None:
            letter, method, span = ending
            return letter, method, span[0], span[1]
    if len(text) <= WINDOW + HEAD:
        return _decide(text, options, 0, len(text), True, True)[0]
    found, decided = _decide(text, options, len(text) - WINDOW, len(text), False, True)
    if decided:
        return found
    return _decide(text, options, 0, HEAD, True, False)[0]


def _decide(text: str, options: OptionIndex, start: int, end: int, head: bool, tail: bool) -> tuple[Found | None, bool]:
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
        return (letter, method, span[0], span[1]), True
    for first, last in ((False, tail), (head, False)):
        line = bare_line(text, options, start, end, first, last) if first or last else None
        if line is not None:
            return (line[0], line[1], line[2][0], line[2][1]), True
    if tail:
        concluded = concluding_option(text, options, start, end)
        if concluded is not None:
            return (concluded[0], "option_text", concluded[1][0], concluded[1][1]), True
    return None, False
