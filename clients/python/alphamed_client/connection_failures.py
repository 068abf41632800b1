"""Telling a server that is gone from one that is slow: the true cause of a failed request, and a
breaker that stops a scoring run after too many connection failures in a row."""

from __future__ import annotations

from alphamed_client.errors import ServerGone

CONNECTION_FAILURES_TO_STOP = 8  # in a row, each after its retries: the server is gone


def connection_cause(exc: BaseException) -> str | None:
    """What really failed when ``exc`` is a failure to connect (refused, reset, unresolvable host),
    found in its chain of causes, or None for any other failure (a slow server's timeout included).

    >>> err = RuntimeError("Request timed out.")
    >>> err.__cause__ = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 1)")
    >>> connection_cause(err)
    "connection refused ([Errno 111] Connect call failed ('127.0.0.1', 1))"
    >>> connection_cause(TimeoutError("read timed out")) is None
    True
    """
    import socket

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return f"connection refused ({current})"
        if isinstance(current, (ConnectionResetError, ConnectionAbortedError)):
            return f"connection reset ({current})"
        if isinstance(current, socket.gaierror):
            return f"cannot resolve the host ({current})"
        current = current.__cause__ or current.__context__
    return None


class ConnectionBreaker:
    """Stops a run after ``limit`` questions in a row failed to connect: the rest would only
    wait through their retries to fail the same way; they are left for the resume.

    Args:
        limit: consecutive connection failures that stop the run.
    """

    def __init__(self, limit: int = CONNECTION_FAILURES_TO_STOP) -> None:
        self.limit = limit
        self.in_a_row = 0

    def succeeded(self) -> None:
        self.in_a_row = 0

    def failed(self, exc: BaseException, question_id: str) -> None:
        """Count ``exc``; raise :class:`ServerGone` when it is the limit-th connection failure in a row."""
        cause = connection_cause(exc)
        if cause is None:
            self.in_a_row = 0
            return
        self.in_a_row += 1
        if self.in_a_row >= self.limit:
            raise ServerGone(
                f"scoring stopped at question {question_id!r}: {self.in_a_row} questions in a row "
                f"could not connect to the server: {cause}; the rest are left for the resume"
            )
