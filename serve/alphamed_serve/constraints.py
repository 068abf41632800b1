"""Constrained decoding fields (``guided_*``, ``structured_outputs``, ``response_format``), per engine.

vLLM removed the ``guided_*`` request fields (v0.12) for ``structured_outputs={"choice": [...], ...}``; clients
written before still send them, and an engine that silently drops them returns unconstrained text with a 200.
The gateway translates them into what the engine behind it honours, and refuses (400, naming the field) what
it cannot honour.

>>> constrain({"guided_choice": ["yes", "no"]}, "vllm", "vllm")
{'structured_outputs': {'choice': ['yes', 'no']}}
>>> constrain({"guided_choice": ["A", "B"]}, None, "transformers")
Traceback (most recent call last):
...
alphamed_serve.backend.BackendError: guided_choice (constrained decoding) is not supported by the transformers backend
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Literal

from alphamed_serve.backend import BackendError

logger = logging.getLogger(__name__)

Dialect = Literal["vllm", "sglang", "passthrough"] | None

# the removed vLLM fields -> their key in `structured_outputs`
GUIDED = {
    "guided_choice": "choice",
    "guided_json": "json",
    "guided_regex": "regex",
    "guided_grammar": "grammar",
    "guided_whitespace_pattern": "whitespace_pattern",
}
DROPPED = ("guided_decoding_backend",)  # the engine's server flag chooses it now
SGLANG_NATIVE = ("regex", "ebnf", "json_schema")


def constrain(extra: dict[str, Any], dialect: Dialect, backend: str) -> dict[str, Any]:
    """``extra`` (the request's non-OpenAI fields plus ``response_format``) as the engine should get it.

    Args:
        extra: the request fields passed through to the engine.
        dialect: ``vllm``, ``sglang``, ``passthrough`` (an unknown OpenAI-compatible server: untouched) or
            None (an engine without constrained decoding).
        backend: the backend's name, for the error message.

    Raises:
        BackendError: 400 naming the first constraint field the engine cannot honour.
    """
    if dialect == "passthrough" or not any(_is_constraint(k, v) for k, v in extra.items()):
        return extra
    if dialect is None:
        field = next(k for k, v in extra.items() if _is_constraint(k, v))
        raise BackendError(
            f"{field} (constrained decoding) is not supported by the {backend} backend",
            param=field,
            code="unsupported_parameter",
        )
    out = {k: v for k, v in extra.items() if k not in GUIDED and k not in DROPPED}
    structured = dict(extra.get("structured_outputs") or {})
    for old, new in GUIDED.items():
        if old in extra:
            structured.setdefault(new, extra[old])
    if dialect == "vllm":
        if structured:
            out["structured_outputs"] = structured
        return out
    out.pop("structured_outputs", None)
    return {**out, **_sglang(structured)}


def _is_constraint(key: str, value: Any) -> bool:
    if key == "response_format":
        return isinstance(value, dict) and value.get("type") not in (None, "text")
    return (key in GUIDED or key == "structured_outputs" or key in SGLANG_NATIVE) and value is not None


def _sglang(structured: dict[str, Any]) -> dict[str, Any]:
    """vLLM's ``structured_outputs`` in SGLang's request fields (``regex``, ``ebnf``, ``response_format``)."""
    out: dict[str, Any] = {}
    for key, value in structured.items():
        if key == "choice":
            out["regex"] = "(" + "|".join(re.escape(str(c)) for c in value) + ")"
        elif key == "regex":
            out["regex"] = value
        elif key == "grammar":
            out["ebnf"] = value
        elif key == "json":
            schema = json.loads(value) if isinstance(value, str) else value
            out["response_format"] = {"type": "json_schema", "json_schema": {"name": "guided", "schema": schema}}
        elif key != "whitespace_pattern":
            raise BackendError(
                f"structured_outputs.{key} is not supported by the sglang backend",
                param="structured_outputs",
                code="unsupported_parameter",
            )
    return out
