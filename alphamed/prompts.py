"""Prompt styles: how a :class:`~alphamed.schema.Question` becomes chat messages.

Each style is a named object that builds messages and knows the answer format it asks
the model for, so a format reward can check exactly that.

>>> from alphamed.schema import Question
>>> q = Question(id="1", question="Which drug?", options={"A": "x", "B": "y"})
>>> msgs = build_messages(q, "alphamed")
>>> msgs[-1]["role"]
'user'
>>> "A. x" in msgs[-1]["content"]
True
>>> get_style("think-answer").answer_format
'<think>...</think><answer>X</answer>'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alphamed.schema import Question

Message = dict[str, str]


def format_options(options: dict[str, str]) -> str:
    """Options as ``A. text`` lines.

    >>> print(format_options({"A": "yes", "B": "no"}))
    A. yes
    B. no
    """
    return "\n".join(f"{letter}. {text}" for letter, text in options.items())


def format_question(question: Question) -> str:
    """The question block shared by every style: context, stem, options."""
    parts = []
    if question.context:
        parts.append(f"Context: {question.context.strip()}")
    parts.append(f"Question: {question.question.strip()}")
    parts.append("Options:\n" + format_options(question.options))
    return "\n\n".join(parts)


@dataclass(frozen=True)
class PromptStyle:
    """A named prompt style.

    Args:
        name: registry name (``alphamed``, ``think-answer``, ``plain``).
        system: system message, or None for none.
        instruction: appended after the question block.
        answer_format: human-readable form of the expected ending.
        format_pattern: regex a well-formatted completion must match (``re.search``).
        assistant_prefix: text the assistant turn starts with (e.g. an opened ``<think>``).
    """

    name: str
    system: str | None
    instruction: str
    answer_format: str
    format_pattern: str
    assistant_prefix: str = ""

    def build_messages(self, question: Question) -> list[Message]:
        """Chat messages for ``question`` in this style."""
        messages: list[Message] = []
        if self.system:
            messages.append({"role": "system", "content": self.system})
        user = format_question(question) + "\n\n" + self.instruction
        messages.append({"role": "user", "content": user})
        return messages

    def is_well_formatted(self, completion: str) -> bool:
        """Whether ``completion`` ends the way this style asks for."""
        return _compiled(self.format_pattern).search(completion) is not None


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern, re.DOTALL)
    return compiled


ALPHAMED = PromptStyle(
    name="alphamed",
    system=None,
    instruction=(
        "Please reason step by step, and finish your answer with "
        '"The final answer is: $\\boxed{X}$", where X is the letter of the correct option.'
    ),
    answer_format="The final answer is: $\\boxed{X}$",
    format_pattern=r"The final answer is:?\s*\$?\\boxed\{\s*[A-Z]\s*\}\$?\s*\.?\s*$",
)

THINK_ANSWER = PromptStyle(
    name="think-answer",
    system=(
        "You are a medical expert. Think through the question inside <think> </think> tags, "
        "then give only the letter of the correct option inside <answer> </answer> tags."
    ),
    instruction="Answer with <think>...</think><answer>X</answer>.",
    answer_format="<think>...</think><answer>X</answer>",
    format_pattern=r"^\s*(<think>)?.*?</think>\s*<answer>\s*[A-Z]\s*</answer>\s*$",
)

PLAIN = PromptStyle(
    name="plain",
    system=None,
    instruction="Answer with the letter of the correct option.",
    answer_format="X",
    # a bare letter, "(B) ...", "B. ..." or "B: ..."; not a sentence that starts with "I" or "A"
    format_pattern=r"^\s*(\([A-Z]\)|[A-Z][.:)](\s|$)|[A-Z]\s*$)",
)

STYLES: dict[str, PromptStyle] = {s.name: s for s in (ALPHAMED, THINK_ANSWER, PLAIN)}
DEFAULT_STYLE = "alphamed"


def get_style(name: str | PromptStyle) -> PromptStyle:
    """Look up a prompt style by name (a :class:`PromptStyle` passes through)."""
    if isinstance(name, PromptStyle):
        return name
    try:
        return STYLES[name]
    except KeyError:
        raise ValueError(f"unknown prompt style {name!r}; choose one of {', '.join(STYLES)}") from None


def build_messages(question: Question, style: str | PromptStyle = DEFAULT_STYLE) -> list[Message]:
    """Chat messages for ``question`` in ``style`` (see :data:`STYLES`)."""
    return get_style(style).build_messages(question)
