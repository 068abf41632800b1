"""The training run, top to bottom: recipe -> data -> model -> rewards -> GRPOTrainer -> save.

``python -m alphamed_train.run RECIPE.yaml [--section.field value ...] [--resume]`` is what
``alphamed train`` runs (directly, or under ``accelerate launch`` for several processes).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import yaml

from alphamed_train.recipe import Recipe

logger = logging.getLogger(__name__)


def prepare_model(recipe: Recipe, out: Path) -> str:
    """The model folder GRPO starts from: as given, the tiny model, or its warm start.

    Args:
        recipe: the recipe.
        out: the run folder.

    Returns:
        A folder (a hub id resolved to its snapshot in the Hugging Face cache, like ``from_pretrained``).

    Raises:
        alphamed.hub.ModelNotFoundError: the hub id is neither cached nor fetchable (one line).
    """
    m = recipe.model
    if m.name_or_path != "tiny":
        from alphamed.hub import resolve_model

        return str(resolve_model(m.name_or_path, revision=m.revision))
    from alphamed.tiny_model import build_tiny_model

    base, settings = out / "base-model", m.tiny.model_dump()
    stamp = base / "alphamed_tiny.json"
    if not stamp.exists() or json.loads(stamp.read_text()) != settings:
        build_tiny_model(base, **settings)
        stamp.write_text(json.dumps(settings))
    if recipe.warm_start is None:
        return str(base)
    from alphamed_train.warmstart import warm_start

    cache = Path(recipe.warm_start.cache_dir) if recipe.warm_start.cache_dir else out / "warm-start"
    return str(warm_start(base, cache, training_bank(recipe), recipe.warm_start, recipe.data.style))


def training_bank(recipe: Recipe) -> Any:
    """The synthetic bank of the recipe: a ``FactBank`` or a ``CopyMatchBank`` (``data.source``)."""
    if recipe.data.source == "copymatch":
        from alphamed_train.copymatch import CopyMatchBank

        return CopyMatchBank.from_settings(recipe.data.copymatch)
    from alphamed_train.factbank import FactBank

    return FactBank.from_settings(recipe.data.factbank)


def build_rewards(recipe: Recipe) -> tuple[list[Any], list[float]]:
    """Reward functions and their weights, from ``alphamed.rewards`` by name or dotted path."""
    from alphamed.rewards import get_reward

    funcs = []
    for r in recipe.rewards:
        fn = get_reward(r.name, **r.settings)
        if r.name == "format" and "style" not in r.settings:
            fn = get_reward(r.name, style=recipe.data.style)
        funcs.append(fn)
    return funcs, [r.weight for r in recipe.rewards]


def deepspeed_config(name: str | None) -> dict[str, Any] | str | None:
    """A DeepSpeed config for ``zero2`` / ``zero3`` (or a JSON path passed through)."""
    if name in (None, "", "none"):
        return None
    if name in ("zero2", "zero3"):
        return {
            "zero_optimization": {"stage": int(name[-1]), "overlap_comm": False, "contiguous_gradients": True},
            "train_micro_batch_size_per_gpu": "auto",
            "gradient_accumulation_steps": "auto",
            "gradient_clipping": "auto",
            "bf16": {"enabled": "auto"},
            "zero_allow_untested_optimizer": True,
        }
    return name


def single_process_env(recipe: Recipe) -> None:
    """Defaults DeepSpeed needs to run in one process without a launcher (CPU: its CPU accelerator)."""
    import os
    import socket

    if not recipe.distributed.deepspeed or "RANK" in os.environ:
        return
    if recipe.grpo.use_cpu:
        os.environ.setdefault("DS_ACCELERATOR", "cpu")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for key, value in {
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port),
        "RANK": "0",
        "LOCAL_RANK": "0",
        "WORLD_SIZE": "1",
    }.items():
        os.environ.setdefault(key, value)


def grpo_args(recipe: Recipe, out: Path, weights: list[float]) -> Any:
    """TRL's ``GRPOConfig`` from the recipe (TRL's own checks run here, before any model loads).

    Raises:
        RecipeError: TRL refused the combination (its message, prefixed with ``--grpo``).
    """
    from trl import GRPOConfig

    from alphamed_train.recipe import RecipeError

    gen, log, m = recipe.generation, recipe.logging, recipe.model
    vllm = {"use_vllm": True} | gen.library_kwargs() if gen.backend == "vllm" else {}
    try:
        return GRPOConfig(
            output_dir=str(out),
            reward_weights=weights,
            save_strategy="steps",
            save_steps=recipe.checkpointing.save_steps,
            save_total_limit=recipe.checkpointing.save_total_limit,
            logging_steps=log.logging_steps,
            report_to=log.report_to,
            run_name=log.run_name,
            log_completions=log.log_completions,
            deepspeed=deepspeed_config(recipe.distributed.deepspeed),
            model_init_kwargs={"dtype": m.dtype, "attn_implementation": m.attn_implementation},
            **vllm,
            **recipe.grpo.library_kwargs(),
        )
    except ValueError as exc:
        raise RecipeError(f"--grpo: TRL's GRPOConfig refused the settings: {exc}") from None


def check_attention(recipe: Recipe) -> None:
    """``flash_attention_2`` only when the ``flash-attn`` package imports.

    Raises:
        RecipeError: naming the flag and the fix.
    """
    if recipe.model.attn_implementation != "flash_attention_2":
        return
    try:
        import flash_attn  # noqa: F401
    except Exception as exc:  # ImportError, or a CUDA/ABI error raised while importing
        from alphamed_train.recipe import RecipeError

        raise RecipeError(
            "--model.attn_implementation flash_attention_2 needs the flash-attn package "
            f"({type(exc).__name__}: {exc}); install it with `pip install flash-attn --no-build-isolation` "
            "on a CUDA machine, or use --model.attn_implementation sdpa"
        ) from None


def peft_config(recipe: Recipe) -> Any:
    """PEFT's ``LoraConfig`` from the ``peft`` section (a causal-LM adapter), or None."""
    if recipe.peft is None:
        return None
    from peft import LoraConfig

    return LoraConfig(task_type="CAUSAL_LM", **recipe.peft.library_kwargs())


