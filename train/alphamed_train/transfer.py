"""Does RL teach a skill? The copy/match transfer measurement behind ``alphamed train RECIPE --transfer OUT``.

One warm start (cached), then for each seed of ``transfer.seeds`` an ordinary ``alphamed train`` run
(TRL's GRPOTrainer, the recipe's rewards) whose ``final`` weights are the step that scored best on the
validation questions, and an SFT control: the same warm start trained with next-token loss on the same RL
questions (worked answers, fresh option orders) for the same wall time. Each model is scored greedily,
in-process, with the rewards' own extractor, on three measures of the copy/match bank:

- ``as_trained``: the RL questions in their canonical option order;
- ``reordered``: the same questions in the other option orders;
- ``heldout``: questions whose names were never trained on, in every order.

A measure's accuracy is the mean over its questions of each question's correctness averaged over its
orders (and, for the pooled ``after`` of all seeds, over the seeds); its 95% interval is Wilson's on that
total with ``n`` = the number of questions (orders of one question are not independent trials, so
counting them as such would narrow the interval falsely). ``consistent`` is the share of questions whose
chosen option (its text) was the same in every order.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from pathlib import Path
from typing import Any

from alphamed.extract import extract_answer
from alphamed.schema import Question
from alphamed_train.recipe import Recipe

logger = logging.getLogger(__name__)
MEASURES = ("as_trained", "reordered", "heldout")


def measure_sets(bank: Any, orders: int) -> dict[str, list[list[Question]]]:
    """The questions of each measure, one list per option order (question i at index i of every list).

    >>> from alphamed_train.copymatch import CopyMatchBank
    >>> sets = measure_sets(CopyMatchBank.generate(0, num_rl=8, num_validation=4, num_heldout=6), 3)
    >>> {k: [len(qs) for qs in v] for k, v in sets.items()}
    {'as_trained': [8], 'reordered': [8, 8], 'heldout': [6, 6, 6]}
    """
    return {
        "as_trained": [bank.questions("rl")],
        "reordered": [bank.questions("rl", order=k) for k in range(1, max(orders, 2))],
        "heldout": [bank.questions("heldout", order=k) for k in range(orders)],
    }


def summarise(correct: list[list[float]], picks: list[list[str | None]]) -> dict[str, Any]:
    """Accuracy (percent), Wilson 95% CI over questions, n, orders and consistency of one measure.

    Args:
        correct: per order, per question: 1.0 / 0.0 (or a mean over seeds).
        picks: per order, per question: the chosen option's text (None: no answer found).

    Returns:
        ``{"accuracy", "ci", "n", "orders", "consistent"}`` (percentages, one decimal; ``consistent`` is None
        with a single order).

    >>> summarise([[1.0, 0.0], [1.0, 1.0]], [["x", "y"], ["x", "z"]])
    {'accuracy': 75.0, 'ci': [19.8, 97.3], 'n': 2, 'orders': 2, 'consistent': 50.0}
    """
    from alphamed_client.stats import wilson_interval

    n, k = len(correct[0]), len(correct)
    per_question = [sum(order[i] for order in correct) / k for i in range(n)]
    total = sum(per_question)
    low, high = wilson_interval(total, n)
    same = sum(len({order[i] for order in picks}) == 1 and picks[0][i] is not None for i in range(n))
    return {
        "accuracy": round(100 * total / n, 1),
        "ci": [round(100 * low, 1), round(100 * high, 1)],
        "n": n,
        "orders": k,
        "consistent": round(100 * same / n, 1) if len(picks) > 1 else None,
    }


def answer_questions(
    model: Any, tokenizer: Any, sets: dict[str, list[list[Question]]], *, style: str, max_new_tokens: int
) -> dict[str, tuple[list[list[float]], list[list[str | None]]]]:
    """Greedy answers to every question of every measure: per measure, (correct, picked text) by order."""
    from alphamed_train.evaluate import greedy_completions

    flat = [q for lists in sets.values() for qs in lists for q in qs]
    texts = iter(greedy_completions(model, tokenizer, flat, style=style, max_new_tokens=max_new_tokens, batch_size=64))
    out = {}
    for name, lists in sets.items():
        correct, picks = [], []
        for qs in lists:
            found = [extract_answer(next(texts), q.options) for q in qs]
            correct.append([float(f is not None and f.letter == q.answer) for f, q in zip(found, qs)])
            picks.append([q.options.get(f.letter) if f is not None else None for f, q in zip(found, qs)])
        out[name] = (correct, picks)
    return out


def answer_model(path: str | Path, sets: dict[str, list[list[Question]]], recipe: Recipe) -> dict[str, Any]:
    """Load the model folder ``path`` and answer every measure (see :func:`answer_questions`)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    return answer_questions(
        model, tokenizer, sets, style=recipe.data.style, max_new_tokens=recipe.grpo.max_completion_length
    )


