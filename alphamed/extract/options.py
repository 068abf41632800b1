"""Answer options: normalisation and matching of option texts inside model output.

Option texts are compared lower-cased with collapsed whitespace. When two options overlap
("anemia" and "pernicious anemia"), the longest match at a position wins, so near-miss options
never confuse each other: "type 1 diabetes" and "type 2 diabetes" are simply different strings.

>>> idx = OptionIndex(normalize_options(["Type 1 diabetes", "Type 2 diabetes", "Anemia", "Pernicious anemia"]))
>>> idx.prefix_match("pernicious anemia, given the atrophic gastritis", 0)
('D', 17)
>>> sorted(idx.mentions("type 2 diabetes rather than type 1 diabetes"))
[(0, 15, 'B'), (28, 43, 'A')]
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

Options = Sequence[str] | Mapping[str, str]

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Option letters (the same as :data:`alphamed.schema.LETTERS`; this package imports nothing else of alphamed)."""

_WS = re.compile(r"\s+")
_LETTER_KEY = re.compile(r"^[\s(\[]*([A-Za-z])[\s)\].:]*$")
_LETTER_PREFIX = re.compile(r"^\s*\(?([A-Z])[.):]\s+")
_EDGE_JUNK = " \t\r\n.;,:*_\"'`"
_SPACES = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
"""Every character ``\\s`` matches (the same set as :meth:`str.isspace`)."""
_SPACES_AND_JUNK = _SPACES + _EDGE_JUNK


def _key_letter(key: Any, position: int) -> str:
    match = _LETTER_KEY.match(str(key))
    return match.group(1).upper() if match else LETTERS[position % 26]


def normalize_options(options: Any) -> dict[str, str]:
    """Options as a letter -> text dict, whatever shape they came in.

    Accepts a list of texts (letters A, B, ... implied), a letter -> text mapping (keys such as
    ``"a"``, ``"(B)"`` or ``"C."`` are accepted), or either of those as a JSON string. List items
    written as ``"A. text"`` lose their letter prefix. Anything else gives ``{}``.

    Args:
        options: the options.

    Returns:
        Letter -> text.

    >>> normalize_options(["x", "y"])
    {'A': 'x', 'B': 'y'}
    >>> normalize_options('{"a": "yes", "b": "no"}')
    {'A': 'yes', 'B': 'no'}
    >>> normalize_options(["A. Aspirin", "B. Heparin"])
    {'A': 'Aspirin', 'B': 'Heparin'}
    """
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except ValueError:
            return {}
    if isinstance(options, Mapping):
        return {_key_letter(k, i): "" if v is None else str(v) for i, (k, v) in enumerate(options.items())}
    if isinstance(options, (list, tuple)):
        texts = ["" if t is None else str(t) for t in options[:26]]
        prefixed = [_LETTER_PREFIX.match(t) for t in texts]
        if texts and all(m is not None and m.group(1) == LETTERS[i] for i, m in enumerate(prefixed)):
            texts = [t[m.end() :] for t, m in zip(texts, prefixed)]  # type: ignore[union-attr]
        return {LETTERS[i]: t for i, t in enumerate(texts)}
    return {}


def normalize_text(text: str) -> str:
    """Lower-cased text with collapsed whitespace and no edge punctuation.

    >>> normalize_text("  Pernicious   Anemia. ")
    'pernicious anemia'
    """
    return _WS.sub(" ", text.lower()).strip(_EDGE_JUNK)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


class OptionIndex:
    """Option texts prepared for matching in model output.

    Args:
        options: letter -> text (see :func:`normalize_options`).
    """

    __slots__ = (
        "letters",
        "texts",
        "_by_length",
        "_initials",
        "_last_words",
        "_most_words",
        "word_cache",
        "acronym_cache",
    )

    def __init__(self, options: Mapping[str, str]) -> None:
        self.letters: dict[str, str] = dict(options)
        self.texts: dict[str, str] = {}
        seen: dict[str, str | None] = {}
        for letter, text in options.items():
            norm = normalize_text(text)
            if norm:
                seen[norm] = None if norm in seen else letter  # duplicated texts identify nothing
        for norm, owner in seen.items():
            if owner is not None:
                self.texts[owner] = norm
        self._by_length = sorted(((t, letter) for letter, t in self.texts.items()), key=lambda tl: -len(tl[0]))
        self._initials = frozenset(t[0] for t in self.texts.values())
        self._last_words = tuple({t.rsplit(" ", 1)[-1] for t in self.texts.values()})
        self.word_cache: dict[str, tuple[list[str], list[str]]] | None = None
        """Words of the option texts, for :mod:`alphamed.extract.paraphrase` (filled on first use)."""
        self.acronym_cache: dict[str, str] | None = None
        """Acronym of option initials -> option text, for :mod:`alphamed.extract.paraphrase` (filled on first use)."""
        self._most_words = max((t.count(" ") + 1 for t in self.texts.values()), default=0)

    def __bool__(self) -> bool:
        return bool(self.letters)

    def valid(self, letter: str) -> bool:
        """Whether ``letter`` names an option (any letter when no options were given)."""
        return not self.letters or letter in self.letters

    def text_of(self, letter: str) -> str | None:
        """The original text of option ``letter``."""
        return self.letters.get(letter)

    def may_be_text(self, text: str) -> bool:
        """False when ``normalize_text(text)`` is certainly no option text; cheap.

        Exact: with ``core`` the text without spaces and edge punctuation at either end,
        ``normalize_text(text)`` is ``" ".join(core.lower().split())`` (lower-casing maps no
        other character onto a space or edge punctuation), so it can equal an option text only
        when ``core`` has at most as many words as the longest option text and ends with the
        last word of one.

        Args:
            text: any text.

        Returns:
            Whether ``normalize_text(text)`` may equal an option text.
        """
        core = text.strip(_SPACES_AND_JUNK)
        if len(core.split(None, self._most_words)) > self._most_words:
            return False
        return core.lower().endswith(self._last_words)

    def prefix_match(self, lowered: str, pos: int) -> tuple[str, int] | None:
        """The longest option text starting at ``pos`` of already lower-cased text.

        Args:
            lowered: lower-cased text.
            pos: where the option text must start.

        Returns:
            ``(letter, end)`` or None.
        """
        if pos >= len(lowered) or lowered[pos] not in self._initials:
            return None  # no option text starts with this character
        for norm, letter in self._by_length:
            if lowered.startswith(norm, pos):
                end = pos + len(norm)
                if end >= len(lowered) or not _is_word_char(lowered[end]) or not _is_word_char(norm[-1]):
                    return letter, end
        return None

    def mentions(self, lowered: str) -> list[tuple[int, int, str]]:
        """Every whole-word mention of an option text in lower-cased text.

        A mention inside a longer mention of another option is dropped (longest match wins).

        Args:
            lowered: lower-cased text.

        Returns:
            ``(start, end, letter)`` tuples.
        """
        found: list[tuple[int, int, str]] = []
        for norm, letter in self._by_length:
            start = lowered.find(norm)
            while start >= 0:
                end = start + len(norm)
                left_ok = start == 0 or not _is_word_char(lowered[start - 1]) or not _is_word_char(norm[0])
                right_ok = end >= len(lowered) or not _is_word_char(lowered[end]) or not _is_word_char(norm[-1])
                if left_ok and right_ok and not any(s <= start and end <= e for s, e, _ in found):
                    found.append((start, end, letter))
                start = lowered.find(norm, start + 1)
        return found
