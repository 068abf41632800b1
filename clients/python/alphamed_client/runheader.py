"""The run header: ``RESULTS.run.json`` next to a results file records how its rows were produced.

It holds the model id and what the server says about itself, the base URL (never the key), the
prompt style and a hash of its template, the sampling settings, the run seed, samples per
question, option permutations, the alphamed versions and git revision, each bank's path and
SHA-256, and start/end times. A resume compares the new run's settings with the header and
refuses to append rows produced otherwise (:class:`RunMismatch` names what differs), so one
results file never silently mixes two runs; ``force`` appends anyway and records that it did.

>>> a = RunHeader(model="m", base_url="http://h/v1", prompt_style="alphamed", prompt_template_sha256="x",
...               temperature=0.0, n=1, seed=0)
>>> differences(a, a.model_copy(update={"temperature": 0.7}))
['temperature: 0.0 -> 0.7']
>>> question_seed(0, "q1") == question_seed(0, "q1") != question_seed(1, "q1")
True
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from alphamed_client.errors import AlphaMedClientError

logger = logging.getLogger(__name__)
HEADER_VERSION = 1
SETTINGS = (
    "model",
    "prompt_style",
    "prompt_template_sha256",
    "temperature",
    "max_tokens",
    "n",
    "seed",
    "permutations",
)


class RunMismatch(AlphaMedClientError):
    """A resume would append to a results file produced by another run (or the header is unreadable)."""


class BankRecord(BaseModel):
    """One question bank a run read."""

    path: str
    sha256: str
    format: str | None = None


class RunHeader(BaseModel):
    """How a results file was produced (see the module docstring)."""

    header_version: int = HEADER_VERSION
    model: str
    base_url: str
    server: dict[str, Any] = Field(default_factory=dict)
    prompt_style: str
    prompt_template_sha256: str
    temperature: float
    max_tokens: int | None = None
    n: int = 1
    seed: int = 0
    permutations: int = 1
    banks: list[BankRecord] = Field(default_factory=list)
    alphamed_version: str | None = None
    alphamed_client_version: str | None = None
    git_revision: str | None = None
    started: str = ""
    ended: str | None = None
    forced_resumes: list[dict[str, Any]] = Field(default_factory=list)


def header_path(results: str | Path) -> Path:
    """``results.jsonl`` -> ``results.run.json`` (next to it)."""
    results = Path(results)
    return results.with_name(results.name.removesuffix(".jsonl") + ".run.json")


def now() -> str:
    """UTC time, ISO 8601, seconds."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (streamed)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def question_seed(run_seed: int, question_id: str) -> int:
    """The sampling seed sent with one question: stable per (run seed, id), in [0, 2**31)."""
    digest = hashlib.sha256(f"{run_seed}:{question_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def template_sha256(style_name: str) -> str:
    """SHA-256 of a prompt style's text: its fields and the messages it builds for a fixed question."""
    from dataclasses import asdict

    from alphamed.prompts import build_messages, get_style
    from alphamed.schema import Question

    style = get_style(style_name)
    probe = Question(id="probe", question="QUESTION", options={"A": "OPTION A", "B": "OPTION B"}, context="CONTEXT")
    text = json.dumps({"style": asdict(style), "messages": build_messages(probe, style)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def versions() -> dict[str, str | None]:
    """The installed alphamed and alphamed-client versions and the source tree's git revision."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str | None] = {}
    for key, dist in (("alphamed_version", "alphamed"), ("alphamed_client_version", "alphamed-client")):
        try:
            found[key] = version(dist)
        except PackageNotFoundError:
            found[key] = None
    try:
        here = Path(__file__).resolve().parent
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        revision = done.stdout.strip() if done.returncode == 0 else ""
        if revision:
            dirty = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=here,
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout.strip()
            revision += "+dirty" if dirty else ""
        found["git_revision"] = revision or None
    except (OSError, subprocess.SubprocessError):
        found["git_revision"] = None
    return found


def differences(old: RunHeader, new: RunHeader) -> list[str]:
    """The settings that differ between two headers, as ``name: old -> new``."""
    return [
        f"{name}: {getattr(old, name)} -> {getattr(new, name)}"
        for name in SETTINGS
        if getattr(old, name) != getattr(new, name)
    ]


def read_header(path: str | Path) -> RunHeader | None:
    """The header of results file ``path`` (None when it has none).

    Raises:
        RunMismatch: when the header exists but cannot be read (truncated, not JSON, fields missing).
    """
    where = header_path(path)
    if not where.exists():
        return None
    try:
        return RunHeader.model_validate_json(where.read_bytes())
    except (ValidationError, ValueError) as exc:
        first = str(exc).splitlines()[0][:160]
        raise RunMismatch(f"{where}: not a readable run header (truncated or edited?): {first}") from None


def write_header(path: str | Path, header: RunHeader) -> None:
    """Write ``header`` next to results file ``path`` atomically."""
    where = header_path(path)
    where.parent.mkdir(parents=True, exist_ok=True)
    tmp = where.with_name(where.name + ".tmp")
    tmp.write_text(header.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, where)


def _merge_bank(old: RunHeader, bank: BankRecord, *, new_bank_ok: bool) -> list[str]:
    """Add ``bank`` to ``old``'s banks; the differences it makes (a changed or foreign bank)."""
    for known in old.banks:
        if known.path == bank.path and known.sha256 != bank.sha256:
            return [
                f"bank {bank.path} changed since the run started (sha256 {known.sha256[:12]}... -> "
                f"{bank.sha256[:12]}...)"
            ]
        if known.sha256 == bank.sha256:
            return []
    if old.banks and not new_bank_ok:
        return [f"bank: {', '.join(b.path for b in old.banks)} -> {bank.path}"]
    old.banks.append(bank)
    return []


def open_run(
    results: Path, header: RunHeader, *, resume: bool, force: bool = False, new_bank_ok: bool = False
) -> RunHeader:
    """Check (on a resume) and write the header of a run about to append to ``results``.

    Args:
        results: the results file.
        header: this run's header, with its one bank.
        resume: whether rows will be appended to an existing file (False: it starts afresh).
        force: append even when the settings differ (the differences are recorded in the header).
        new_bank_ok: a bank not yet in the header joins it (a benchmark spread over several files).

    Returns:
        The header now on disk.

    Raises:
        RunMismatch: one line naming the file and what differs; nothing is written then.
    """
    has_rows = resume and results.exists() and results.stat().st_size > 0
    old = read_header(results) if has_rows else None  # no rows to protect: this run's header replaces any
    if old is None:
        if has_rows and not force:
            raise RunMismatch(
                f"{results} has rows but no run header {header_path(results).name}: its settings "
                "cannot be checked; --force-resume appends anyway, --no-resume starts afresh"
            )
        write_header(results, header)
        return header
    diffs = differences(old, header)
    for bank in header.banks:
        diffs += _merge_bank(old, bank, new_bank_ok=new_bank_ok)
    if diffs and not force:
        raise RunMismatch(
            f"{results} was produced by another run ({'; '.join(diffs)}); --force-resume appends "
            "anyway, --no-resume starts afresh, or choose another --out"
        )
    if diffs:
        logger.warning("%s: appending despite %s (--force-resume)", results, "; ".join(diffs))
        old.forced_resumes.append({"at": now(), "differences": diffs})
        old = old.model_copy(update={name: getattr(header, name) for name in SETTINGS})
        known = {b.sha256 for b in old.banks}
        old.banks += [b for b in header.banks if b.sha256 not in known]
    old.ended = None
    old.server = header.server or old.server
    write_header(results, old)
    return old


def close_run(results: Path, header: RunHeader) -> None:
    """Record the end time of a run that went to the end of its bank."""
    header.ended = now()
    write_header(results, header)
