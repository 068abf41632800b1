"""Unicode normalisation before matching, with a map back to the original offsets.

Model output carries characters that look like ASCII but are not: full-width letters and colons,
non-breaking and zero-width spaces, compatibility forms, emoji before the answer. Non-ASCII text is
normalised with Unicode NFKC (full-width -> ASCII, ``\\u00a0`` -> space, ...), typographic quotes and
guillemets become ASCII quotes, zero-width and other format characters (bidirectional marks), skin-tone
modifiers and pictographs (emoji) are removed, and check marks and crosses are kept (a ticked row is an answer).
The extraction rules run on the normalised text; :meth:`Normalized.span` maps evidence back.

>>> n = normalize("Answer:\\u00a0\\u200bＣ")
>>> n.text, n.span((8, 9))
('Answer: C', (9, 10))
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f\u180e") | frozenset(
    map(chr, range(0x1F3FB, 0x1F400))
)
"""Zero-width characters, soft hyphens, variation selectors and skin-tone modifiers (other format
characters, such as the bidirectional marks around a letter in Arabic or Hebrew text, go by category)."""
_QUOTES = {**dict.fromkeys("“”„‟«»″〝〞", '"'), **dict.fromkeys("‘’‚‛‹›′", "'")}
"""Typographic quotes and guillemets read as ASCII quotes ('The answer is “A”', 'Réponse : « B »')."""
TICKS = frozenset("✓✔☑✅")
CROSSES = frozenset("✗✘❌❎☒")
_KEEP_SYMBOLS = TICKS | CROSSES | frozenset("☐°")
"""Symbols that carry meaning: ticks and crosses (a ticked row is an answer) and the degree sign ("2° HPT")."""


@dataclass(frozen=True)
class Normalized:
    """Normalised text and, when it differs from the original, where its pieces came from.

    ``starts[i]`` is where piece ``i`` starts in :attr:`text` and ``origins[i]`` where it came from
    in the original; a piece copied unchanged (``exact[i]``) maps character by character, a piece
    made from one non-ASCII character maps wholly onto that character.
    """

    text: str
    starts: tuple[int, ...] = ()
    origins: tuple[int, ...] = ()
    exact: tuple[bool, ...] = ()

    def _origin(self, pos: int, end: bool) -> int:
        i = bisect_right(self.starts, pos) - 1
        if self.exact[i]:
            return self.origins[i] + pos - self.starts[i] + (1 if end else 0)
        return self.origins[i] + (1 if end else 0)

    def span(self, span: tuple[int, int]) -> tuple[int, int]:
        """``span`` of :attr:`text` as offsets of the original text."""
        if not self.starts:
            return span
        start, end = span
        origin = self._origin(start, False)
        return origin, (self._origin(end - 1, True) if end > start else origin)


def _normal_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _KEEP_SYMBOLS:
        return ch
    quote = _QUOTES.get(ch)
    if quote is not None:
        return quote
    category = unicodedata.category(ch)
    if category == "So" or category == "Cs" or category == "Co" or category == "Cf":
        return ""  # emoji, pictographs and invisible format characters (bidi marks) carry no answer
    return unicodedata.normalize("NFKC", ch)


def normalize(text: str) -> Normalized:
    """``text`` normalised for matching (ASCII text is returned as it is, at no cost)."""
    if text.isascii():
        return Normalized(text)
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    exact: list[bool] = []
    size = done = 0
    for m in _NON_ASCII.finditer(text):
        if m.start() > done:
            starts.append(size), origins.append(done), exact.append(True)
            parts.append(text[done : m.start()])
            size += m.start() - done
        for i in range(m.start(), m.end()):
            normal = _normal_char(text[i])
            if normal:
                starts.append(size), origins.append(i), exact.append(normal == text[i])
                parts.append(normal)
                size += len(normal)
        done = m.end()
    starts.append(size), origins.append(done), exact.append(True)
    parts.append(text[done:])
    normal_text = "".join(parts)
    if normal_text == text:
        return Normalized(text)
    return Normalized(normal_text, tuple(starts), tuple(origins), tuple(exact))
