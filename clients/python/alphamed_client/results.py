"""The results file: append-only JSONL, one :class:`ResultRow` per line, safe to kill.

Each row is written with one ``write`` and flushed as soon as its question completes, so a
killed run loses at most the questions in flight. A line torn by SIGKILL (no newline, or not
JSON) is detected: it is cut off before the next run appends and ignored when reading.
A question may have an error row and, after a resume, a success row; readers keep one row
per id (the last success, else the last error) and :func:`compact` rewrites the file that way.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from alphamed_client.models import ResultRow

logger = logging.getLogger(__name__)


def repair_tail(path: Path) -> int:
    """Cut a torn last line (no trailing newline) off ``path``; returns bytes removed."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return 0
        block = 1 << 16
        pos = size
        while pos > 0:
            start = max(0, pos - block)
            handle.seek(start)
            chunk = handle.read(pos - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                break
            pos = start
        else:
            keep = 0
        handle.truncate(keep)
    logger.warning("%s: removed a torn last line (%d bytes) left by an interrupted run", path, size - keep)
    return size - keep


def _iter_lines(path: Path) -> Iterator[tuple[int, ResultRow]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.endswith("\n"):
                logger.warning("%s:%d: ignoring a torn last line", path, lineno)
                return
            if not line.strip():
                continue
            try:
                yield lineno, ResultRow.model_validate_json(line)
            except (ValidationError, ValueError):
                logger.warning("%s:%d: ignoring a line that is not a result row", path, lineno)


def _choose(path: Path) -> tuple[set[int], int]:
    """(line numbers of the row kept for each id, rows read), in one pass."""
    chosen: dict[str, tuple[int, bool]] = {}
    total = 0
    for lineno, row in _iter_lines(path):
        total += 1
        previous = chosen.get(row.id)
        if previous is None or row.ok or not previous[1]:
            chosen[row.id] = (lineno, row.ok)
    return {lineno for lineno, _ in chosen.values()}, total


def done_ids(path: str | Path) -> set[str]:
    """Ids answered successfully in ``path`` (skipped on resume)."""
    path = Path(path)
    if not path.exists():
        return set()
    return {row.id for _, row in _iter_lines(path) if row.ok}


def read_results(path: str | Path) -> Iterator[ResultRow]:
    """One row per id from ``path``, streamed in file order (two passes, flat memory).

    Raises:
        FileNotFoundError: when ``path`` does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no results file at {path}")
    chosen, _ = _choose(path)
    for lineno, row in _iter_lines(path):
        if lineno in chosen:
            yield row


def read_compacted(path: str | Path) -> Iterator[ResultRow]:
    """Every row of a file :func:`compact` has just rewritten (one pass: its ids are unique)."""
    for _, row in _iter_lines(Path(path)):
        yield row


def compact(path: str | Path) -> int:
    """Rewrite ``path`` with one row per id (atomically); returns rows dropped."""
    path = Path(path)
    chosen, total = _choose(path)
    if total == len(chosen):
        return 0
    tmp = path.with_name(path.name + ".compact.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for lineno, row in _iter_lines(path):
            if lineno in chosen:
                out.write(row.model_dump_json() + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return total - len(chosen)


class ResultsWriter:
    """Appends rows to a results file, one flushed line each.

    Args:
        path: the results file (created with its folder when missing).
        fresh: start a new file instead of appending.
    """

    def __init__(self, path: str | Path, *, fresh: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not fresh:
            repair_tail(self.path)
        self._handle = self.path.open("w" if fresh else "a", encoding="utf-8")

    def write(self, row: ResultRow) -> None:
        """Append ``row`` as one line and flush it to the OS."""
        self._handle.write(row.model_dump_json() + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
