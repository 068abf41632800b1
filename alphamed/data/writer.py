"""Write banks atomically: a temporary file in the target folder, renamed over the target
only when everything was written. A failure midway leaves no file (or the old one) behind.

>>> import tempfile, pathlib
>>> from alphamed.schema import Question
>>> out = pathlib.Path(tempfile.mkdtemp()) / "bank.jsonl"
>>> write_bank([Question(id="1", question="?", options={"A": "x", "B": "y"}, answer="A")], out)
1
>>> [q.id for q in QuestionBank(out)]
['1']
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path
from typing import IO, Any

from alphamed.data.bank import QuestionBank
from alphamed.schema import Question


@contextlib.contextmanager
def atomic_output(path: str | PathLike[str]) -> Iterator[IO[str]]:
    """A text file handle whose content replaces ``path`` only if the block ends without error.

    Args:
        path: the final file; its folder is created if missing.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def question_line(question: Question) -> str:
    """One JSONL line for ``question`` (None fields and empty metadata left out)."""
    return question.model_dump_json(exclude_none=True, exclude_defaults=False) + "\n"


def write_bank(questions: Iterable[Question], path: str | PathLike[str]) -> int:
    """Write ``questions`` as AlphaMed JSONL, atomically.

    Args:
        questions: any iterable (a :class:`QuestionBank` streams straight through).
        path: the output file.

    Returns:
        The number of questions written.
    """
    count = 0
    with atomic_output(path) as f:
        for question in questions:
            f.write(question_line(question))
            count += 1
    return count


def convert_bank(src: str | PathLike[str], dst: str | PathLike[str], format: str, **options: Any) -> int:
    """Convert a public-format file to AlphaMed JSONL; the first bad record aborts and writes nothing.

    Returns:
        The number of questions written.
    """
    return write_bank(QuestionBank(src, format=format, **options), dst)
