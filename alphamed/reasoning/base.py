"""The abstract reasoning parser, and the registry of parsers by name.

A parser splits one output style into ``(reasoning, content)``: :meth:`ReasoningParser.split` on a
whole output, :meth:`ReasoningParser.feed` / :meth:`ReasoningParser.finish` on a stream, with the
same result however the stream is chunked. Each style is one module that registers its parser with
:func:`register`; :func:`get_parser` picks one by name.

>>> get_parser("think-tags").split("<think>B12 is low.</think>C")
('B12 is low.', 'C')
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar, Literal, TypeVar

Untagged = Literal["reasoning", "content"]
P = TypeVar("P", bound="type[ReasoningParser]")

PARSERS: dict[str, type[ReasoningParser]] = {}


def register(name: str) -> Callable[[P], P]:
    """Class decorator: make a parser available to :func:`get_parser` as ``name``."""

    def add(cls: P) -> P:
        cls.name = name
        PARSERS[name] = cls
        return cls

    return add


def parser_names() -> list[str]:
    """The registered parser names, sorted.

    >>> "auto" in parser_names()
    True
    """
    return sorted(PARSERS)


def get_parser(name: str, *, untagged: Untagged = "content") -> ReasoningParser:
    """A fresh parser for the style ``name`` (see :func:`parser_names`).

    Args:
        name: a registered parser name.
        untagged: where free text without any marker goes (free-text styles only).

    Raises:
        ValueError: ``name`` is not registered (the message lists the names that are).

    >>> get_parser("auto").split("Because X.\\nThe final answer is C")
    ('Because X.', 'The final answer is C')
    """
    cls = PARSERS.get(name)
    if cls is None:
        raise ValueError(f"unknown reasoning parser {name!r}; known parsers: {', '.join(parser_names())}")
    return cls(untagged=untagged)


class Stripped:
    """One output channel that emits its text with surrounding whitespace removed."""

    __slots__ = ("started", "pending")

    def __init__(self) -> None:
        self.started = False
        self.pending: list[str] = []  # whitespace held back: kept only if more text follows

    def push(self, s: str) -> str:
        if not s:
            return ""
        if not self.started:
            s = s.lstrip()
            if not s:
                return ""
            self.started = True
        body = s.rstrip()
        if not body:
            self.pending.append(s)
            return ""
        out = "".join(self.pending) + body
        self.pending = [s[len(body) :]]
        return out


class ReasoningParser(ABC):
    """Split one output style into ``(reasoning, content)``, both stripped, whole or incrementally.

    Subclasses see the output with its leading whitespace removed and implement :meth:`_split`
    (whole text) and :meth:`_step` (one chunk, or the end of the stream).
    """

    name: ClassVar[str] = ""

    def __init__(self, *, untagged: Untagged = "content") -> None:
        self.untagged = untagged
        self.reasoning = Stripped()
        self.content = Stripped()
        self._started = False
        self._finished = False

    def split(self, text: str) -> tuple[str, str]:
        """``(reasoning, content)`` of a whole output (a non-string splits as empty)."""
        reasoning, content = self._split(text.lstrip() if isinstance(text, str) else "")
        return reasoning.strip(), content.strip()

    def feed(self, delta: str) -> tuple[str, str]:
        """Consume the next chunk (any split, even inside a tag); returns ``(reasoning_delta, content_delta)``."""
        if self._finished or not isinstance(delta, str) or not delta:
            return "", ""
        if not self._started:
            delta = delta.lstrip()  # leading whitespace never matters
            if not delta:
                return "", ""
            self._started = True
        return self._step(delta, at_end=False)

    def finish(self) -> tuple[str, str]:
        """Flush what is left at the end of the stream; returns ``(reasoning_delta, content_delta)``."""
        if self._finished:
            return "", ""
        self._finished = True
        return self._step("", at_end=True)

    @abstractmethod
    def _split(self, text: str) -> tuple[str, str]:
        """Whole-text split of ``text`` (no leading whitespace); the caller strips the parts."""

    @abstractmethod
    def _step(self, delta: str, at_end: bool) -> tuple[str, str]:
        """Consume ``delta`` (empty at the end); return the stripped-channel deltas."""


def partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that is a proper start of ``tag``.

    >>> partial_suffix("B12 is low.</thi", "</think>")
    5
    """
    for k in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:k]):
            return k
    return 0
