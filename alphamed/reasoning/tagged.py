"""Reasoning between an opening and a closing marker: the shared shape of tagged styles.

An optional opening marker starts the output; reasoning runs to the first closing marker, content
after it (markers dropped). Without a closing marker (still thinking, or cut off) everything is
reasoning. A style is a subclass that names its two markers.
"""

from __future__ import annotations

from typing import ClassVar

from alphamed.reasoning.base import ReasoningParser, Untagged, partial_suffix


class TaggedParser(ReasoningParser):
    """Reasoning up to :attr:`CLOSE` (after an optional :attr:`OPEN`), content after it."""

    OPEN: ClassVar[str]
    CLOSE: ClassVar[str]

    def __init__(self, *, untagged: Untagged = "content") -> None:
        super().__init__(untagged=untagged)
        self._buf = ""  # text not yet assigned (bounded by a marker's length)
        self._lead = True  # the opening marker may still come
        self._in_content = False

    def _split(self, text: str) -> tuple[str, str]:
        if text.startswith(self.OPEN):
            text = text[len(self.OPEN) :]
        reasoning, _, content = text.partition(self.CLOSE)
        return reasoning, content

    def _step(self, delta: str, at_end: bool) -> tuple[str, str]:
        if self._in_content:
            return "", self.content.push(delta)
        buf = self._buf + delta
        if self._lead:
            if len(buf) < len(self.OPEN) and self.OPEN.startswith(buf) and not at_end:
                self._buf = buf
                return "", ""
            self._lead = False
            if buf.startswith(self.OPEN):
                buf = buf[len(self.OPEN) :]
        i = buf.find(self.CLOSE)
        if i >= 0:
            self._in_content, self._buf = True, ""
            return self.reasoning.push(buf[:i]), self.content.push(buf[i + len(self.CLOSE) :])
        keep = 0 if at_end else partial_suffix(buf, self.CLOSE)
        self._buf = buf[len(buf) - keep :]
        return self.reasoning.push(buf[: len(buf) - keep]), ""
