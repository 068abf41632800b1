"""Training questions as a TRL prompt dataset.

Columns: ``prompt`` (chat messages in the recipe's prompt style), ``answer`` (gold letter) and
``options`` (option texts in letter order); TRL passes the extra columns to the reward
functions as keyword arguments, which is what ``alphamed.rewards.accuracy_reward`` expects.
"""

from __future__ import annotations

import random
from typing import Any

from alphamed.prompts import build_messages
from alphamed.schema import Question
from alphamed_train.recipe import DataConfig


def load_questions(cfg: DataConfig) -> list[Question]:
    """The questions GRPO trains on.

    Args:
        cfg: the recipe's data section (``factbank``, ``copymatch`` or a question-bank JSONL path).

    Returns:
        Labeled questions.
    """
    if cfg.source == "factbank":
        from alphamed_train.factbank import FactBank

        questions = FactBank.from_settings(cfg.factbank).questions("rl")
    elif cfg.source == "copymatch":
        from alphamed_train.copymatch import CopyMatchBank

        questions = CopyMatchBank.from_settings(cfg.copymatch).questions("rl")
    else:
        questions = _read_bank(cfg.source)
    questions = [q for q in questions if q.answer]
    if not questions:
        raise ValueError(f"--data.source {cfg.source}: no labeled questions")
    return questions[: cfg.max_questions] if cfg.max_questions else questions


def _read_bank(path: str) -> list[Question]:
    """Questions from our JSONL bank format (one Question per line)."""
    import json
    from pathlib import Path

    out = []
    with open(Path(path)) as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(Question.model_validate(json.loads(line)))
                except ValueError as exc:
                    raise ValueError(f"--data.source {path}: line {n} is not a question ({exc})") from None
    return out


def question_row(question: Question, style: str) -> dict[str, Any]:
    """One dataset row for ``question``."""
    return {
        "prompt": build_messages(question, style),
        "answer": question.answer,
        "options": list(question.options.values()),
    }


def reorder_options(question: Question, rng: random.Random) -> Question:
    """The same question with its options in a random order (gold letter follows its text)."""
    letters = list(question.options)
    texts = list(question.options.values())
    gold_text = question.options[question.answer]
    rng.shuffle(texts)
    return question.model_copy(
        update={"options": dict(zip(letters, texts)), "answer": letters[texts.index(gold_text)]}
    )


def build_dataset(questions: list[Question], cfg: DataConfig, seed: int) -> Any:
    """A ``datasets.Dataset`` of prompts; with ``shuffle_options`` every read draws a new option order.

    Args:
        questions: labeled questions.
        cfg: data settings (style, shuffle_options).
        seed: seed of the option shuffling.

    Returns:
        The dataset.
    """
    from datasets import Dataset

    ds = Dataset.from_list([question_row(q, cfg.style) for q in questions])
    if not cfg.shuffle_options:
        return ds
    by_prompt = {q.id: q for q in questions}
    ds = ds.add_column("question_id", [q.id for q in questions])
    rng = random.Random(seed)

    def shuffled(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        rows = [question_row(reorder_options(by_prompt[qid], rng), cfg.style) for qid in batch["question_id"]]
        return {key: [r[key] for r in rows] for key in ("prompt", "answer", "options")}

    return ds.with_transform(shuffled)
