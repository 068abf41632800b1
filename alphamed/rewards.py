"""TRL-compatible reward functions built on the same extractor as evaluation.

Each reward is ``fn(completions, **kwargs) -> list[float | None]`` (TRL's reward signature):
``completions`` are plain strings or TRL's conversational form
(``[{"role": "assistant", "content": ...}]``); ``kwargs`` carry every dataset column (``answer``,
``options``...) plus TRL's ``prompts``, ``completion_ids`` and ``trainer_state``, which are
ignored. A reward never raises on model text or odd columns: it returns 0.0 for an output it
cannot read and None (TRL skips it) for a sample without a gold label.

What is rewarded is exactly what is scored: :func:`accuracy_reward` calls
:func:`alphamed.extract.extract_answer` on the whole completion, like evaluation does.

>>> accuracy_reward(["The final answer is: $\\\\boxed{B}$"], answer=["B"], options=[{"A": "x", "B": "y"}])
[1.0]
>>> fmt = get_reward("format", style="think-answer")
>>> fmt([[{"role": "assistant", "content": "<think>B12 low</think><answer>C</answer>"}], "C"])
[1.0, 0.0]
"""

from __future__ import annotations

import importlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from alphamed.extract import extract_answer, normalize_options
from alphamed.prompts import PromptStyle, get_style
from alphamed.reasoning import answer_region
from alphamed.schema import LETTERS

__all__ = [
    "REWARDS",
    "RewardFn",
    "accuracy_reward",
    "completion_text",
    "gold_letter",
    "get_reward",
    "make_format_reward",
]

logger = logging.getLogger(__name__)

RewardFn = Callable[..., list[float | None]]

_GOLD = re.compile(r"[\s(\[]*([A-Za-z])[\s)\].:]*(?:$|[\s\-–—])")


def completion_text(completion: Any) -> str:
    """The text of one completion, plain or conversational.

    Args:
        completion: a string, a message dict, or a list of messages (the last one is the
            completion); message content may be a string or a list of ``{"type": "text"}`` parts.

    Returns:
        The text, or ``""`` when there is none.

    >>> completion_text([{"role": "assistant", "content": "C"}])
    'C'
    >>> completion_text({"content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]})
    'AB'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, (list, tuple)) and completion:
        return completion_text(completion[-1])
    if isinstance(completion, Mapping):
        content = completion.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, (list, tuple)):
            return "".join(
                p.get("text") or "" for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str)
            )
    return ""


def gold_letter(answer: Any, options: Any = None) -> str | None:
    """The gold option letter from a dataset's answer column.

    Accepts a letter (``"C"``, ``"(c)"``, ``"C. Warfarin"``), a 0-based index, or the option's
    text when ``options`` are given (PubMedQA's ``"yes"``).

    Args:
        answer: the gold answer as stored.
        options: the question's options (list, mapping or JSON string), optional.

    Returns:
        The letter, or None when there is no usable label.

    >>> gold_letter("(c)"), gold_letter(2), gold_letter("maybe", ["yes", "no", "maybe"]), gold_letter("")
    ('C', 'C', 'C', None)
    """
    if isinstance(answer, bool) or answer is None:
        return None
    if isinstance(answer, int):
        return LETTERS[answer] if 0 <= answer < len(LETTERS) else None
    if not isinstance(answer, str):
        return None
    text = answer.strip()
    opts = normalize_options(options) if options is not None else {}
    for letter, option_text in opts.items():
        if option_text.strip().lower() == text.lower() and len(text) > 1:
            return letter
    m = _GOLD.match(text)
    if m is None:
        return None
    letter = m.group(1).upper()
    return letter if not opts or letter in opts else None


def _column(values: Any, i: int) -> Any:
    """Row ``i`` of a column passed by TRL (None when absent or too short)."""
    if isinstance(values, Sequence) and not isinstance(values, str) and i < len(values):
        return values[i]
    return None


def _options_of(value: Any) -> Any:
    """Options as stored in a dataset row: list, mapping, or JSON string."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def accuracy_reward(
    completions: list[Any], answer: list[Any] | None = None, options: list[Any] | None = None, **kwargs: Any
) -> list[float | None]:
    """1.0 when the extracted letter equals the gold ``answer``, 0.0 when it differs or nothing is
    extracted, None when the row has no gold label.

    Args:
        completions: TRL completions (strings or conversational).
        answer: the gold column (letters, 0-based indices or option texts).
        options: the options column (lists, mappings or JSON strings), one per completion.
        **kwargs: other dataset columns and TRL arguments (ignored).

    Returns:
        One reward per completion.

    >>> accuracy_reward(["I'd say C", "The answer is (b)."], answer=["B", "B"], options=['["x", "y", "z"]'] * 2)
    [0.0, 1.0]
    """
    out: list[float | None] = []
    for i, completion in enumerate(completions or []):
        try:
            row_options = _options_of(_column(options, i))
            gold = gold_letter(_column(answer, i), row_options)
            if gold is None:
                out.append(None)
                continue
            found = extract_answer(answer_region(completion_text(completion)), row_options)
            out.append(1.0 if found is not None and found.letter == gold else 0.0)
        except Exception:  # a reward must never stop training
            logger.exception("accuracy_reward failed on completion %d", i)
            out.append(0.0)
    return out


def make_format_reward(style: str | PromptStyle = "alphamed") -> RewardFn:
    """A reward of 1.0 when a completion ends the way ``style`` asks for, else 0.0.

    Args:
        style: a prompt style name (``alphamed``, ``think-answer``, ``plain``) or object.

    Returns:
        The reward function (named ``format_reward_<style>``).

    Raises:
        ValueError: unknown style (when building, never when scoring).
    """
    prompt_style = get_style(style)

    def format_reward(completions: list[Any], **kwargs: Any) -> list[float | None]:
        out: list[float | None] = []
        for completion in completions or []:
            try:
                out.append(1.0 if prompt_style.is_well_formatted(completion_text(completion)) else 0.0)
            except Exception:
                logger.exception("format_reward failed")
                out.append(0.0)
        return out

    format_reward.__name__ = f"format_reward_{prompt_style.name.replace('-', '_')}"
    format_reward.__qualname__ = format_reward.__name__
    return format_reward


def _build_accuracy(**settings: Any) -> RewardFn:
    if settings:
        raise ValueError(f"reward 'accuracy' takes no settings, got {', '.join(sorted(settings))}")
    return accuracy_reward


REWARDS: dict[str, Callable[..., RewardFn]] = {
    "accuracy": _build_accuracy,
    "format": make_format_reward,
}
"""Reward name -> factory; a factory builds its reward only when asked."""


def get_reward(name: str, **settings: Any) -> RewardFn:
    """Build the reward named ``name``.

    Args:
        name: a :data:`REWARDS` name, or a dotted import path (``package.module.attr``) to a
            reward function, or to a factory when ``settings`` are given.
        **settings: the factory's settings (``style=`` for ``format``).

    Returns:
        The reward function.

    Raises:
        ValueError: unknown name or bad settings (a recipe error, reported when building).

    >>> get_reward("format", style="plain").__name__
    'format_reward_plain'
    """
    if name in REWARDS:
        try:
            return REWARDS[name](**settings)
        except TypeError as exc:
            raise ValueError(f"bad settings for reward {name!r}: {exc}") from None
    if "." in name:
        module, _, attr = name.rpartition(".")
        try:
            target = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"cannot import reward {name!r}: {exc}") from None
        return target(**settings) if settings else target
    raise ValueError(f"unknown reward {name!r}; choose one of {', '.join(REWARDS)} or a dotted path")
