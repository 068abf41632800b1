"""Warm start: a short supervised language-model phase that gives the tiny model partial skill.

An instruct base model arrives at RL already able to read a question and answer in format;
the tiny model arrives knowing nothing. This phase (plain torch, next-token loss) reads prose
statements of every fact in the bank and worked MCQs about the ``taught`` facts (recall the
drug, then the boxed letter; option orders drawn fresh every time), so the model can recall
any fact but has only partial skill at turning recall into the right letter on new questions.

With a :class:`~alphamed_train.copymatch.CopyMatchBank` the phase reads worked copy/match questions
drawn fresh from the ``warm`` names (never the RL, validation or held-out names); the same loop with
the ``rl`` questions is the SFT control of the transfer demo (:func:`train_supervised`).

The result is cached: a folder with a ``warm_start.json`` marker written last, keyed by the
settings, so tests and demos reuse it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alphamed.prompts import build_messages
from alphamed.schema import Question, letters_for
from alphamed_train.factbank import Fact, FactBank
from alphamed_train.recipe import WarmStartConfig

logger = logging.getLogger(__name__)
MARKER = "warm_start.json"


Sampler = Callable[[random.Random], tuple[list[int], list[int]]]


def cache_key(cfg: WarmStartConfig, bank: Any, style: str, base_dir: str | Path | None = None) -> str:
    """A short hash of everything that changes the warm-started weights."""
    if isinstance(bank, FactBank):
        data: dict[str, Any] = {"seed": bank.seed, "opts": bank.num_options, "n": [len(bank.rl), len(bank.heldout)]}
    else:
        data = {"copymatch": bank.seed, "opts": bank.num_options, "n": {k: len(v) for k, v in bank.pools.items()}}
    if base_dir is not None and (Path(base_dir) / "alphamed_tiny.json").exists():
        data["base"] = json.loads((Path(base_dir) / "alphamed_tiny.json").read_text())
    blob = json.dumps({"cfg": cfg.model_dump(exclude={"cache_dir"}), "style": style, **data}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _worked_mcq(fact: Fact, bank: FactBank, rng: random.Random) -> Question:
    """A fresh MCQ about ``fact`` with random distractors and a random gold letter."""
    letters = letters_for(bank.num_options)
    others = [f.drug for f in bank.facts("all") if f.drug != fact.drug]
    texts = rng.sample(others, bank.num_options - 1)
    gold = rng.randrange(bank.num_options)
    texts.insert(gold, fact.drug)
    return Question(id="w", question=fact.stem(), options=dict(zip(letters, texts)), answer=letters[gold])


def _sample(
    bank: FactBank, tokenizer: Any, style: str, rng: random.Random, mcq_fraction: float, answer_style: str = "recall"
) -> tuple[list[int], list[int]]:
    """One training sequence and its labels (prompt tokens of MCQs masked with -100)."""
    eos = tokenizer.eos_token
    if rng.random() >= mcq_fraction or not bank.taught:
        ids = tokenizer(rng.choice(bank.facts("all")).prose() + eos, add_special_tokens=False).input_ids
        return ids, list(ids)
    fact = rng.choice(bank.taught)
    q = _worked_mcq(fact, bank, rng)
    prompt = tokenizer.apply_chat_template(build_messages(q, style), tokenize=False, add_generation_prompt=True)
    p_ids = tokenizer(prompt, add_special_tokens=False).input_ids
    a_ids = tokenizer(fact.worked_answer(q.answer, q.options, answer_style) + eos, add_special_tokens=False).input_ids
    return p_ids + a_ids, [-100] * len(p_ids) + a_ids


def _copymatch_sample(
    bank: Any,
    tokenizer: Any,
    style: str,
    rng: random.Random,
    answer_style: str,
    fixed: list[Question] | None,
    prompt_loss: bool = False,
) -> tuple[list[int], list[int]]:
    """One worked copy/match question (prompt masked): fresh warm names, or one of ``fixed`` in a fresh order."""
    from alphamed_train.copymatch import rotate, worked_answer

    q = bank.sample(rng) if fixed is None else rotate(rng.choice(fixed), rng.randrange(bank.num_options))
    prompt = tokenizer.apply_chat_template(build_messages(q, style), tokenize=False, add_generation_prompt=True)
    p_ids = tokenizer(prompt, add_special_tokens=False).input_ids
    a_ids = tokenizer(worked_answer(q, answer_style) + tokenizer.eos_token, add_special_tokens=False).input_ids
    return p_ids + a_ids, (list(p_ids) if prompt_loss else [-100] * len(p_ids)) + a_ids


def sampler(bank: Any, tokenizer: Any, style: str, cfg: WarmStartConfig, split: str = "warm") -> Sampler:
    """The warm start's source of training sequences for ``bank`` (a fact bank or a copy/match bank).

    Args:
        bank: :class:`FactBank` (prose facts + worked MCQs) or a copy/match bank.
        tokenizer: the model's tokenizer.
        style: prompt style.
        cfg: warm-start settings (MCQ fraction, answer style).
        split: copy/match only: ``warm`` (fresh warm-start names) or ``rl`` (the RL questions: the SFT control).

    Returns:
        ``rng -> (input_ids, labels)``.
    """
    if isinstance(bank, FactBank):
        return lambda rng: _sample(bank, tokenizer, style, rng, cfg.mcq_fraction, cfg.answer_style)
    fixed = None if split == "warm" else bank.questions(split)
    prompt_loss = cfg.prompt_loss and split == "warm"
    return lambda rng: _copymatch_sample(bank, tokenizer, style, rng, cfg.answer_style, fixed, prompt_loss)


def _batch(samples: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, Any]:
    import torch

    width = max(len(ids) for ids, _ in samples)
    ids = [s + [pad_id] * (width - len(s)) for s, _ in samples]
    labels = [lab + [-100] * (width - len(lab)) for _, lab in samples]
    mask = [[1] * len(s) + [0] * (width - len(s)) for s, _ in samples]
    return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels), "attention_mask": torch.tensor(mask)}


def train_warm_start(model: Any, tokenizer: Any, bank: Any, cfg: WarmStartConfig, style: str) -> list[float]:
    """Train ``model`` in place; returns the loss every 50 steps.

    Args:
        model: a causal LM (trained on CPU in float32).
        tokenizer: its tokenizer.
        bank: the fact bank or a copy/match bank.
        cfg: steps, batch size, learning rate, MCQ fraction, seed.
        style: prompt style of the worked MCQs.

    Returns:
        Loss curve (one value per 50 steps).
    """
    return train_supervised(model, tokenizer, sampler(bank, tokenizer, style, cfg), cfg)[0]


def train_supervised(
    model: Any,
    tokenizer: Any,
    draw: Sampler,
    cfg: WarmStartConfig,
    *,
    max_seconds: float | None = None,
    cosine: bool = True,
) -> tuple[list[float], int]:
    """Next-token training on sequences from ``draw`` for ``cfg.steps`` steps or ``max_seconds``.

    Args:
        model: a causal LM, trained in place.
        tokenizer: its tokenizer (pad id).
        draw: :func:`sampler`.
        cfg: steps, batch size, learning rate, seed.
        max_seconds: stop after this much wall time (the SFT control: GRPO's time budget).
        cosine: cosine decay over ``cfg.steps`` (else a constant learning rate).

    Returns:
        The loss every 50 steps, and the steps taken.
    """
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, cfg.steps) / cfg.steps)) if cosine else 1.0
    )
    model.train()
    losses, running, start, step = [], 0.0, time.monotonic(), 0
    for step in range(1, cfg.steps + 1):
        if max_seconds is not None and time.monotonic() - start >= max_seconds:
            step -= 1
            break
        batch = _batch([draw(rng) for _ in range(cfg.batch_size)], tokenizer.pad_token_id)
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        running += loss.item()
        if step % 50 == 0:
            losses.append(running / 50)
            logger.info(
                "warm start step %d/%d loss %.3f (%.0f s)", step, cfg.steps, running / 50, time.monotonic() - start
            )
            running = 0.0
    return losses, step


def warm_start(
    base_dir: str | Path, out_dir: str | Path, bank: Any, cfg: WarmStartConfig, style: str = "alphamed"
) -> Path:
    """Warm-start the model in ``base_dir`` into ``out_dir``, or reuse a cached result.

    Args:
        base_dir: a Hugging Face model folder to start from.
        out_dir: where the warm-started model goes (reused when its marker matches).
        bank: the fact bank or a copy/match bank.
        cfg: warm-start settings.
        style: prompt style.

    Returns:
        ``out_dir``, a complete Hugging Face folder.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = Path(out_dir)
    key = cache_key(cfg, bank, style, base_dir)
    marker = out / MARKER
    if marker.exists() and json.loads(marker.read_text()).get("key") == key:
        logger.info("warm start: reusing %s", out)
        return out
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    model = AutoModelForCausalLM.from_pretrained(base_dir)
    start = time.monotonic()
    losses = train_warm_start(model, tokenizer, bank, cfg, style)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    info = {
        "key": key,
        "seconds": round(time.monotonic() - start, 1),
        "losses": [round(x, 4) for x in losses],
        "config": cfg.model_dump(),
    }
    (tmp / MARKER).write_text(json.dumps(info, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out
