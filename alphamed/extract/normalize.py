"""Unicode normalisation before matching, with a map back to the original offsets.

Model output carries characters that look like ASCII but are not: full-width letters and colons,
non-breaking and zero-width spaces, compatibility forms, emoji before the answer. Non-ASCII text is
normalised with Unicode NFKC (full-width -> ASCII, ``\\u00a0`` -> space, ...), zero-width characters
and pictographs (emoji) are removed, and check marks and crosses are kept (a ticked row is an answer).
The extraction rules run on the normalised text; :meth:`Normalized.span` maps evidence back.

>>> n = normalize("Answer:\\u00a0\\u200bＣ")
>>> n.text, n.span((8, 9))
('Answer: C', (9, 10))
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f\u180e")
TICKS = frozenset("✓✔☑✅")
CROSSES = frozenset("✗✘❌❎☒")
_KEEP_SYMBOLS = TICKS | CROSSES | frozenset("☐")


@dataclass(frozen=True)
class Normalized:
    """Normalised text and, when it differs from the original, the original offset of each character."""

    text: str
    offsets: list[int] | None = None

    def span(self, span: tuple[int, int]) -> tuple[int, int]:
        """``span`` of :attr:`text` as offsets of the original text."""
        if self.offsets is None:
            return span
        start, end = span
        return self.offsets[start], (self.offsets[end - 1] + 1 if end > start else self.offsets[start])


def _normal_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _KEEP_SYMBOLS:
        return ch
    category = unicodedata.category(ch)
    if category == "So" or category == "Cs" or category == "Co":
        return ""  # emoji and other pictographs carry no answer
    return unicodedata.normalize("NFKC", ch)


def normalize(text: str) -> Normalized:
    """``text`` normalised for matching (ASCII text is returned as it is, at no cost)."""
    if text.isascii():
        return Normalized(text)
    parts: list[str] = []
    offsets: list[int] = []
    done = 0
    for m in _NON_ASCII.finditer(text):
        parts.append(text[done : m.start()])
        offsets.extend(range(done, m.start()))
        for i in range(m.start(), m.end()):
            normal = _normal_char(text[i])
            parts.append(normal)
            offsets.extend([i] * len(normal))
        done = m.end()
    parts.append(text[done:])
    offsets.extend(range(done, len(text) + 1))
    normal_text = "".join(parts)
    if normal_text == text:
        return Normalized(text)
    return Normalized(normal_text, offsets)
