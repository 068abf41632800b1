"""The simplest learnable reward for the training tests: dense, always varied within a group."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from alphamed.rewards import completion_text


def vowel_share(completions: list[Any], **kwargs: Any) -> list[float | None]:
    """Share of a completion's letters that are vowels (0 for an empty completion)."""
    out: list[float | None] = []
    for c in completions:
        letters = [ch for ch in completion_text(c).lower() if ch.isalpha()]
        out.append(sum(ch in "aeiou" for ch in letters) / len(letters) if letters else 0.0)
    return out


HOLD_WHEN = "LEARNABLE_REWARD_HOLD_WHEN"


def vowel_share_or_hold(completions: list[Any], **kwargs: Any) -> list[float | None]:
    """:func:`vowel_share`, except that once the file named by ``$LEARNABLE_REWARD_HOLD_WHEN`` exists
    the run blocks here for good: a test holds a run at a known point (the step after a given save)
    and kills it there, instead of hoping the kill lands before the next save."""
    hold = os.environ.get(HOLD_WHEN)
    if hold and Path(hold).exists():
        threading.Event().wait()  # until the test kills the run
    return vowel_share(completions, **kwargs)
