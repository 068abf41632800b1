"""Free text that ends in a final-answer sentence (the released AlphaMed models).

``...B12 is low. The final answer is: $\\boxed{C}$``: reasoning is everything before the first
final-answer sentence (:mod:`alphamed.reasoning.sentence`), content is that sentence and what
follows. A ``</think>`` (a chat template opened the tag, so the output begins inside thinking)
takes precedence: reasoning before it, content after it. With neither, the text goes where
``untagged`` says. :class:`FirstMarkerFreeTextParser` lets the *first* of the two markers end the
reasoning, so content can stream from the final-answer sentence on.

>>> FreeTextParser().split("Folate is normal.\\nThe final answer is: C")
('Folate is normal.', 'The final answer is: C')
>>> FreeTextParser().split("C. Warfarin"), FreeTextParser(untagged="reasoning").split("B12 is low, so")
(('', 'C. Warfarin'), ('B12 is low, so', ''))
"""

from __future__ import annotations

from typing import ClassVar

from alphamed.reasoning.base import ReasoningParser, Untagged, partial_suffix, register
from alphamed.reasoning.sentence import MAX_OPENER, PARTIAL, find_opener, is_sentence_start, opener_state
from alphamed.reasoning.think_tags import THINK_CLOSE

RECENT = 256  # look-back a stream keeps (>= MAX_OPENER + MAX_INDENT + the "final answer" core)


class _Pending:
    """Free text received but not yet assigned to a channel (appends are O(1))."""

    __slots__ = ("parts", "start")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.start = 0  # absolute offset of the first pending character

    def take(self, end: int) -> str:
        """Remove and return the pending text up to absolute offset ``end``."""
        text = "".join(self.parts)
        cut = max(0, end - self.start)
        self.parts = [text[cut:]] if cut < len(text) else []
        self.start += cut
        return text[:cut]


@register("free-text")
class FreeTextParser(ReasoningParser):
    """Free text: ``</think>`` first, else the first final-answer sentence, else ``untagged``.

    A stream emits reasoning as soon as it is safe (a possible partial ``</think>`` and text that
    could still become a final-answer sentence are held back); content from a final-answer
    sentence on is held until the end (a later ``</think>`` would make it reasoning). Work per
    chunk is proportional to the chunk plus a bounded look-back.
    """

    FIRST_MARKER: ClassVar[bool] = False  # whether the first marker, of either kind, ends the reasoning

    def __init__(self, *, untagged: Untagged = "content") -> None:
        super().__init__(untagged=untagged)
        self._pending = _Pending()  # unassigned text
        self._recent = ""  # the last RECENT characters, for look-back
        self._total = 0  # characters so far
        self._final_at = -1  # absolute start of the first final-answer sentence
        self._opener_from = 0  # where the next search for "final" starts
        self._in_content = False

    def _split(self, text: str) -> tuple[str, str]:
        k, p = text.find(THINK_CLOSE), find_opener(text)
        if self.FIRST_MARKER and p >= 0 and (k < 0 or p < k):
            return text[:p], text[p:]
        if k >= 0:
            return text[:k], text[k + len(THINK_CLOSE) :]
        if p >= 0:
            return text[:p], text[p:]
        return (text, "") if self.untagged == "reasoning" else ("", text)

    def _step(self, delta: str, at_end: bool) -> tuple[str, str]:
        if self._in_content:
            return "", self.content.push(delta)
        recent = self._recent + delta
        base = self._total - len(self._recent)  # absolute offset of recent[0]
        self._pending.parts.append(delta)
        self._total += len(delta)
        i = recent.find(THINK_CLOSE)
        if self.FIRST_MARKER:  # a final-answer sentence before any </think> ends the reasoning for good
            at = self._find_opener(recent, base, at_end)
            if at >= 0 and (i < 0 or at < base + i):
                return self._to_content(at, 0)
        if i >= 0:
            return self._to_content(base + i, len(THINK_CLOSE))
        r = ""
        if self._final_at < 0 and not self.FIRST_MARKER:
            self._final_at = self._find_opener(recent, base, at_end)
            if self._final_at >= 0:
                r = self.reasoning.push(self._pending.take(self._final_at))
        if at_end:
            rest = self._pending.take(self._total)
            if self._final_at >= 0 or self.untagged == "content":
                return r, self.content.push(rest)
            return r + self.reasoning.push(rest), ""
        if self._final_at < 0 and self.untagged == "reasoning":
            limit = min(self._total - partial_suffix(recent, THINK_CLOSE), self._first_partial(recent, base))
            r += self.reasoning.push(self._pending.take(limit))
        self._recent = recent[-RECENT:]
        return r, ""

    def _to_content(self, end: int, skip: int) -> tuple[str, str]:
        """Reasoning ends at absolute offset ``end``; content starts ``skip`` characters later."""
        r = self.reasoning.push(self._pending.take(end))
        self._in_content = True
        return r, self.content.push(self._pending.take(self._total)[skip:])

    def _find_opener(self, recent: str, base: int, at_end: bool) -> int:
        """Absolute start of the first complete final-answer opener, or -1."""
        p = find_opener(recent, max(0, self._opener_from - base), at_end=at_end, text_start=base == 0)
        if p >= 0:
            return base + p
        self._opener_from = max(self._opener_from, base + len(recent) - 16)
        return -1

    def _first_partial(self, recent: str, base: int) -> int:
        """Absolute start of the first sentence start near the end that could still become an opener."""
        lo = max(self._pending.start - base, len(recent) - MAX_OPENER, 0)
        for p in range(lo, len(recent)):
            if is_sentence_start(recent, p, base == 0) and opener_state(recent, p, False) == PARTIAL:
                return base + p
        return base + len(recent)


class FirstMarkerFreeTextParser(FreeTextParser):
    """Free text where the first of ``</think>`` and a final-answer sentence ends the reasoning.

    >>> FirstMarkerFreeTextParser().split("The final answer is B.</think>C")
    ('', 'The final answer is B.</think>C')
    """

    FIRST_MARKER = True
