"""Warm start: a short supervised language-model phase that gives the tiny model partial skill.

An instruct base model arrives at RL already able to read a question and answer in format;
the tiny model arrives knowing nothing. This phase (plain torch, next-token loss) reads prose
statements of every fact in the bank and worked MCQs about the ``taught`` facts (recall the
drug, then the boxed letter; option orders drawn fresh every time), so the model can recall
any fact but has only partial skill at turning recall into the right letter on new questions.

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
from pathlib import Path
from typing import Any

from alphamed.prompts import build_messages
from alphamed.schema import Question, letters_for
from alphamed_train.factbank import Fact, FactBank
from alphamed_train.recipe import WarmStartConfig

logger = logging.getLogger(__name__)
MARKER = "warm_start.json"


def cache_key(cfg: WarmStartConfig, bank: FactBank, style: str) -> str:
    """A short hash of everything that changes the warm-started weights."""
    blob = json.dumps(
        {
            "cfg": cfg.model_dump(exclude={"cache_dir"}),
            "seed": bank.seed,
            "opts": bank.num_options,
            "n": [len(bank.rl), len(bank.heldout)],
            "style": style,
        },
        sort_keys=True,
    )
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


def _batch(samples: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, Any]:
    import torch

    width = max(len(ids) for ids, _ in samples)
    ids = [s + [pad_id] * (width - len(s)) for s, _ in samples]
    labels = [lab + [-100] * (width - len(lab)) for _, lab in samples]
    mask = [[1] * len(s) + [0] * (width - len(s)) for s, _ in samples]
    return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels), "attention_mask": torch.tensor(mask)}


def train_warm_start(model: Any, tokenizer: Any, bank: FactBank, cfg: WarmStartConfig, style: str) -> list[float]:
    """Train ``model`` in place; returns the loss every 50 steps.

    Args:
        model: a causal LM (trained on CPU in float32).
        tokenizer: its tokenizer.
        bank: the fact bank.
        cfg: steps, batch size, learning rate, MCQ fraction, seed.
        style: prompt style of the worked MCQs.

    Returns:
        Loss curve (one value per 50 steps).
    """
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, cfg.steps) / cfg.steps))
    )
    model.train()
    losses, running, start = [], 0.0, time.monotonic()
    for step in range(1, cfg.steps + 1):
        batch = _batch(
            [_sample(bank, tokenizer, style, rng, cfg.mcq_fraction, cfg.answer_style) for _ in range(cfg.batch_size)],
            tokenizer.pad_token_id,
        )
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
    return losses


def warm_start(
    base_dir: str | Path, out_dir: str | Path, bank: FactBank, cfg: WarmStartConfig, style: str = "alphamed"
) -> Path:
    """Warm-start the model in ``base_dir`` into ``out_dir``, or reuse a cached result.

    Args:
        base_dir: a Hugging Face model folder to start from.
        out_dir: where the warm-started model goes (reused when its marker matches).
        bank: the fact bank.
        cfg: warm-start settings.
        style: prompt style.

    Returns:
        ``out_dir``, a complete Hugging Face folder.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = Path(out_dir)
    key = cache_key(cfg, bank, style)
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
