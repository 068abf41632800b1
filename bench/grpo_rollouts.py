"""Seconds per GRPO step with vLLM rollouts (colocate, CPU weight sync) vs transformers rollouts, tiny model.

    .venv-vllm-train/bin/python bench/grpo_rollouts.py --backend vllm          (make test-vllm-train builds it)
    .venv/bin/python bench/grpo_rollouts.py --backend transformers

Both train the tiny model with untied embeddings (what vLLM's CPU backend needs) through
``alphamed_train.run.run`` (what ``alphamed train`` calls) and print one JSON line: per-step times,
train_runtime, wall time including vLLM's start, and vLLM's logprob gap to the trainer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "train"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["vllm", "transformers"], required=True)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--out", default=None, help="run folder (default: a temporary one)")
    args = parser.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    from alphamed_train.recipe import load_recipe_dict
    from alphamed_train.run import run
    from train_support import tiny_recipe

    from alphamed.tiny_model import build_tiny_model

    out = Path(args.out or tempfile.mkdtemp(prefix="grpo-rollouts-"))
    model = build_tiny_model(out / "tiny-untied", seed=0, tie_word_embeddings=False)
    gen = {"backend": args.backend}
    if args.backend == "vllm":
        gen |= {"cpu_weight_sync": True, "vllm_max_model_length": 256}
    recipe = tiny_recipe(
        model,
        out / "run",
        generation=gen,
        grpo={"max_steps": args.steps, "learning_rate": 3e-3},
        checkpointing={"save_steps": 10_000},
    )
    start = time.perf_counter()
    summary = run(load_recipe_dict(recipe))
    wall = time.perf_counter() - start
    rows = [json.loads(line) for line in (out / "run" / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in rows if "step_time" in r]
    gap = [r.get("sampling/sampling_logp_difference/mean") for r in steps]
    later = [r["step_time"] for r in steps[1:]]
    print(
        json.dumps(
            {
                "backend": args.backend,
                "step_times": [round(r["step_time"], 2) for r in steps],
                "mean_after_first": round(sum(later) / max(len(later), 1), 2),
                "train_seconds": summary["train_seconds"],
                "wall": round(wall, 1),
                "logp_gap": gap,
            }
        )
    )


if __name__ == "__main__":
    main()
