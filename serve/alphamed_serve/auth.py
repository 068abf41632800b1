"""Bearer-token check for ``/v1/*`` (``--api-key`` / ``ALPHAMED_API_KEY``).

The key is compared in constant time and never logged; ``/health`` and ``/metrics`` stay open.
"""

from __future__ import annotations

import hmac

from alphamed_serve.backend import BackendError


def check_bearer(authorization: str | None, api_key: str | None) -> None:
    """Raise a 401 BackendError unless ``authorization`` is ``Bearer <api_key>``.

    Args:
        authorization: the request's Authorization header, or None.
        api_key: the configured key; None disables the check.
    """
    if not api_key:
        return
    scheme, _, token = (authorization or "").partition(" ")
    ok = scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), api_key.encode())
    if not ok:
        raise BackendError(
            "Missing or incorrect API key: send `Authorization: Bearer <key>`.",
            status=401,
            type="invalid_request_error",
            code="invalid_api_key",
            headers={"WWW-Authenticate": "Bearer"},
        )
