"""Checkpoint discovery never picks a half-written checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

from alphamed_train.checkpoints import MARKER, last_complete_checkpoint, mark_complete, quarantine_incomplete


def _checkpoint(root: Path, step: int, complete: bool) -> Path:
    folder = root / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"partial")
    if complete:
        mark_complete(folder, "model: {name_or_path: m}\n", step)
    return folder


def test_last_complete_skips_unmarked_newer_checkpoints(tmp_path: Path) -> None:
    _checkpoint(tmp_path, 5, True)
    ten = _checkpoint(tmp_path, 10, True)
    _checkpoint(tmp_path, 15, False)
    assert last_complete_checkpoint(tmp_path) == ten
    assert json.loads((ten / MARKER).read_text())["step"] == 10
    assert (ten / "alphamed_recipe.yaml").read_text().startswith("model:")


def test_no_checkpoint_means_start_from_scratch(tmp_path: Path) -> None:
    assert last_complete_checkpoint(tmp_path / "nothing") is None
    _checkpoint(tmp_path, 3, False)
    assert last_complete_checkpoint(tmp_path) is None


def test_quarantine_moves_half_written_checkpoints_without_deleting(tmp_path: Path) -> None:
    _checkpoint(tmp_path, 10, True)
    _checkpoint(tmp_path, 15, False)
    moved = quarantine_incomplete(tmp_path)
    assert [p.parent.name for p in moved] == ["incomplete"]
    assert (moved[0] / "model.safetensors").read_bytes() == b"partial"
    assert sorted(p.name for p in tmp_path.glob("checkpoint-*")) == ["checkpoint-10"]