def save_final(trainer: Any, out: Path, recipe_yaml: str) -> Path:
    """Save the final model as a complete Hugging Face folder ``OUTPUT_DIR/final``.

    With LoRA the adapter goes to ``OUTPUT_DIR/final-adapter`` and ``final`` holds the merged model,
    which ``alphamed serve`` loads like any other checkpoint.
    """
    from alphamed_train.checkpoints import mark_complete

    final = out / "final"
    model = trainer.accelerator.unwrap_model(trainer.model)
    if hasattr(model, "merge_and_unload"):
        trainer.save_model(str(out / "final-adapter"))
        if trainer.accelerator.is_main_process:
            trainer.processing_class.save_pretrained(str(out / "final-adapter"))
            merged = model.merge_and_unload()
            merged.save_pretrained(str(final))
    else:
        trainer.save_model(str(final))
    if trainer.accelerator.is_main_process:
        trainer.processing_class.save_pretrained(str(final))
        mark_complete(final, recipe_yaml, trainer.state.global_step)
    return final


def build_trainer(recipe: Recipe, model_path: str, tokenizer: Any, args: Any, recipe_yaml: str) -> Any:
    """The GRPOTrainer of the recipe, with its callbacks (checkpoint marker, held-out evaluation, progress).

    Args:
        recipe: the recipe.
        model_path: the policy folder or id (from :func:`prepare_model`).
        tokenizer: its tokenizer.
        args: :func:`grpo_args`.
        recipe_yaml: the recipe as YAML (written into each checkpoint).

    Returns:
        The trainer, ready to ``train()``.
    """
    from trl import GRPOTrainer

    from alphamed_train import checkpoints, evaluate, report
    from alphamed_train.questions import build_dataset, load_questions

    dataset = build_dataset(load_questions(recipe.data), recipe.data, recipe.grpo.seed)
    funcs, _ = build_rewards(recipe)
    trainer = GRPOTrainer(
        model=model_path,
        reward_funcs=funcs,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config(recipe),
        callbacks=[checkpoints.CompletionMarker(recipe_yaml)],
    )
    if recipe.generation.cpu_weight_sync:
        from alphamed_train import vllm_cpu_sync

        vllm_cpu_sync.install(trainer)
    ev = recipe.evaluation
    if ev.every_steps:
        held_out = evaluate.HeldOutEvaluation(
            evaluate.heldout_questions(recipe),
            tokenizer,
            ev.every_steps,
            style=recipe.data.style,
            max_new_tokens=recipe.grpo.max_completion_length,
            keep_best=ev.select_best,
        )
        trainer.callback_handler.callbacks.insert(0, held_out)
    report.progress_to_stderr(trainer)
    return trainer


