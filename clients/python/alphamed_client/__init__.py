"""AlphaMed client: answer and score clinical multiple-choice questions on any OpenAI-compatible server.

``AlphaMed`` / ``AsyncAlphaMed`` wrap the official ``openai`` client; ``ScoreReport`` and
``compare`` turn results files into accuracy with confidence intervals. Names are imported
lazily so ``import alphamed_client`` (and ``alphamed --help``) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "AlphaMed": "alphamed_client.client",
    "AsyncAlphaMed": "alphamed_client.client",
    "ModelAnswer": "alphamed_client.models",
    "ResultRow": "alphamed_client.models",
    "Usage": "alphamed_client.models",
    "ScoreReport": "alphamed_client.report",
    "Comparison": "alphamed_client.report",
    "compare": "alphamed_client.report",
    "majority_vote": "alphamed.voting",
    "AlphaMedClientError": "alphamed_client.errors",
    "ServerUnreachable": "alphamed_client.errors",
    "AuthenticationFailed": "alphamed_client.errors",
    "ModelNotFound": "alphamed_client.errors",
    "ScoringAborted": "alphamed_client.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'alphamed_client' has no attribute {name!r}")
