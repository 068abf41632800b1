"""Reasoning split: separate a model's reasoning trace from its answer.

INTERIM first version with the final API; issue 3 completes it.

>>> split_reasoning("<think>hmm</think>The answer is B.")
('hmm', 'The answer is B.')
"""

from __future__ import annotations

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


def split_reasoning(text: str) -> tuple[str, str]:
    """Split ``text`` into ``(reasoning, content)``."""
    s = text.lstrip()
    if s.startswith(THINK_OPEN):
        s = s[len(THINK_OPEN):]
    if THINK_CLOSE in s:
        reasoning, _, content = s.partition(THINK_CLOSE)
        return reasoning.strip(), content.strip()
    if THINK_OPEN in text[:1] or text.lstrip().startswith(THINK_OPEN):
        return s.strip(), ""
    return "", text.strip()


class ReasoningSplitter:
    """Incremental :func:`split_reasoning` for streams (interim: buffers until finish)."""

    def __init__(self) -> None:
        self._buf: list[str] = []

    def feed(self, delta: str) -> tuple[str, str]:
        """Consume a chunk; returns ``(reasoning_delta, content_delta)``."""
        self._buf.append(delta)
        return "", ""

    def finish(self) -> tuple[str, str]:
        """Flush what is left; returns ``(reasoning_delta, content_delta)``."""
        return split_reasoning("".join(self._buf))
