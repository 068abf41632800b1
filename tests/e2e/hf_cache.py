"""A Hugging Face cache laid out on disk (what `huggingface_hub` writes), for hub-id tests offline."""

from __future__ import annotations

from pathlib import Path

TINY_HUB_ID = "alphamed-test/tiny-instruct"
TINY_HUB_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def lay_out_hf_cache(model_dir: Path, hf_home: Path, repo_id: str, commit: str, ref: str = "main") -> Path:
    """Lay ``model_dir`` out in a Hugging Face cache under ``hf_home`` exactly as the hub client writes it:
    ``hub/models--org--name/blobs/SHA256``, ``snapshots/COMMIT/FILE -> ../../blobs/SHA256``, ``refs/REF``.

    Returns:
        The snapshot folder.
    """
    import hashlib
    import os

    repo = hf_home / "hub" / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / commit
    for src in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        data = src.read_bytes()
        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(data)
        link = snapshot / src.relative_to(model_dir)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / ref).write_text(commit)
    return snapshot
