"""A lean HTTP/1.1 client for one job: POST a JSON body, read server-sent events back.

httpx reads a response stream through about a dozen layers of async generators and a
pure-Python HTTP parser (h11): at thousands of events per second that was most of the
gateway's CPU. This client parses with httptools (C; what uvicorn itself uses), splits the
events inside the protocol's data callback and hands the payloads over in lists of those
that arrived together. Connections are kept alive and reused. Failures are raised as httpx
exceptions (``ConnectError``, ``ConnectTimeout``, ``ReadTimeout``, ``RemoteProtocolError``),
so callers map them to errors exactly as they map httpx's own.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import urllib.request
from collections import deque
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx

logger = logging.getLogger(__name__)

_PAUSE_AT = 4096  # payloads buffered before the socket stops being read (the reader is behind)


@functools.lru_cache(maxsize=64)
def proxied(url: str) -> bool:
    """Whether the environment routes ``url`` through a proxy (then httpx, which speaks to proxies, is used).

    Args:
        url: the upstream URL.

    Returns:
        True when ``HTTP(S)_PROXY`` applies to the URL's host (``NO_PROXY`` respected).

    >>> proxied("http://127.0.0.1:8000") in (True, False)
    True
    """
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if parts.scheme not in proxies and "all" not in proxies:
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


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


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; each request gets a fresh parser and fresh response state."""

    def __init__(self, key: tuple[str, str, int]) -> None:
        self.key = key
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.timer: asyncio.TimerHandle | None = None  # the read-timeout watch of the current request
        self.reset()

    def reset(self) -> None:
        import httptools

        self.parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.keep_alive = False
        self.got_bytes = False
        self.complete = False
        self.error: Exception | None = None
        self.payloads: list[str] = []
        self.body: list[bytes] = []  # a non-200 answer's body
        self.events = EventSplitter()
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self.last_activity = self.loop.time()
        self.on_complete = None  # called once the whole answer has been read (back to the pool)

    # -- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        self.last_activity = self.loop.time()
        try:
            self.parser.feed_data(data)
        except Exception as exc:  # noqa: BLE001 - httptools raises its own parser errors
            self.fail(httpx.RemoteProtocolError(f"malformed HTTP answer from the engine: {exc}"))
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.complete:
            self.fail(httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body"))

    # -- httptools callbacks -------------------------------------------------------------

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()  # only reliable while the answer is read
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self.status != 200:
            self.body.append(body)
            return
        self.events.feed(body, self.payloads)
        if self.payloads:
            self._wake()
            if len(self.payloads) >= _PAUSE_AT and not self._paused:
                self._paused = True
                self.transport.pause_reading()

    def on_message_complete(self) -> None:
        self.events.close(self.payloads)
        self.complete = True
        self._wake()
        if self.on_complete is not None:
            self.on_complete(self)

    # -- waiting ---------------------------------------------------------------------------

    def fail(self, error: Exception) -> None:
        if self.error is None:
            self.error = error
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def wait(self) -> None:
        """Until something new arrived (or failed)."""
        if self._paused:
            self._paused = False
            self.transport.resume_reading()
        self._waiter = self.loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None


class SSEResponse:
    """An answer being read; :meth:`close` it (the ``async with`` of :meth:`SSEClient.stream` does)."""

    def __init__(self, client: SSEClient, conn: _Connection) -> None:
        self._client = client
        self._conn = conn
        self.status = conn.status

    async def read_body(self) -> bytes:
        """The whole body of a non-200 answer."""
        conn = self._conn
        while not conn.complete:
            if conn.error is not None:
                raise conn.error
            await conn.wait()
        return b"".join(conn.body)

    async def batches(self) -> AsyncIterator[list[str]]:
        """Each event's ``data`` (multi-line data joined by newlines), in lists of those that arrived together."""
        conn = self._conn
        while True:
            if conn.payloads:
                batch, conn.payloads = conn.payloads, []
                yield batch
            elif conn.error is not None:
                raise conn.error
            elif conn.complete:
                return
            else:
                await conn.wait()

    def close(self, *, reusable: bool = False) -> None:
        """Give the connection back (``reusable``: the answer was read to its end, e.g. ``[DONE]``
        was seen; it goes back to the pool once its last bytes arrive) or drop it."""
        self._client.release(self._conn, reusable=reusable)


class SSEClient:
    """Keep-alive connections to engine servers, for streamed POSTs.

    Args:
        headers: sent with every request (e.g. ``Authorization``).
        connect_timeout: seconds to open a connection.
        read_timeout: seconds the engine may stay silent before the request fails.
        max_idle: idle connections kept per engine address.
    """

    def __init__(self, *, headers: dict[str, str] | None = None, connect_timeout: float = 5.0,
                 read_timeout: float = 600.0, max_idle: int = 512) -> None:
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()).encode("latin-1")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_idle = max_idle
        self._idle: dict[tuple[str, str, int], deque[_Connection]] = {}
        self._ssl: ssl.SSLContext | None = None

    async def open(self, url: str, body: bytes, headers: dict[str, str] | None = None) -> SSEResponse:
        """POST ``body`` (JSON) to ``url`` and wait for the answer's status line and headers
        (``headers``: added to this request only, e.g. ``X-Request-Id``).

        Raises:
            httpx.HTTPError: could not connect, timed out, or the connection broke.
        """
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        key = (scheme, parts.hostname or "127.0.0.1", parts.port or (443 if scheme == "https" else 80))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = (f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
                f"Accept: text/event-stream\r\nContent-Length: {len(body)}\r\n").encode("latin-1")
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()).encode("latin-1")
        request = head + self.headers + extra + b"\r\n" + body
        for attempt in range(2):
            conn, reused = await self._connection(key)
            conn.transport.write(request)
            self._watch(conn)
            try:
                while not conn.status:
                    if conn.error is not None:
                        raise conn.error
                    await conn.wait()
            except httpx.TransportError:
                conn.timer.cancel()
                conn.transport.abort()
                if reused and not conn.got_bytes and attempt == 0:
                    continue  # the engine had closed the idle connection: once more on a new one
                raise
            except BaseException:
                conn.timer.cancel()
                conn.transport.abort()
                raise
            return SSEResponse(self, conn)
        raise AssertionError("unreachable")

    def release(self, conn: _Connection, *, reusable: bool) -> None:
        """Pool ``conn`` if its answer is (or will be) complete, else close it."""
        if conn.lost or conn.error is not None or not (reusable or conn.complete):
            if conn.timer is not None:
                conn.timer.cancel()
            conn.transport.abort()
            return
        if conn.complete:
            self._pool(conn)
        else:
            conn.on_complete = self._pool  # the last chunk is still on its way

    async def aclose(self) -> None:
        """Close every idle connection."""
        for idle in self._idle.values():
            for conn in idle:
                conn.transport.close()
        self._idle.clear()

    # -- internals -----------------------------------------------------------------------

    def _pool(self, conn: _Connection) -> None:
        conn.on_complete = None
        if conn.timer is not None:
            conn.timer.cancel()
        idle = self._idle.setdefault(conn.key, deque())
        if conn.lost or not conn.keep_alive or len(idle) >= self.max_idle:
            conn.transport.close()
            return
        idle.append(conn)

    async def _connection(self, key: tuple[str, str, int]) -> tuple[_Connection, bool]:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.lost and not conn.transport.is_closing():
                conn.reset()
                return conn, True
        loop = asyncio.get_running_loop()
        scheme, host, port = key
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(lambda: _Connection(key), host, port, ssl=self._ssl_for(scheme)),
                self.connect_timeout)
        except (TimeoutError, asyncio.TimeoutError) as exc:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return conn, False

    def _ssl_for(self, scheme: str) -> ssl.SSLContext | None:
        if scheme != "https":
            return None
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    def _watch(self, conn: _Connection) -> None:
        """Arm ``conn.timer``: it fails the request when the engine stays silent for ``read_timeout``."""
        loop = conn.loop

        def check() -> None:
            if conn.complete or conn.lost:
                return
            silent = loop.time() - conn.last_activity
            if silent >= self.read_timeout:
                conn.fail(httpx.ReadTimeout(f"the engine sent nothing for {self.read_timeout:g} s"))
                conn.transport.abort()
            else:
                conn.timer = loop.call_later(self.read_timeout - silent, check)

        conn.timer = loop.call_later(self.read_timeout, check)
