"""Pick the style from how the output starts, then hand it to that style's parser.

Output that starts (after whitespace) with ``<think>`` goes to :class:`ThinkTagsParser`, with
``## Thinking`` to :class:`FinalResponseParser`, anything else to the free-text parser. ``auto``
uses :class:`FreeTextParser` (a ``</think>`` anywhere wins over a final-answer sentence);
``final-answer`` (what ``alphamed serve`` streams with) uses :class:`FirstMarkerFreeTextParser`
(the first marker wins, so content streams from the final-answer sentence on).

>>> AutoParser().split("still thinking</think>C")
('still thinking', 'C')
>>> AutoParser().split("The final answer is B.</think>C"), FinalAnswerParser().split("The final answer is B.</think>C")
(('The final answer is B.', 'C'), ('', 'The final answer is B.</think>C'))
"""

from __future__ import annotations

from typing import ClassVar

from alphamed.reasoning.base import ReasoningParser, Untagged, register
from alphamed.reasoning.final_response import FinalResponseParser
from alphamed.reasoning.free_text import FirstMarkerFreeTextParser, FreeTextParser
from alphamed.reasoning.tagged import TaggedParser
from alphamed.reasoning.think_tags import ThinkTagsParser


@register("auto")
class AutoParser(ReasoningParser):
    """Composes the style parsers: a tagged style when its opening marker starts the output, else free text."""

    TAGGED: ClassVar[tuple[type[TaggedParser], ...]] = (ThinkTagsParser, FinalResponseParser)
    FREE_TEXT: ClassVar[type[FreeTextParser]] = FreeTextParser

    def __init__(self, *, untagged: Untagged = "content") -> None:
        super().__init__(untagged=untagged)
        self._buf = ""  # the start of the output, until it tells the style
        self._inner: ReasoningParser | None = None

    def _choose(self, text: str, at_end: bool) -> ReasoningParser | None:
        """The parser for an output starting with ``text``; None while a longer start could change it."""
        for cls in self.TAGGED:
            if text.startswith(cls.OPEN):
                return cls(untagged=self.untagged)
            if cls.OPEN.startswith(text) and not at_end:
                return None
        return self.FREE_TEXT(untagged=self.untagged)

    def _split(self, text: str) -> tuple[str, str]:
        inner = self._choose(text, at_end=True)
        assert inner is not None
        return inner._split(text)

    def _step(self, delta: str, at_end: bool) -> tuple[str, str]:
        if self._inner is None:
            self._buf += delta
            self._inner = self._choose(self._buf, at_end)
            if self._inner is None:
                return "", ""
            delta, self._buf = self._buf, ""
        r, c = self._inner.feed(delta)
        if at_end:
            r2, c2 = self._inner.finish()
            r, c = r + r2, c + c2
        return r, c


@register("final-answer")
class FinalAnswerParser(AutoParser):
    """``auto``, except that in free text the first of ``</think>`` and a final-answer sentence ends the reasoning."""

    FREE_TEXT = FirstMarkerFreeTextParser
