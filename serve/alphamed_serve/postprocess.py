"""What the gateway adds to every engine output: the reasoning split and the extracted answer.

Works on whole outputs (:func:`finish_output`) and on streams (:class:`ChoiceStream`, one per
choice, fed raw deltas). A backend that already split the reasoning (``reasoning`` set) is
never split again for display; its answer is still read from the core's answer region of the
whole output, so an engine's reasoning parser cannot change the grade.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from alphamed.extract import extract_answer
from alphamed.reasoning import ReasoningSplitter, answer_region, split_reasoning
from alphamed_serve.backend import GenerationOutput, StreamDelta

ReasoningField = Literal["reasoning", "reasoning_content", "both"]
TokenCounter = Callable[[str], "int | None"]


@dataclass
class FinishedChoice:
    """One choice after post-processing."""

    index: int
    reasoning: str
    content: str
    answer: dict[str, Any]
    finish_reason: str | None
    completion_tokens: int
    reasoning_tokens: int
    logprobs: Any | None = None


def answer_of(content: str, options: Any | None) -> dict[str, Any]:
    """The ``answer`` object for a choice: ``{"letter", "text", "method"}`` (all None on abstain).

    Args:
        content: the answer region of the output (:func:`alphamed.reasoning.answer_region`).
        options: option texts (list or letter map) or None.

    Returns:
        The JSON-ready answer object.
    """
    found = extract_answer(content, options) if content else None
    if found is None:
        return {"letter": None, "text": None, "method": None}
    return {"letter": found.letter, "text": found.text, "method": found.method}


def reasoning_token_count(reasoning: str, text: str, completion_tokens: int, count: TokenCounter | None) -> int:
    """Tokens of the reasoning part: counted with the backend tokenizer when it has one,
    otherwise estimated as ``completion_tokens`` times the reasoning's share of characters."""
    if not reasoning:
        return 0
    if count is not None:
        n = count(reasoning)
        if n is not None:
            return min(n, completion_tokens) if completion_tokens else n
    share = len(reasoning) / max(len(text), 1)
    return min(completion_tokens, round(completion_tokens * share))


def finish_output(
    out: GenerationOutput,
    options: Any | None,
    count: TokenCounter | None = None,
    *,
    untagged: str = "reasoning",
    style: str = "final-answer",
) -> FinishedChoice:
    """Split (as :class:`ChoiceStream` splits a stream, so both show the same) and extract one whole output."""
    if out.reasoning is not None:  # the engine split it: shown as it split it, graded as the core grades
        reasoning, content = out.reasoning, out.text
    else:
        reasoning, content = split_reasoning(out.text, untagged=untagged, style=style)
    region = answer_region(out.text, reasoning=out.reasoning)  # the region rewards and the client read
    return FinishedChoice(
        index=out.index,
        reasoning=reasoning,
        content=content,
        answer=answer_of(region, options),
        finish_reason=out.finish_reason,
        completion_tokens=out.completion_tokens,
        reasoning_tokens=reasoning_token_count(
            reasoning, (out.reasoning or "") + out.text, out.completion_tokens, count
        ),
        logprobs=out.logprobs,
    )


def engine_parser_warning(reasoning_parser: str | None, prompt_style: str) -> str | None:
    """The one-line start-up warning for an engine reasoning parser in front of a free-text model.

    AlphaMed checkpoints (prompt style ``alphamed``) reason in free text and never write
    ``</think>``: a ``<think>``-tag parser such as ``deepseek_r1`` then puts each whole output in
    ``reasoning`` and leaves ``content`` empty. The answer is still graded from the whole output
    (:func:`alphamed.reasoning.answer_region`), but clients that show ``content`` see nothing.

    Args:
        reasoning_parser: the ``--reasoning-parser`` passed to the engine, or None.
        prompt_style: the served model's prompt style (``--prompt-style``).

    Returns:
        The warning, or None when there is nothing to warn about.

    >>> engine_parser_warning(None, "alphamed") is None, engine_parser_warning("deepseek_r1", "think-answer") is None
    (True, True)
    >>> engine_parser_warning("deepseek_r1", "alphamed")[:40]
    '--reasoning-parser deepseek_r1 with a fr'
    """
    if not reasoning_parser or prompt_style != "alphamed":
        return None
    return (
        f"--reasoning-parser {reasoning_parser} with a free-text model (--prompt-style alphamed): AlphaMed "
        "outputs never write </think>, so the engine puts each whole output in `reasoning` and leaves "
        "`content` empty; answers are still graded from the whole output, but for the gateway's own "
        "reasoning/answer split leave the engine parser off (docs/serving.md)"
    )


def put_reasoning(target: dict[str, Any], reasoning: str | None, field_name: ReasoningField) -> None:
    """Write the reasoning under the configured field name(s)."""
    if reasoning is None:
        return
    if field_name in ("reasoning", "both"):
        target["reasoning"] = reasoning
    if field_name in ("reasoning_content", "both"):
        target["reasoning_content"] = reasoning


@dataclass
class ChoiceStream:
    """Incremental post-processing of one streamed choice."""

    index: int
    options: Any | None = None
    untagged: str = "reasoning"  # where free text without markers goes (see Settings.untagged_text)
    style: str = "final-answer"  # the split style (see Settings.split_style)
    splitter: ReasoningSplitter = field(init=False)
    raw: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    completion_tokens: int = 0
    finished: bool = False

    def __post_init__(self) -> None:
        self.splitter = ReasoningSplitter(untagged=self.untagged, style=self.style)

    def feed(self, delta: StreamDelta, pieces: int = 1) -> tuple[str, str]:
        """Consume one engine delta; returns ``(reasoning_delta, content_delta)`` to send now.

        On the choice's last delta the splitter is flushed into the returned pieces.

        Args:
            delta: the engine delta (or several of one choice merged into one).
            pieces: how many engine deltas it stands for (counted as tokens when the engine
                reports no token counts).
        """
        if delta.reasoning is not None:  # engine split it already
            r, c = delta.reasoning, delta.text
        else:
            self.raw.append(delta.text)
            r, c = self.splitter.feed(delta.text)
            if delta.finish_reason is not None:
                fr, fc = self.splitter.finish()
                r, c = r + fr, c + fc
        self.reasoning.append(r)
        self.content.append(c)
        if delta.completion_tokens is not None:
            self.completion_tokens = delta.completion_tokens
        elif delta.text or delta.reasoning:
            self.completion_tokens += pieces
        if delta.finish_reason is not None:
            self.finished = True
        return r, c

    def answer(self) -> dict[str, Any]:
        """The answer object from everything streamed so far, read from the same region as a
        whole response (:func:`alphamed.reasoning.answer_region`, whoever split the output)."""
        if self.raw:
            return answer_of(answer_region("".join(self.raw)), self.options)
        region = answer_region("".join(self.content), reasoning="".join(self.reasoning))
        return answer_of(region, self.options)

    def reasoning_tokens(self, count: TokenCounter | None) -> int:
        """Reasoning tokens of this choice (counted or estimated, see :func:`reasoning_token_count`)."""
        reasoning = "".join(self.reasoning)
        return reasoning_token_count(reasoning, reasoning + "".join(self.content), self.completion_tokens, count)
