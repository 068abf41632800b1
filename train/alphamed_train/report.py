"""What a run reports: progress lines on stderr, metrics JSONL and a reward curve."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from transformers.trainer_callback import ProgressCallback, TrainerCallback

logger = logging.getLogger(__name__)

CURVE_KEYS = ("reward", "reward_std", "frac_reward_zero_std", "loss", "kl", "completions/mean_length")


class StderrProgress(ProgressCallback):
    """transformers' progress bar, with the per-step metric lines on stderr (not stdout)."""

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Write one compact line of the step's metrics."""
        if not state.is_world_process_zero or not logs:
            return
        text = " ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in logs.items() if k != "total_flos"
        )
        line = f"[step {state.global_step}] {text}"
        if self.training_bar is not None:
            self.training_bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr)


def peak_memory_gib() -> float:
    """This process's peak memory so far, in GiB: torch's ``max_memory_allocated`` on the current CUDA device
    when CUDA is in use, else the peak resident set size (RSS)."""
    import resource

    import torch

    if torch.cuda.is_available() and torch.cuda.is_initialized():
        return round(torch.cuda.max_memory_allocated() / 2**30, 3)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(rss * (1 if sys.platform == "darwin" else 1024) / 2**30, 3)


class StepStats(TrainerCallback):
    """Adds to every logged step the wall seconds per optimizer step since the previous logged one
    (``step_seconds``: rollouts, backward, optimizer and weight sync, which TRL's ``step_time`` leaves out in
    part) and the process's peak memory so far (``memory/peak_gib``, :func:`peak_memory_gib`)."""

    def __init__(self) -> None:
        self._since: tuple[float, int] | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._since = (time.perf_counter(), state.global_step)

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Add the two values to the step's log line and to its row of the log history."""
        if not logs or "train_runtime" in logs or self._since is None:
            return
        now, (then, step) = time.perf_counter(), self._since
        added = {"memory/peak_gib": peak_memory_gib()}
        if state.global_step > step:
            added["step_seconds"] = round((now - then) / (state.global_step - step), 4)
            self._since = (now, state.global_step)
        logs.update(added)
        if state.log_history and state.log_history[-1].get("step") == state.global_step:
            state.log_history[-1].update(added)  # the trainer appended a copy of ``logs`` before calling us


def progress_to_stderr(trainer: Any) -> None:
    """Swap the trainer's progress callback for :class:`StderrProgress` (after :class:`StepStats`, whose values
    the line then shows)."""
    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(StepStats())
    trainer.add_callback(StderrProgress())


def write_curves(log_history: list[dict[str, Any]], out: Path) -> dict[str, Any]:
    """Write ``metrics.jsonl`` and ``reward_curve.png`` from the trainer's log history.

    Returns:
        ``{"metrics": path, "curve": path or None, "reward_first": ..., "reward_last": ...}``.
    """
    steps = [row for row in log_history if "reward" in row]
    metrics = out / "metrics.jsonl"
    with open(metrics, "w") as fh:
        for row in log_history:
            fh.write(json.dumps(row) + "\n")
    summary: dict[str, Any] = {"metrics": str(metrics), "curve": None}
    if not steps:
        return summary
    k = max(1, len(steps) // 5)
    summary["reward_first"] = round(sum(r["reward"] for r in steps[:k]) / k, 4)
    summary["reward_last"] = round(sum(r["reward"] for r in steps[-k:]) / k, 4)
    try:
        summary["curve"] = str(plot_reward_curve(steps, out / "reward_curve.png"))
    except ImportError:
        logger.warning("matplotlib is not installed; no reward_curve.png")
    return summary


def plot_reward_curve(rows: list[dict[str, Any]], path: Path, window: int = 10) -> Path:
    """Plot the total and per-reward means per step (raw and a moving average).

    Args:
        rows: logged steps with a ``reward`` key.
        path: PNG to write.
        window: moving-average width.

    Returns:
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    keys = ["reward"] + sorted({k for r in rows for k in r if k.startswith("rewards/") and k.endswith("/mean")})
    for key in keys:
        xs = [r["step"] for r in rows if key in r]
        ys = [r[key] for r in rows if key in r]
        line = ax.plot(xs, ys, alpha=0.25)[0]
        avg = [
            sum(ys[max(0, i - window + 1) : i + 1]) / len(ys[max(0, i - window + 1) : i + 1]) for i in range(len(ys))
        ]
        ax.plot(xs, avg, color=line.get_color(), label=key.removeprefix("rewards/").removesuffix("/mean"))
    ax.set_xlabel("GRPO step")
    ax.set_ylabel("mean reward")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_transfer_curves(runs: dict[str, Path], path: Path, window: int = 10) -> Path:
    """The reward (moving average) and the validation accuracy of several runs (seeds) in one figure.

    Args:
        runs: label -> a run folder with ``metrics.jsonl`` (:func:`write_curves`).
        path: PNG to write.
        window: moving-average width of the reward.

    Returns:
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    for label, folder in runs.items():
        rows = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines() if line.strip()]
        rewards = [(r["step"], r["reward"]) for r in rows if "reward" in r]
        ys = [y for _, y in rewards]
        avg = [
            sum(ys[max(0, i - window + 1) : i + 1]) / len(ys[max(0, i - window + 1) : i + 1]) for i in range(len(ys))
        ]
        left.plot([x for x, _ in rewards], avg, label=label)
        evals = [(r["step"], 100 * r["eval/accuracy"]) for r in rows if "eval/accuracy" in r]
        right.plot([x for x, _ in evals], [y for _, y in evals], marker="o", label=label)
    left.set(xlabel="GRPO step", ylabel=f"sampled reward (moving average of {window})", title="reward")
    right.set(xlabel="GRPO step", ylabel="greedy accuracy %", title="validation questions")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
