"""HuatuoGPT-o1's headers: ``## Thinking`` then ``## Final Response``.

Reasoning up to the first ``## Final Response``, content after it (headers dropped); without it,
everything is reasoning.

>>> FinalResponseParser().split("## Thinking\\nB12 is low.\\n## Final Response\\nPernicious anemia (C).")
('B12 is low.', 'Pernicious anemia (C).')
"""

from __future__ import annotations

from alphamed.reasoning.base import register
from alphamed.reasoning.tagged import TaggedParser

HUATUO_OPEN = "## Thinking"
HUATUO_CLOSE = "## Final Response"


@register("final-response")
class FinalResponseParser(TaggedParser):
    """Reasoning under ``## Thinking``, content under ``## Final Response``."""

    OPEN = HUATUO_OPEN
    CLOSE = HUATUO_CLOSE
