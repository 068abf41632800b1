"""Backend registry: name -> implementation, imported only when chosen."""

from __future__ import annotations

import importlib

from alphamed_serve.backend import Backend, BackendOptions

BACKENDS: dict[str, str] = {
    "transformers": "alphamed_serve.backends.transformers:TransformersBackend",
    "vllm": "alphamed_serve.backends.vllm:VLLMBackend",
    "sglang": "alphamed_serve.backends.sglang:SGLangBackend",
    "openai": "alphamed_serve.backends.upstream:OpenAIUpstreamBackend",
}


def create_backend(name: str, options: BackendOptions) -> Backend:
    """Instantiate the backend called ``name`` with ``options``."""
    try:
        target = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}") from None
    module_name, _, cls_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(options)
