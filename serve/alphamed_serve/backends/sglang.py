"""SGLang backend: ``python -m sglang.launch_server`` as a supervised child, or ``--upstream``.

``--upstream`` fits an sglang-router in front of data-parallel workers. With
``--reasoning-parser`` SGLang splits the reasoning into ``reasoning_content``
(request field ``separate_reasoning``, on by default); the gateway uses it as is.
SGLang keeps its radix prefix cache on by default, so ``--enable-prefix-caching``
needs no flag here.
"""

from __future__ import annotations

from typing import Any

from alphamed_serve.backend import BackendOptions, GenerationRequest
from alphamed_serve.backends.managed import ManagedEngineBackend, engine_argv

# `alphamed serve` option -> sglang's flag
SGLANG_FLAGS = {
    "served_model_name": "--served-model-name",
    "tensor_parallel_size": "--tp-size",
    "pipeline_parallel_size": "--pp-size",
    "max_model_len": "--context-length",
    "gpu_memory_utilization": "--mem-fraction-static",
    "dtype": "--dtype",
    "reasoning_parser": "--reasoning-parser",
    "revision": "--revision",
}


def sglang_command(options: BackendOptions, *, python: str, port: int, api_key: str | None) -> list[str]:
    """The SGLang server command line for ``options``.

    Args:
        options: the `alphamed serve` options; engine flags are translated to SGLang's
            names, then ``engine_args`` pass through.
        python: interpreter with SGLang installed.
        port: loopback port to listen on.
        api_key: key the engine requires on every route but ``/health*`` (None: open).

    Returns:
        The argv list.

    >>> opts = BackendOptions(model="m", max_model_len=4096, gpu_memory_utilization=0.8)
    >>> sglang_command(opts, python="py", port=9, api_key=None)[3:]
    ['--model-path', 'm', '--host', '127.0.0.1', '--port', '9', '--context-length', '4096', '--mem-fraction-static', '0.8']
    """
    return engine_argv(
        options,
        module="sglang.launch_server",
        model_flag="--model-path",
        flags=SGLANG_FLAGS,
        python=python,
        port=port,
        api_key=api_key,
    )


class SGLangBackend(ManagedEngineBackend):
    """``--backend sglang``."""

    name = "sglang"
    engine = "sglang"
    constraint_dialect = "sglang"  # guided_* translated for this engine (see alphamed_serve.constraints)
    health_path = "/health"

    def engine_command(self, port: int) -> list[str]:
        """SGLang's server on ``port`` with the pass-through flags."""
        return sglang_command(self.options, python=self.python, port=port, api_key=self._api_key)

    def _extra_body(self, request: GenerationRequest) -> dict[str, Any]:
        """Ask SGLang to split the reasoning when it runs a reasoning parser."""
        if self.options.reasoning_parser and request.messages is not None:
            return {"separate_reasoning": True}
        return {}
