"""The simplest learnable reward for the training tests: dense, always varied within a group."""

from __future__ import annotations

from typing import Any

from alphamed.rewards import completion_text


def vowel_share(completions: list[Any], **kwargs: Any) -> list[float | None]:
    """Share of a completion's letters that are vowels (0 for an empty completion)."""
    out: list[float | None] = []
    for c in completions:
        letters = [ch for ch in completion_text(c).lower() if ch.isalpha()]
        out.append(sum(ch in "aeiou" for ch in letters) / len(letters) if letters else 0.0)
    return out
