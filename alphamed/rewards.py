"""TRL-compatible reward functions built on the same extractor as evaluation.

INTERIM first version with the final API; issue 3 completes it.

Each reward is ``fn(completions, **kwargs) -> list[float | None]``; completions may be
plain strings or TRL's conversational form (``[{"role": "assistant", "content": ...}]``).

>>> accuracy_reward(["The final answer is: $\\\\boxed{B}$"], answer=["B"], options=[{"A": "x", "B": "y"}])
[1.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alphamed.extract import extract_answer
from alphamed.prompts import get_style

RewardFn = Callable[..., list[float | None]]


def completion_text(completion: Any) -> str:
    """The text of one completion, plain or conversational."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content") or "")
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    return ""


def accuracy_reward(completions: list[Any], answer: list[str] | None = None, options: list[Any] | None = None, **kwargs: Any) -> list[float | None]:
    """1.0 when the extracted letter equals the gold ``answer``, else 0.0 (None when unlabeled)."""
    out: list[float | None] = []
    for i, completion in enumerate(completions):
        gold = answer[i] if answer else None
        if not gold:
            out.append(None)
            continue
        try:
            found = extract_answer(completion_text(completion), options[i] if options else None)
        except Exception:  # never raise on model text
            found = None
        out.append(1.0 if found is not None and found.letter == gold else 0.0)
    return out


def make_format_reward(style: str = "alphamed") -> RewardFn:
    """A reward of 1.0 when a completion follows ``style``'s answer format."""
    prompt_style = get_style(style)

    def format_reward(completions: list[Any], **kwargs: Any) -> list[float | None]:
        return [1.0 if prompt_style.is_well_formatted(completion_text(c)) else 0.0 for c in completions]

    format_reward.__name__ = f"format_reward_{style.replace('-', '_')}"
    return format_reward


REWARDS: dict[str, Callable[..., RewardFn]] = {
    "accuracy": lambda **_: accuracy_reward,
    "format": lambda style="alphamed", **_: make_format_reward(style),
}


def get_reward(name: str, **settings: Any) -> RewardFn:
    """Build the reward named ``name`` (a registry name or a dotted import path)."""
    if name in REWARDS:
        return REWARDS[name](**settings)
    if "." in name:
        import importlib

        module, _, attr = name.rpartition(".")
        return getattr(importlib.import_module(module), attr)
    raise ValueError(f"unknown reward {name!r}; choose one of {', '.join(REWARDS)} or a dotted path")