def run(recipe: Recipe, *, resume: bool = False) -> dict[str, Any]:
    """Train with GRPO as the recipe says.

    Args:
        recipe: a validated recipe.
        resume: continue from the last complete checkpoint in the output folder.

    Returns:
        A summary: final folder, steps, seconds, before/after scores when measured.

    Raises:
        RecipeError: settings TRL refuses, flash-attn missing, tied embeddings with the CPU vLLM sync.
    """
    from transformers import AutoTokenizer

    from alphamed_train import checkpoints, evaluate, report
    from alphamed_train.recipe import RecipeError

    out = Path(recipe.checkpointing.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    recipe_yaml = yaml.safe_dump(recipe.model_dump(mode="json"), sort_keys=False)
    check_attention(recipe)
    single_process_env(recipe)
    args = grpo_args(recipe, out, build_rewards(recipe)[1])
    resume_from = None
    if resume:
        checkpoints.quarantine_incomplete(out)
        resume_from = checkpoints.last_complete_checkpoint(out)
        logger.info("resuming from %s", resume_from or "scratch (no complete checkpoint)")
    model_path = prepare_model(recipe, out)
    if recipe.generation.cpu_weight_sync:
        from alphamed_train import vllm_cpu_sync

        try:
            vllm_cpu_sync.check_untied(model_path)
        except ValueError as exc:
            raise RecipeError(str(exc)) from None
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    factbank = recipe.evaluation.factbank
    before = evaluate.measure(recipe, model_path, tokenizer, out / "eval_before.json") if factbank else None
    trainer = build_trainer(recipe, model_path, tokenizer, args, recipe_yaml)
    result = trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    state = trainer.accelerator.state
    logger.info(
        "rank %d of %d finished at step %d", state.process_index, state.num_processes, trainer.state.global_step
    )
    final = save_final(trainer, out, recipe_yaml)
    summary: dict[str, Any] = {
        "final": str(final),
        "steps": trainer.state.global_step,
        "train_seconds": round(result.metrics.get("train_runtime", 0.0), 1),
        "resumed_from": str(resume_from) if resume_from else None,
    }
    scored = next((c for c in trainer.callback_handler.callbacks if isinstance(c, evaluate.HeldOutEvaluation)), None)
    if scored is not None:
        summary["eval_seconds"] = round(scored.seconds, 1)
        if scored.keep_best:
            summary |= {"selected_step": scored.best_step, "selected_accuracy": round(100 * scored.best, 1)}
    if trainer.accelerator.is_main_process:
        summary |= report.write_curves(trainer.state.log_history, out)
        if before is not None:
            after = evaluate.measure(recipe, str(final), tokenizer, out / "eval_after.json", reuse=False)
            summary |= {"before": before, "after": after}
        (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def main(argv: list[str] | None = None) -> int:
    """``python -m alphamed_train.run RECIPE [--resume] [--section.field value ...]``."""
    from alphamed_train.recipe import RecipeError, load_recipe

    args = list(sys.argv[1:] if argv is None else argv)
    resume = "--resume" in args
    args = [a for a in args if a != "--resume"]
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from alphamed.hub import ModelNotFoundError

    try:
        recipe = load_recipe(args[0], args[1:])
        summary = run(recipe, resume=resume)
    except (RecipeError, IndexError, ModelNotFoundError) as exc:
        print(f"error: {exc or 'usage: RECIPE [--resume] [--section.field value ...]'}", file=sys.stderr)
        return 2
    from accelerate import PartialState

    if PartialState().is_main_process:
        print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
