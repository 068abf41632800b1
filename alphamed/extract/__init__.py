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

Where the time goes: :mod:`alphamed.extract.shortcuts` reads the commonest endings
("The final answer is: $\\boxed{C}$", "The answer is (C).") directly when the rules provably give
the same; :mod:`alphamed.extract.search` finds the last marker reading from the end backwards.

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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from alphamed.extract.fallback import bare_line, concluding_option
from alphamed.extract.options import OptionIndex, Options, normalize_options
from alphamed.extract.search import last_marker
from alphamed.extract.shortcuts import read_ending

__all__ = ["Extraction", "Options", "extract_answer", "normalize_options", "WINDOW"]

logger = logging.getLogger(__name__)

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


def find_answer(text: str, options: OptionIndex, fast: bool = True) -> Extraction | None:
    """:func:`extract_answer` with prepared options (raises on bugs, for tests).

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
            return Extraction(letter, options.text_of(letter), method, span)
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
    marker = last_marker(text, options, start, end)
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
