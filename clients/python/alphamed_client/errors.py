"""One exception per failure a user must act on; each message is one line naming the cause."""

from __future__ import annotations


class AlphaMedClientError(Exception):
    """Base class of the client's own errors."""


class ServerUnreachable(AlphaMedClientError):
    """Nothing answers at the base URL (connection refused, DNS, timeout)."""


class AuthenticationFailed(AlphaMedClientError):
    """The server rejected the API key (401/403)."""


class ModelNotFound(AlphaMedClientError):
    """The server does not serve the requested model."""


class ScoringAborted(AlphaMedClientError):
    """Scoring stopped on an error that every further request would hit too (e.g. a revoked key)."""


class BankError(AlphaMedClientError):
    """A question bank cannot be read at all (missing file, not JSONL)."""


class ServerGone(ScoringAborted):
    """Scoring stopped early: request after request could not connect to the server."""
