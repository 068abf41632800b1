"""Answer extraction: which option a model's output commits to.

INTERIM first version with the final API; the full extractor (issue 3) replaces the rules.

>>> extract_answer("So the answer is clear. The final answer is: $\\\\boxed{C}$", ["a", "b", "c"]).letter
'C'
>>> extract_answer("I am not sure.", ["a", "b"]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alphamed.schema import LETTERS

Options = Sequence[str] | Mapping[str, str]


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


def normalize_options(options: Options | None) -> dict[str, str]:
    """Options as a letter -> text dict.

    >>> normalize_options(["x", "y"])
    {'A': 'x', 'B': 'y'}
    """
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return {str(k).strip().upper(): str(v) for k, v in options.items()}
    return {LETTERS[i]: str(t) for i, t in enumerate(options)}


_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("answer_tag", re.compile(r"<answer>\s*\(?([A-Z])\)?", re.IGNORECASE)),
    ("boxed", re.compile(r"\\boxed\{\s*(?:\\text\{)?\s*\(?([A-Z])\)?")),
    ("answer_phrase", re.compile(r"answer is:?\s*\(?([A-Z])\b\)?", re.IGNORECASE)),
]


def extract_answer(text: str, options: Options | None = None) -> Extraction | None:
    """The option ``text`` commits to, or None when it commits to no single option.

    Args:
        text: the model output.
        options: option texts in order, or a letter -> text mapping.

    Returns:
        An :class:`Extraction`, or None.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    opts = normalize_options(options)
    for method, pattern in _RULES:
        matches = list(pattern.finditer(text))
        if matches:
            m = matches[-1]
            letter = m.group(1).upper()
            if opts and letter not in opts:
                return None
            return Extraction(letter, opts.get(letter), method, m.span())
    return None
