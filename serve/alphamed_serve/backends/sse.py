"""The gateway's server-sent-events parser (engine streams are read with aiohttp)."""

from __future__ import annotations


class EventSplitter:
    """The gateway's one server-sent-events parser: bytes in, each event's ``data`` out.

    Multi-line data is joined by newlines; ``\\r\\n`` line ends are accepted; other fields
    (``event:``, ``id:``, comments) are ignored, as engines send none that matter.

    >>> out = []
    >>> s = EventSplitter()
    >>> s.feed(b'data: {"a": 1}\\n\\ndata: [DO', out); s.feed(b"NE]\\n\\n", out); out
    ['{"a": 1}', '[DONE]']
    """

    __slots__ = ("_rest", "_data")

    def __init__(self) -> None:
        self._rest = b""  # an incomplete line
        self._data: list[str] = []  # data lines of the event being read

    def feed(self, chunk: bytes, out: list[str]) -> None:
        """Append to ``out`` the payload of every event that ``chunk`` completes."""
        lines = (self._rest + chunk if self._rest else chunk).split(b"\n")
        self._rest = lines.pop()
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if self._data:
                    out.append("\n".join(self._data))
                    self._data = []
            elif line.startswith(b"data:"):
                self._data.append(line[5:].lstrip(b" ").decode("utf-8", "replace"))

    def close(self, out: list[str]) -> None:
        """At the end of the body: the last event even without its blank line."""
        if self._rest:
            self.feed(b"\n", out)
        if self._data:
            out.append("\n".join(self._data))
            self._data = []
