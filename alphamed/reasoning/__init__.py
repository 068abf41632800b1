"""Reasoning split: separate a model's reasoning trace from its answer, one parser per output style.

Each style is one module with one parser (:class:`~alphamed.reasoning.base.ReasoningParser`),
registered by name and chosen with :func:`get_parser` (like vLLM's ``vllm/reasoning/``):

* ``think-tags`` (:mod:`~alphamed.reasoning.think_tags`): reasoning up to the first ``</think>``,
  content after it; without it, everything is reasoning.
* ``final-response`` (:mod:`~alphamed.reasoning.final_response`): HuatuoGPT-o1's ``## Thinking``
  up to the first ``## Final Response``, content after it (headers dropped).
* ``free-text`` (:mod:`~alphamed.reasoning.free_text`): free text; reasoning before the first
  ``</think>`` if there is one, else before the first final-answer sentence
  (:mod:`~alphamed.reasoning.sentence`; how the released AlphaMed models end:
  ``...The final answer is: $\\boxed{C}$``), content from there on; with neither marker,
  everything is content (``untagged="content"``, the default: a model that answered directly,
  "C" or "Answer: C", keeps its answer) or reasoning (``untagged="reasoning"``: for models that
  always reason in free text; only this lets a stream show free-text reasoning as it comes).
* ``auto`` (:mod:`~alphamed.reasoning.auto`, the default): ``think-tags`` for output that starts
  (after whitespace) with ``<think>``, ``final-response`` for ``## Thinking``, else ``free-text``.
* ``final-answer`` (what ``alphamed serve`` streams with): ``auto``, except that in free text the
  *first* of ``</think>`` and a final-answer sentence ends the reasoning, so content can stream
  from the final-answer sentence on (with ``auto`` a later ``</think>`` would still make it
  reasoning, so a stream must hold it until the output ends).

A new style is a new module that registers its parser, not a new branch here. Both parts are
stripped of surrounding whitespace. :class:`ReasoningSplitter` produces the same split
incrementally: concatenating its outputs equals :func:`split_reasoning` of the whole text, however
the text is chunked.

>>> split_reasoning("<think>hmm</think>The answer is B.")
('hmm', 'The answer is B.')
>>> split_reasoning("Folate is normal, B12 is low.\\nThe final answer is: $\\\\boxed{C}$")
('Folate is normal, B12 is low.', 'The final answer is: $\\\\boxed{C}$')
>>> split_reasoning("## Thinking\\nB12 is low.\\n## Final Response\\nPernicious anemia (C).")
('B12 is low.', 'Pernicious anemia (C).')
>>> split_reasoning("still thinking</think>C")
('still thinking', 'C')
"""

from __future__ import annotations

from typing import Literal

from alphamed.reasoning.auto import AutoParser, FinalAnswerParser
from alphamed.reasoning.base import PARSERS, ReasoningParser, Untagged, get_parser, parser_names, register
from alphamed.reasoning.final_response import HUATUO_CLOSE, HUATUO_OPEN, FinalResponseParser
from alphamed.reasoning.free_text import FirstMarkerFreeTextParser, FreeTextParser
from alphamed.reasoning.think_tags import THINK_CLOSE, THINK_OPEN, ThinkTagsParser

Style = Literal["auto", "final-answer"]

__all__ = [
    "HUATUO_CLOSE", "HUATUO_OPEN", "PARSERS", "THINK_CLOSE", "THINK_OPEN", "AutoParser", "FinalAnswerParser",
    "FinalResponseParser", "FirstMarkerFreeTextParser", "FreeTextParser", "ReasoningParser", "ReasoningSplitter",
    "Style", "ThinkTagsParser", "Untagged", "answer_region", "get_parser", "parser_names", "register",
    "split_reasoning",
]  # fmt: skip


