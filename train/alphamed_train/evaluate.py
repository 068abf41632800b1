"""Greedy multiple-choice accuracy and format rate of a model: before/after a run and during it.

Scored with the same extractor and format check the rewards use, so what RL is rewarded
for is exactly what is measured here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from alphamed.extract import extract_answer
from alphamed.prompts import build_messages, get_style
from alphamed.schema import Question

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class McqScore:
    """Accuracy and format rate over ``n`` questions (fractions in [0, 1])."""

    n: int
    accuracy: float
    format_rate: float

    def as_dict(self) -> dict[str, float]:
        """A JSON-friendly dict with percentages."""
        return {"n": self.n, "accuracy": round(100 * self.accuracy, 1), "format": round(100 * self.format_rate, 1)}


def greedy_completions(
    model: Any,
    tokenizer: Any,
    questions: list[Question],
    *,
    style: str = "alphamed",
    max_new_tokens: int = 48,
    batch_size: int = 32,
) -> list[str]:
    """Greedy completions for ``questions`` (left-padded batches, no sampling).

    Args:
        model: a causal LM.
        tokenizer: its tokenizer, with a chat template.
        questions: what to ask.
        style: prompt style name.
        max_new_tokens: completion budget.
        batch_size: questions per generate call.

    Returns:
        One decoded completion per question (special tokens skipped, as TRL decodes).
    """
    import torch

    tokenizer.padding_side = "left"
    texts = [
        tokenizer.apply_chat_template(build_messages(q, style), tokenize=False, add_generation_prompt=True)
        for q in questions
    ]
    out: list[str] = []
    model.eval()
    for start in range(0, len(texts), batch_size):
        enc = tokenizer(texts[start : start + batch_size], return_tensors="pt", padding=True, add_special_tokens=False)
        enc = {k: v.to(model.device) for k, v in enc.items()}
        with torch.no_grad():
            gen = model.generate(
                **enc, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id
            )
        new = gen[:, enc["input_ids"].shape[1] :]
        out.extend(tokenizer.batch_decode(new, skip_special_tokens=True))
    return out


def score_mcq(
    model: Any, tokenizer: Any, questions: list[Question], *, style: str = "alphamed", max_new_tokens: int = 48
) -> McqScore:
    """Greedy accuracy and format rate on ``questions``.

    Args:
        model: a causal LM.
        tokenizer: its tokenizer.
        questions: labeled questions.
        style: prompt style whose answer format is checked.
        max_new_tokens: completion budget.

    Returns:
        The score.
    """
    completions = greedy_completions(model, tokenizer, questions, style=style, max_new_tokens=max_new_tokens)
    prompt_style = get_style(style)
    correct = formatted = 0
    for q, text in zip(questions, completions):
        found = extract_answer(text, q.options)
        correct += int(found is not None and found.letter == q.answer)
        formatted += int(prompt_style.is_well_formatted(text))
    n = max(len(questions), 1)
    return McqScore(len(questions), correct / n, formatted / n)


def score_factbank(
    model: Any, tokenizer: Any, bank: Any, *, style: str = "alphamed", max_new_tokens: int = 48
) -> dict[str, dict[str, float]]:
    """The three numbers of the demo: RL questions as trained, reordered, held-out facts.

    Args:
        model: a causal LM.
        tokenizer: its tokenizer.
        bank: a :class:`~alphamed_train.factbank.FactBank`.
        style: prompt style.
        max_new_tokens: completion budget (the recipe's max_completion_length).

    Returns:
        ``{"rl_as_trained": ..., "rl_reordered": ..., "heldout": ...}`` as percentages.
    """
    sets = {
        "rl_as_trained": bank.questions("rl"),
        "rl_reordered": bank.questions("rl", variant=1) + bank.questions("rl", variant=2),
        "heldout": bank.questions("heldout") + bank.questions("heldout", variant=1),
    }
    return {
        name: score_mcq(model, tokenizer, qs, style=style, max_new_tokens=max_new_tokens).as_dict()
        for name, qs in sets.items()
    }


def measure(recipe: Any, model_path: str, tokenizer: Any, path: Path, *, reuse: bool = True) -> dict[str, Any]:
    """Score the fact-bank MCQs (as trained, reordered, held out) and write them to ``path``.

    Args:
        recipe: the recipe (fact-bank settings, style).
        model_path: the model folder to score.
        tokenizer: its tokenizer.
        path: JSON file to write (read back instead when ``reuse`` and it exists, e.g. on resume).
        reuse: reuse an existing file.

    Returns:
        ``{"rl_as_trained": {...}, "rl_reordered": {...}, "heldout": {...}}`` in percent.
    """
    from accelerate import PartialState

    if reuse and path.exists():
        return json.loads(path.read_text())
    if not PartialState().is_main_process:
        return {}
    from transformers import AutoModelForCausalLM

    from alphamed_train.factbank import FactBank

    model = AutoModelForCausalLM.from_pretrained(model_path)
    scores = score_factbank(
        model,
        tokenizer,
        FactBank.from_settings(recipe.data.factbank),
        style=recipe.data.style,
        max_new_tokens=recipe.grpo.max_completion_length,
    )
    path.write_text(json.dumps(scores, indent=1))
    logger.info("fact-bank scores of %s: %s", model_path, scores)
    return scores


def heldout_questions(recipe: Any) -> list[Question]:
    """The bank scored during training: the fact bank's held-out MCQs (two orders), the copy/match
    validation questions, or a JSONL bank.

    Args:
        recipe: the recipe (``evaluation.bank``, ``evaluation.max_questions``, fact-bank settings).

    Returns:
        Labeled questions.
    """
    ev = recipe.evaluation
    if ev.bank == "factbank-heldout":
        from alphamed_train.factbank import FactBank

        bank = FactBank.from_settings(recipe.data.factbank)
        questions = bank.questions("heldout") + bank.questions("heldout", variant=1)
    elif ev.bank == "copymatch-validation":
        from alphamed_train.copymatch import CopyMatchBank

        questions = CopyMatchBank.from_settings(recipe.data.copymatch).questions("validation")
    else:
        from alphamed.data import QuestionBank

        questions = [q for q in QuestionBank(ev.bank) if q.answer]
    if not questions:
        raise ValueError(f"--evaluation.bank {ev.bank}: no labeled questions")
    return questions[: ev.max_questions] if ev.max_questions else questions


class HeldOutEvaluation(TrainerCallback):
    """Every ``every_steps`` optimizer steps, score ``questions`` greedily and log ``eval/*`` beside the rewards.

    The numbers (``eval/accuracy``, ``eval/accuracy_ci_low``, ``eval/accuracy_ci_high`` (Wilson 95%),
    ``eval/format``, ``eval/n``) join the same step's log row (metrics.jsonl, TensorBoard, the progress line);
    insert this callback first (``trainer.callback_handler.callbacks.insert(0, cb)``) so the loggers see them.

    Args:
        questions: the held-out bank.
        tokenizer: the policy's tokenizer.
        every_steps: how often.
        style: prompt style (the same extractor and format check as the rewards).
        max_new_tokens: completion budget.
        keep_best: remember the weights that scored best (first best wins) and put them back into the model
            when training ends, so the run saves them as ``final`` (checkpoint selection on this bank; the
            last step is scored too). ``best_step`` and ``best`` say which; ``seconds`` is the time spent scoring.
    """

    def __init__(
        self,
        questions: list[Question],
        tokenizer: Any,
        every_steps: int,
        *,
        style: str,
        max_new_tokens: int,
        keep_best: bool = False,
    ):
        self.questions, self.tokenizer, self.every_steps = questions, tokenizer, every_steps
        self.style, self.max_new_tokens, self.keep_best = style, max_new_tokens, keep_best
        self.pending: dict[str, float] = {}
        self.best, self.best_step, self.best_state, self.seconds = -1.0, 0, None, 0.0

    def score(self, model: Any) -> dict[str, float]:
        """Greedy accuracy (with its Wilson 95% interval) and format rate of ``model`` on the bank."""
        import time

        from alphamed_client.stats import wilson_interval

        was_training, side, start = model.training, self.tokenizer.padding_side, time.monotonic()
        result = score_mcq(model, self.tokenizer, self.questions, style=self.style, max_new_tokens=self.max_new_tokens)
        self.tokenizer.padding_side = side
        self.seconds += time.monotonic() - start
        if was_training:
            model.train()
        low, high = wilson_interval(round(result.accuracy * result.n), result.n)
        return {
            "eval/accuracy": result.accuracy,
            "eval/accuracy_ci_low": low,
            "eval/accuracy_ci_high": high,
            "eval/format": result.format_rate,
            "eval/n": result.n,
        }

    def on_step_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        """Score on every N-th step (and the last); ask the trainer to log this step."""
        if state.global_step % self.every_steps == 0 or (self.keep_best and state.global_step >= state.max_steps):
            self.pending = self.score(model)
            control.should_log = True
            if self.keep_best and self.pending["eval/accuracy"] > self.best:
                self.best, self.best_step = self.pending["eval/accuracy"], state.global_step
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def on_train_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        """With ``keep_best``: load the best-scoring weights back into the model before it is saved."""
        if self.keep_best and self.best_state is not None and model is not None:
            model.load_state_dict(self.best_state)
            logger.info("selected step %d (accuracy %.3f on the selection bank)", self.best_step, self.best)

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Add the pending scores to the step's log row (and to ``state.log_history``)."""
        if not self.pending or logs is None:
            return
        logs.update(self.pending)
        if state.log_history and state.log_history[-1].get("step") == state.global_step:
            state.log_history[-1].update(self.pending)
        logger.info("held-out at step %d: %s", state.global_step, self.pending)
        self.pending = {}
