"""Seconds per GRPO step: `alphamed train` vs a bare GRPOTrainer script with the same settings.

Both run on the project's tiny model (built offline), the fact-bank RL questions, the accuracy
and format rewards, the same GRPOConfig values and seeds, one after the other in alternating order,
each in its own process with one CPU thread. Prints a Markdown table for the README.

    .venv/bin/python bench/train.py [--steps 30] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SETTINGS = {
    "learning_rate": 1e-4,
    "num_generations": 8,
    "per_device_train_batch_size": 16,
    "max_completion_length": 40,
    "temperature": 1.0,
    "top_p": 1.0,
    "beta": 0.0,
    "epsilon": 0.2,
    "loss_type": "dapo",
    "scale_rewards": "group",
    "seed": 0,
    "use_cpu": True,
    "bf16": False,
    "lr_scheduler_type": "constant",
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,
    "num_iterations": 1,
}

BARE = r"""
import json, sys, time
from datasets import Dataset
from transformers import AutoTokenizer
from trl import GRPOConfig, GRPOTrainer
from alphamed.prompts import build_messages
from alphamed.rewards import accuracy_reward, make_format_reward
from alphamed_train.factbank import FactBank

model, out, steps, settings = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
qs = FactBank.generate(0).questions("rl")
ds = Dataset.from_list([{"prompt": build_messages(q, "alphamed"), "answer": q.answer, "options": list(q.options.values())} for q in qs])
args = GRPOConfig(output_dir=out, max_steps=steps, logging_steps=1, report_to="none", save_strategy="no",
                  reward_weights=[1.0, 0.2], model_init_kwargs={"dtype": "float32"}, **settings)
trainer = GRPOTrainer(model=model, reward_funcs=[accuracy_reward, make_format_reward("alphamed")], args=args,
                      train_dataset=ds, processing_class=AutoTokenizer.from_pretrained(model))
result = trainer.train()
print(json.dumps({"steps": trainer.state.global_step, "train_seconds": result.metrics["train_runtime"]}))
"""


def _env() -> dict[str, str]:
    return dict(os.environ, OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")


def run_bare(model: Path, work: Path, steps: int) -> float:
    """Seconds per step of the bare script."""
    out = subprocess.run(
        [sys.executable, "-c", BARE, str(model), str(work / "bare"), str(steps), json.dumps(SETTINGS)],
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["train_seconds"] / result["steps"]


def run_alphamed(model: Path, work: Path, steps: int) -> float:
    """Seconds per step of `alphamed train` (TensorBoard off, like the bare script; no mid-run saves, like the bare script)."""
    import yaml

    recipe = {
        "model": {"name_or_path": str(model), "dtype": "float32"},
        "data": {"source": "factbank"},
        "rewards": [{"name": "accuracy", "weight": 1.0}, {"name": "format", "weight": 0.2}],
        "grpo": dict(SETTINGS, max_steps=steps),
        "checkpointing": {"output_dir": str(work / "alphamed"), "save_steps": 100000, "save_total_limit": 2},
        "logging": {"report_to": ["none"]},
        "evaluation": {"factbank": False},
    }
    path = work / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe))
    out = subprocess.run(
        [sys.executable, "-m", "alphamed", "train", str(path)], env=_env(), capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(out[out.index("{") :])
    return result["train_seconds"] / result["steps"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    from alphamed.tiny_model import build_tiny_model

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model = build_tiny_model(work / "tiny", seed=0)
        bare, ours = [], []
        for i in range(args.repeats):
            rep = work / f"rep{i}"
            rep.mkdir()
            if i % 2:  # alternate the order: the machine's load drifts
                ours.append(run_alphamed(model, rep, args.steps))
                bare.append(run_bare(model, rep, args.steps))
            else:
                bare.append(run_bare(model, rep, args.steps))
                ours.append(run_alphamed(model, rep, args.steps))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"| runner | s/step (median of {args.repeats}, {args.steps} steps each) | runs |")
    print("| --- | --- | --- |")
    print(f"| bare GRPOTrainer script | {b:.3f} | {', '.join(f'{x:.3f}' for x in bare)} |")
    print(f"| `alphamed train` | {o:.3f} | {', '.join(f'{x:.3f}' for x in ours)} |")
    print(f"| overhead | {100 * (o / b - 1):+.1f}% | |")


if __name__ == "__main__":
    main()