def scores(answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """:func:`summarise` for each measure."""
    return {name: summarise(*answers[name]) for name in MEASURES}


def pooled(per_seed: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """All seeds together: each question's correctness averaged over seeds and orders."""
    out = {}
    for name in MEASURES:
        orders = len(per_seed[0][name][0])
        correct = [
            [statistics.fmean(seed[name][0][o][i] for seed in per_seed) for i in range(len(per_seed[0][name][0][o]))]
            for o in range(orders)
        ]
        picks = [p for seed in per_seed for p in seed[name][1]]  # consistent: the same pick in every seed and order
        out[name] = summarise(correct, picks) | {"seeds": len(per_seed)}
    return out


def seed_recipe(recipe: Recipe, seed: int, out: Path, warm_cache: Path) -> Recipe:
    """The recipe of one GRPO seed: its own output folder, the shared warm start, validation selection."""
    data = recipe.model_dump(mode="json")
    data["grpo"]["seed"] = seed
    data["checkpointing"]["output_dir"] = str(out / f"seed-{seed}")
    if data.get("warm_start"):
        data["warm_start"]["cache_dir"] = str(warm_cache)
    from alphamed_train.recipe import load_recipe_dict

    return load_recipe_dict(data)


def sft_control(recipe: Recipe, warm: str, out: Path, seconds: float | None) -> tuple[Path, dict[str, Any]]:
    """The SFT control: the warm start trained on the RL questions' worked answers for ``seconds``
    (or ``transfer.sft_steps`` steps when ``seconds`` is None).

    Returns:
        The saved model folder and ``{"seconds", "steps", "learning_rate"}``.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from alphamed_train.copymatch import CopyMatchBank
    from alphamed_train.warmstart import sampler, train_supervised

    t = recipe.transfer
    cfg = recipe.warm_start.model_copy(
        update={
            "steps": t.sft_steps or 10**7,
            "learning_rate": t.sft_learning_rate,
            "batch_size": t.sft_batch_size,
            "prompt_loss": False,
        }
    )
    tokenizer = AutoTokenizer.from_pretrained(warm)
    model = AutoModelForCausalLM.from_pretrained(warm)
    bank = CopyMatchBank.from_settings(recipe.data.copymatch)
    start = time.monotonic()
    _, steps = train_supervised(
        model,
        tokenizer,
        sampler(bank, tokenizer, recipe.data.style, cfg, "rl"),
        cfg,
        max_seconds=seconds,
        cosine=False,
    )
    took = time.monotonic() - start
    folder = out / "sft-control"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder, {"seconds": round(took, 1), "steps": steps, "learning_rate": t.sft_learning_rate}


def run_transfer(recipe: Recipe, out_json: str | Path) -> dict[str, Any]:
    """Warm start, GRPO for each seed, the SFT control; score all; write ``out_json``.

    Args:
        recipe: a copy/match recipe with a warm start and ``evaluation.select_best``.
        out_json: where the result goes (``transfer.json``).

    Returns:
        The result (see docs/training.md for the fields).
    """
    from alphamed_train.copymatch import CopyMatchBank
    from alphamed_train.recipe import RecipeError
    from alphamed_train.run import prepare_model, run

    if recipe.data.source != "copymatch" or recipe.warm_start is None:
        raise RecipeError("--transfer needs --data.source copymatch and a warm_start section")
    out = Path(recipe.checkpointing.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    warm_cache = Path(recipe.warm_start.cache_dir or out / "warm-start")
    recipe = seed_recipe(recipe, recipe.grpo.seed, out, warm_cache)
    warm = prepare_model(recipe, out)
    bank = CopyMatchBank.from_settings(recipe.data.copymatch)
    sets = measure_sets(bank, recipe.data.copymatch.orders)
    before = answer_model(warm, sets, recipe)
    seeds, answers = [], []
    for seed in recipe.transfer.seeds:
        summary = run(seed_recipe(recipe, seed, out, warm_cache))
        answers.append(answer_model(summary["final"], sets, recipe))
        seeds.append(
            {"seed": seed, **scores(answers[-1])}
            | {k: summary.get(k) for k in ("steps", "train_seconds", "eval_seconds", "selected_step")}
        )
        logger.info("seed %d: %s", seed, seeds[-1])
    grpo_seconds = statistics.fmean(s["train_seconds"] - (s["eval_seconds"] or 0.0) for s in seeds)
    t = recipe.transfer
    sft_folder, sft_info = sft_control(recipe, warm, out, None if t.sft_steps else t.sft_seconds or grpo_seconds)
    base = scores(before)
    after = pooled(answers)
    sft = scores(answer_model(sft_folder, sets, recipe))
    result: dict[str, Any] = {name: {"before": base[name], "after": after[name]} for name in MEASURES}
    result["sft_control"] = {name: {"before": base[name], "after": sft[name]} for name in MEASURES} | sft_info
    result["seeds"] = seeds
    result["grpo_seconds_mean"] = round(grpo_seconds, 1)
    result["sentence"] = sentence(result)
    try:
        from alphamed_train.report import plot_transfer_curves

        runs = {f"seed {s['seed']}": out / f"seed-{s['seed']}" for s in seeds}
        result["curves"] = str(plot_transfer_curves(runs, out / "transfer_curves.png"))
    except ImportError:
        logger.warning("matplotlib is not installed; no transfer_curves.png")
    Path(out_json).parent.mkdir(parents=True, exist_ok=True)
    Path(out_json).write_text(json.dumps(result, indent=1))
    return result


def _fmt(score: dict[str, Any]) -> str:
    return f"{score['accuracy']:.1f}% [{score['ci'][0]:.1f}, {score['ci'][1]:.1f}]"


def apart(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether ``after`` is above ``before`` with non-overlapping 95% intervals."""
    return after["ci"][0] > before["ci"][1]


def sentence(result: dict[str, Any]) -> str:
    """The result in one sentence a reader can check against ``transfer.json``."""
    h = result["heldout"]
    n, orders = h["before"]["n"], h["before"]["orders"]
    per_seed = ", ".join(f"seed {s['seed']} {_fmt(s['heldout'])}" for s in result["seeds"])
    wins = sum(apart(h["before"], s["heldout"]) for s in result["seeds"])
    sft = result["sft_control"]
    return (
        f"Held-out copy/match ({n} questions with unseen names, {orders} option orders, greedy, 95% Wilson CI): "
        f"warm start {_fmt(h['before'])} -> after GRPO {per_seed}; above the warm start with CIs apart in "
        f"{wins} of {len(result['seeds'])} seeds; reordered RL questions {_fmt(result['reordered']['after'])} vs "
        f"as trained {_fmt(result['as_trained']['after'])} (seeds pooled); SFT control ({sft['steps']} steps, "
        f"{sft['seconds']:.0f} s vs GRPO's {result['grpo_seconds_mean']:.0f} s): {_fmt(sft['heldout']['after'])}."
    )
