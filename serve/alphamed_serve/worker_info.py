"""Metadata routes that routers probe: ``/model_info``, ``/server_info`` and SGLang's older
``/get_model_info``, ``/get_server_info``.

sglang-router (``python -m sglang_router.launch_router --worker-urls ...``) calls these once
when it registers a worker. It names the worker's model ``served_model_name`` (else
``model_path``) from ``/server_info`` and loads the tokenizer from ``tokenizer_path`` /
``model_path``; without them every replica registers as model ``unknown``. The bodies follow
SGLang's field names and report what this gateway really serves.

Like SGLang, ``--api-key`` protects these routes (only ``/health`` and ``/metrics`` stay open):
give the router the same key (``--api-key``) so it can read them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from alphamed_serve.serving import Gateway

logger = logging.getLogger(__name__)

__all__ = ["add_probe_routes", "model_info_body", "server_info_body"]


def _hf_config(root: str | None) -> dict[str, Any]:
    """``model_type`` and ``architectures`` from ``root/config.json`` when root is a local folder."""
    if not root:
        return {}
    path = Path(root) / "config.json"
    try:
        cfg = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    out: dict[str, Any] = {}
    if isinstance(cfg.get("model_type"), str):
        out["model_type"] = cfg["model_type"]
    if isinstance(cfg.get("architectures"), list):
        out["architectures"] = [str(a) for a in cfg["architectures"]]
    return out


def _version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("alphamed-serve")
    except PackageNotFoundError:
        return None


def model_info_body(gateway: Gateway) -> dict[str, Any]:
    """The ``/model_info`` body (SGLang's fields plus the gateway's own).

    Args:
        gateway: the app's gateway.

    Returns:
        ``model_path``, ``tokenizer_path``, ``served_model_name``, ``is_generation``,
        ``context_length``, ``max_n``, ``backend`` and, for a local folder, ``model_type``
        and ``architectures`` from its ``config.json``.
    """
    info = gateway.backend.model_info()
    root = info.root or info.id
    return {
        "model_path": root,
        "tokenizer_path": root,
        "served_model_name": gateway.served_name,
        "is_generation": True,
        "context_length": info.context_length,
        "max_n": info.max_n,
        "owned_by": info.owned_by,
        "backend": gateway.backend.name,
        **_hf_config(info.root),
    }


def server_info_body(gateway: Gateway) -> dict[str, Any]:
    """The ``/server_info`` body: the serving settings, named as SGLang's server args.

    Args:
        gateway: the app's gateway.

    Returns:
        ``model_path``, ``tokenizer_path``, ``served_model_name``, ``context_length``,
        ``max_running_requests`` (``--max-concurrency``, None = unlimited),
        ``max_queued_requests``, ``dp_size``, ``backend``, ``version`` and the gateway's
        reasoning field and default prompt style.
    """
    info = gateway.backend.model_info()
    settings = gateway.settings
    root = info.root or info.id
    return {
        "model_path": root,
        "tokenizer_path": root,
        "served_model_name": gateway.served_name,
        "context_length": info.context_length,
        "max_running_requests": settings.max_concurrency,
        "max_queued_requests": settings.max_queue,
        "dp_size": 1,
        "backend": gateway.backend.name,
        "version": _version(),
        "reasoning_field": settings.reasoning_field,
        "default_prompt_style": settings.default_prompt_style,
        "api_key_required": bool(settings.api_key),
    }


def add_probe_routes(app, gateway: Gateway) -> None:
    """Add ``/model_info``, ``/server_info`` and their ``/get_*`` aliases to ``app``.

    Args:
        app: the FastAPI app.
        gateway: its gateway (settings, backend).
    """
    from fastapi import Depends, Header

    from alphamed_serve.auth import check_bearer

    async def require_key(authorization: str | None = Header(default=None)) -> None:
        check_bearer(authorization, gateway.settings.api_key)

    async def model_info() -> dict[str, Any]:
        """The served model's metadata (for routers: sglang-router registers the model by it)."""
        return model_info_body(gateway)

    async def server_info() -> dict[str, Any]:
        """The serving settings (SGLang's server-args names)."""
        return server_info_body(gateway)

    for path, endpoint in (
        ("/model_info", model_info),
        ("/get_model_info", model_info),
        ("/server_info", server_info),
        ("/get_server_info", server_info),
    ):
        app.add_api_route(
            path,
            endpoint,
            methods=["GET"],
            dependencies=[Depends(require_key)],
            include_in_schema=not path.startswith("/get_"),
        )