def split_reasoning(text: str, *, untagged: Untagged = "content", style: Style | str = "auto") -> tuple[str, str]:
    """Split ``text`` into ``(reasoning, content)`` by the rules in this module's docstring.

    Args:
        text: a model output.
        untagged: where free text without any marker goes.
        style: a parser name (:func:`parser_names`): ``auto`` or ``final-answer`` for any output.

    Returns:
        ``(reasoning, content)``, both stripped.

    >>> split_reasoning("<think>unfinished")
    ('unfinished', '')
    >>> split_reasoning("C. Warfarin")
    ('', 'C. Warfarin')
    >>> split_reasoning("B12 is low, so", untagged="reasoning")
    ('B12 is low, so', '')
    """
    return get_parser(style, untagged=untagged).split(text)


def answer_region(text: str | None, *, reasoning: str | None = None) -> str:
    """The part of an output that answer extraction reads: the one definition of "what is graded".

    Rewards, ``alphamed serve`` and the client all call this, so they cannot drift apart.

    On a whole output (``reasoning`` None): the content when the split found one; nothing when
    the output stopped inside tagged reasoning (``<think>``, ``</think>`` or ``## Thinking``
    without an answer after it: the model has not committed); the whole output when it is free
    text with no reasoning marker at all (a model that answered directly, e.g. ``"C"``).

    On an output an engine's reasoning parser already split (``reasoning`` given, ``text`` the
    content it left): that content when there is any (the parser found the end of reasoning,
    as the rules above would). Otherwise the parser found no end of reasoning and its
    "reasoning" is the whole output (less a ``<think>`` it may have dropped): the region is its
    final-answer sentence and what follows, if it has one, else nothing (a letter only mentioned
    in reasoning is no commitment). That is how an AlphaMed output, free text that never writes
    ``</think>``, keeps its answer when vLLM's or SGLang's ``deepseek_r1`` parser puts all of it
    in reasoning.

    Args:
        text: a model output, or the content an engine's parser left.
        reasoning: the reasoning an engine's parser split off (None: ``text`` is the whole output).

    Returns:
        The text to pass to :func:`alphamed.extract.extract_answer`.

    >>> answer_region("Because X.\\nThe final answer is C")
    'The final answer is C'
    >>> answer_region("<think>B12 is low and"), answer_region("Answer: C")
    ('', 'Answer: C')
    >>> answer_region("", reasoning="B12 is low. The final answer is: C")
    'The final answer is: C'
    >>> answer_region("", reasoning="Maybe C? B12 is low")
    ''
    """
    if reasoning is not None:  # an engine split it; ``text`` is its content (None: it left none)
        content = text.strip() if isinstance(text, str) else ""
        if content or not isinstance(reasoning, str):
            return content
        return split_reasoning(reasoning, untagged="reasoning")[1]
    if not isinstance(text, str):
        return ""
    _, content = split_reasoning(text)
    if content:
        return content
    s = text.lstrip()
    if s.startswith((THINK_OPEN, HUATUO_OPEN)) or THINK_CLOSE in s:
        return ""
    return s.strip()


class ReasoningSplitter:
    """Incremental :func:`split_reasoning` for streams: the parser for ``style``, fed chunk by chunk.

    Reasoning is emitted as soon as it is safe: only a possible partial tag at the end of what
    has arrived, trailing whitespace, and text from a line or sentence start that could still
    become a final-answer sentence are held back. In free text with the ``auto`` style, content
    from a final-answer sentence on is held until the end of the stream (a later ``</think>``
    would make it reasoning); with ``final-answer`` it streams as it comes.

    Args:
        untagged: where free text without any marker goes (see :func:`split_reasoning`).
        style: a parser name (see :func:`split_reasoning`).

    >>> s = ReasoningSplitter()
    >>> s.feed("<think>B12 is lo"), s.feed("w.</th"), s.feed("ink>C"), s.finish()
    (('B12 is lo', ''), ('w.', ''), ('', 'C'), ('', ''))
    """

    def __init__(self, *, untagged: Untagged = "content", style: Style | str = "auto") -> None:
        self._parser = get_parser(style, untagged=untagged)

    def feed(self, delta: str) -> tuple[str, str]:
        """Consume a chunk (any split, even inside a tag); returns ``(reasoning_delta, content_delta)``."""
        return self._parser.feed(delta)

    def finish(self) -> tuple[str, str]:
        """Flush what is left at the end of the stream; returns ``(reasoning_delta, content_delta)``."""
        return self._parser.finish()
