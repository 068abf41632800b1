"""Lazy readers for the container formats public banks ship in: JSONL, CSV, a JSON object.

Each reader yields a :class:`RawRecord` per record (or a :class:`~alphamed.data.errors.BankError`
for a record it cannot parse) and never holds more than one record in memory.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "b.jsonl"
>>> _ = p.write_text('{"a": 1}\\n\\n{"a": 2\\n')
>>> for r in read_jsonl(p):
...     print(r.line, r.data) if isinstance(r, RawRecord) else print(str(r).split("/")[-1])
1 {'a': 1}
b.jsonl:3: json: malformed JSON: Expecting ',' delimiter (column 8)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alphamed.data.errors import BankError, BankFormatError, display_path


@dataclass(frozen=True)
class RawRecord:
    """One record as read from a file, before conversion.

    Args:
        line: 1-based line where the record starts.
        index: 0-based position of the record in the file.
        data: the parsed record (a dict; ``(key, value)`` for JSON-object files).
    """

    line: int
    index: int
    data: Any


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise BankFormatError(BankError(display_path(path), None, None, "no such file"))
    if path.is_dir():
        raise BankFormatError(BankError(display_path(path), None, None, "is a directory, not a file"))


def read_jsonl(path: Path) -> Iterator[RawRecord | BankError]:
    """Yield one record per non-blank line of a JSONL file (each line must be a JSON object)."""
    _check_readable(path)
    name = display_path(path)
    index = 0
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, 1):
            try:
                text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield BankError(name, line_no, "encoding", f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            if not text.strip():
                continue
            try:
                data = json.loads(text.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                yield BankError(name, line_no, "json", f"malformed JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(data, dict):
                yield BankError(name, line_no, "json", f"expected a JSON object, got {type(data).__name__}")
                continue
            yield RawRecord(line_no, index, data)
            index += 1


def read_csv(path: Path, *, header: bool = True) -> Iterator[RawRecord | BankError]:
    """Yield CSV rows: dicts keyed by the header row, or lists when ``header=False``."""
    _check_readable(path)
    name = display_path(path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        columns: list[str] | None = None
        index = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                yield BankError(name, start, "csv", f"unreadable CSV: {exc}")
                return
            if not row or not any(cell.strip() for cell in row):
                continue
            if header and columns is None:
                columns = [c.strip() for c in row]
                continue
            data: Any = row
            if columns is not None:
                if len(row) != len(columns):
                    yield BankError(name, start, "csv", f"expected {len(columns)} columns, got {len(row)}")
                    continue
                data = dict(zip(columns, row))
            yield RawRecord(start, index, data)
            index += 1


class _ObjectStream:
    """Incremental reader of one top-level JSON object ``{key: value, ...}``."""

    def __init__(self, f: io.TextIOBase, chunk_size: int):
        self.f = f
        self.chunk_size = chunk_size
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1
        self.counted = 0  # newlines in buf[:counted] are already in self.line
        self.decoder = json.JSONDecoder()

    def fill(self) -> bool:
        """Read one more chunk; False at end of file."""
        if self.eof:
            return False
        chunk = self.f.read(self.chunk_size)
        if not chunk:
            self.eof = True
            return False
        if self.pos > self.chunk_size:  # drop what is consumed, keep line count right
            self.line += self.buf.count("\n", self.counted, self.pos)
            self.buf, self.counted, self.pos = self.buf[self.pos :], 0, 0
        self.buf += chunk
        return True

    def line_at(self, pos: int) -> int:
        self.line += self.buf.count("\n", self.counted, pos)
        self.counted = pos
        return self.line

    def skip_ws(self) -> str:
        """Advance past whitespace; the next character, or '' at end of file."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def value(self) -> Any:
        """Decode the JSON value at the cursor, reading more input while it is incomplete."""
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.fill():
                    continue
                raise ValueError(f"malformed JSON: {exc.msg}") from None
            if end >= len(self.buf) and self.fill():
                continue  # a number or literal may continue in the next chunk
            self.pos = end
            return value


def read_json_object(path: Path, *, chunk_size: int = 1 << 16) -> Iterator[RawRecord | BankError]:
    """Yield ``(key, value)`` records of a file holding one JSON object (e.g. PubMedQA's PMID map).

    Reads incrementally: memory holds one value at a time, not the whole file.
    """
    _check_readable(path)
    name = display_path(path)
    with open(path, encoding="utf-8-sig") as f:
        s = _ObjectStream(f, chunk_size)
        try:
            yield from _object_items(s)
        except ValueError as exc:
            yield BankError(name, s.line_at(min(s.pos, len(s.buf))), "json", str(exc))


def _object_items(s: _ObjectStream) -> Iterator[RawRecord]:
    if s.skip_ws() != "{":
        raise ValueError("expected a JSON object keyed by id")
    s.pos += 1
    index = 0
    while True:
        ch = s.skip_ws()
        if ch == "}":
            s.pos += 1
            if s.skip_ws():
                raise ValueError("unexpected text after the JSON object")
            return
        if index:
            if ch != ",":
                raise ValueError("malformed JSON: expected ',' or '}'")
            s.pos += 1
            s.skip_ws()
        line = s.line_at(s.pos)
        key = s.value()
        if not isinstance(key, str):
            raise ValueError("malformed JSON: expected a string key")
        if s.skip_ws() != ":":
            raise ValueError("malformed JSON: expected ':' after a key")
        s.pos += 1
        s.skip_ws()
        yield RawRecord(line, index, (key, s.value()))
        index += 1
