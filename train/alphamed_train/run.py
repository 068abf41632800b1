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

    base = out / "base-model"
    if not (base / "alphamed_tiny.json").exists() or json.loads((base / "alphamed_tiny.json").read_text()) != {"seed": m.tiny.seed, "hidden_size": m.tiny.hidden_size, "num_layers": m.tiny.num_layers}:
        t = m.tiny
        build_tiny_model(base, seed=t.seed, hidden_size=t.hidden_size, num_layers=t.num_layers, num_heads=t.num_heads, num_kv_heads=t.num_kv_heads)
        (base / "alphamed_tiny.json").write_text(json.dumps({"seed": t.seed, "hidden_size": t.hidden_size, "num_layers": t.num_layers}))
    if recipe.warm_start is None:
        return str(base)
    from alphamed_train.warmstart import warm_start

    cache = Path(recipe.warm_start.cache_dir) if recipe.warm_start.cache_dir else out / "warm-start"
    return str(warm_start(base, cache, fact_bank(recipe), recipe.warm_start, recipe.data.style))


def fact_bank(recipe: Recipe) -> Any:
    """The recipe's fact bank."""
    from alphamed_train.factbank import FactBank

    fb = recipe.data.factbank
    return FactBank.generate(fb.seed, num_options=fb.num_options, num_rl=fb.num_rl, num_heldout=fb.num_heldout)


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
    for key, value in {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1"}.items():
        os.environ.setdefault(key, value)


def grpo_args(recipe: Recipe, out: Path, weights: list[float]) -> Any:
    """TRL's ``GRPOConfig`` from the recipe."""
    from trl import GRPOConfig

    g, gen, log = recipe.grpo, recipe.generation, recipe.logging
    fields = g.model_dump(exclude={"extra"} | ({"gradient_checkpointing"} if not g.gradient_checkpointing else set()))
    vllm: dict[str, Any] = {}
    if gen.backend == "vllm":
        vllm = {"use_vllm": True, "vllm_mode": gen.vllm_mode}
        if gen.vllm_mode == "server":
            vllm["vllm_server_base_url"] = gen.vllm_server_base_url
        else:
            vllm |= {"vllm_gpu_memory_utilization": gen.vllm_gpu_memory_utilization, "vllm_tensor_parallel_size": gen.vllm_tensor_parallel_size}
    dtype = recipe.model.dtype
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
        model_init_kwargs={"dtype": dtype} | ({"attn_implementation": recipe.model.attn_implementation} if recipe.model.attn_implementation else {}),
        **vllm,
        **fields,
        **g.extra,
    )


def save_final(trainer: Any, out: Path, recipe_yaml: str) -> Path:
    """Save the final model as a complete Hugging Face folder ``OUTPUT_DIR/final``."""
    from alphamed_train.checkpoints import mark_complete

    final = out / "final"
    trainer.save_model(str(final))
    if trainer.accelerator.is_main_process:
        trainer.processing_class.save_pretrained(str(final))
        mark_complete(final, recipe_yaml, trainer.state.global_step)
    return final


def run(recipe: Recipe, *, resume: bool = False) -> dict[str, Any]:
    """Train with GRPO as the recipe says.

    Args:
        recipe: a validated recipe.
        resume: continue from the last complete checkpoint in the output folder.

    Returns:
        A summary: final folder, steps, seconds, before/after scores when measured.
    """
    from transformers import AutoTokenizer
    from trl import GRPOTrainer

    from alphamed_train import checkpoints, report
    from alphamed_train.questions import build_dataset, load_questions

    out = Path(recipe.checkpointing.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    recipe_yaml = yaml.safe_dump(recipe.model_dump(mode="json"), sort_keys=False)
    resume_from = None
    if resume:
        checkpoints.quarantine_incomplete(out)
        resume_from = checkpoints.last_complete_checkpoint(out)
        logger.info("resuming from %s", resume_from or "scratch (no complete checkpoint)")
    single_process_env(recipe)
    model_path = prepare_model(recipe, out)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    dataset = build_dataset(load_questions(recipe.data), recipe.data, recipe.grpo.seed)
    funcs, weights = build_rewards(recipe)
    before = report.measure(recipe, model_path, tokenizer, out / "eval_before.json") if recipe.evaluation.factbank else None
    trainer = GRPOTrainer(model=model_path, reward_funcs=funcs, args=grpo_args(recipe, out, weights), train_dataset=dataset, processing_class=tokenizer, callbacks=[checkpoints.CompletionMarker(recipe_yaml)])
    report.progress_to_stderr(trainer)
    result = trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    state = trainer.accelerator.state
    logger.info("rank %d of %d finished at step %d", state.process_index, state.num_processes, trainer.state.global_step)
    final = save_final(trainer, out, recipe_yaml)
    summary: dict[str, Any] = {"final": str(final), "steps": trainer.state.global_step, "train_seconds": round(result.metrics.get("train_runtime", 0.0), 1), "resumed_from": str(resume_from) if resume_from else None}
    if trainer.accelerator.is_main_process:
        summary |= report.write_curves(trainer.state.log_history, out)
        if before is not None:
            summary |= {"before": before, "after": report.measure(recipe, str(final), tokenizer, out / "eval_after.json", reuse=False)}
        (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def main(argv: list[str] | None = None) -> int:
    """``python -m alphamed_train.run RECIPE [--resume] [--section.field value ...]``."""
    from alphamed_train.recipe import RecipeError, load_recipe

    args = list(sys.argv[1:] if argv is None else argv)
    resume = "--resume" in args
    args = [a for a in args if a != "--resume"]
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        recipe = load_recipe(args[0], args[1:])
    except (RecipeError, IndexError) as exc:
        print(f"error: {exc or 'usage: RECIPE [--resume] [--section.field value ...]'}", file=sys.stderr)
        return 2
    from alphamed.hub import ModelNotFoundError

    try:
        summary = run(recipe, resume=resume)
    except ModelNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from accelerate import PartialState

    if PartialState().is_main_process:
        print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
