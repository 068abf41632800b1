"""Checkpoints: complete Hugging Face folders, marked complete last, found again on resume.

transformers writes ``checkpoint-N`` folders (model, tokenizer with its chat template,
generation config, optimizer, scheduler, RNG state, trainer state with the data position).
After it has finished, :class:`CompletionMarker` adds the recipe used and the git revision,
then writes ``alphamed_checkpoint.json`` *last*. :func:`last_complete_checkpoint` only picks
folders that have the marker, so a checkpoint half-written when the run was killed is never
resumed from; :func:`quarantine_incomplete` moves such folders to ``incomplete/`` (never deletes).
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

logger = logging.getLogger(__name__)

MARKER = "alphamed_checkpoint.json"
RECIPE_FILE = "alphamed_recipe.yaml"
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def git_revision(path: str | Path | None = None) -> str | None:
    """The git commit of the source tree (with ``-dirty`` when modified), or None outside git."""
    cwd = Path(path or __file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("-dirty" if dirty else "")


def _fsync_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def mark_complete(folder: str | Path, recipe_yaml: str, step: int) -> None:
    """Write the recipe, then the completion marker (last) into ``folder``.

    Args:
        folder: a finished checkpoint or final model folder.
        recipe_yaml: the recipe used, as YAML text.
        step: the global step it holds.
    """
    folder = Path(folder)
    _fsync_write(folder / RECIPE_FILE, recipe_yaml)
    info = {
        "step": step,
        "git_revision": git_revision(),
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    _fsync_write(folder / MARKER, json.dumps(info, indent=1))


def is_complete(folder: str | Path) -> bool:
    """Whether ``folder`` holds a completion marker."""
    return (Path(folder) / MARKER).is_file()


def _checkpoints(output_dir: Path) -> list[tuple[int, Path]]:
    if not output_dir.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in output_dir.iterdir() if p.is_dir() and (m := _CHECKPOINT.match(p.name))]
    return sorted(found)


def last_complete_checkpoint(output_dir: str | Path) -> Path | None:
    """The highest-step ``checkpoint-N`` folder with a completion marker, or None.

    Args:
        output_dir: the run folder.

    Returns:
        The folder to resume from.
    """
    complete = [p for _, p in _checkpoints(Path(output_dir)) if is_complete(p)]
    return complete[-1] if complete else None


def quarantine_incomplete(output_dir: str | Path) -> list[Path]:
    """Move ``checkpoint-N`` folders without a marker to ``OUTPUT_DIR/incomplete/checkpoint-N.<time>``.

    Returns:
        The new paths (nothing is deleted).
    """
    moved = []
    for _, path in _checkpoints(Path(output_dir)):
        if not is_complete(path):
            target = Path(output_dir) / "incomplete" / f"{path.name}.{int(time.time())}"
            target.parent.mkdir(exist_ok=True)
            path.rename(target)
            logger.warning("ignoring half-written checkpoint %s (moved to %s)", path, target.name)
            moved.append(target)
    return moved


class CompletionMarker(TrainerCallback):
    """After each save, add the recipe and git revision and mark the checkpoint complete.

    Args:
        recipe_yaml: the recipe used, as YAML text.
    """

    def __init__(self, recipe_yaml: str):
        self.recipe_yaml = recipe_yaml

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """Called by the Trainer once ``checkpoint-N`` is fully written."""
        if not state.is_world_process_zero:
            return
        folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if folder.is_dir():
            mark_complete(folder, self.recipe_yaml, state.global_step)
