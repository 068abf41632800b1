"""``<think>`` tags (DeepSeek-R1, Qwen3, ``--prompt-style think-answer``).

Reasoning up to the first ``</think>``, content after it; the opening ``<think>`` is optional (a
chat template may have opened it). Without ``</think>`` everything is reasoning.

>>> ThinkTagsParser().split("<think>B12 is low.</think>The answer is C.")
('B12 is low.', 'The answer is C.')
>>> ThinkTagsParser().split("still thinking")
('still thinking', '')
"""

from __future__ import annotations

from alphamed.reasoning.base import register
from alphamed.reasoning.tagged import TaggedParser

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


@register("think-tags")
class ThinkTagsParser(TaggedParser):
    """Reasoning inside ``<think>...</think>``, content after it."""

    OPEN = THINK_OPEN
    CLOSE = THINK_CLOSE
