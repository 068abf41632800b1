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
from alphamed_serve.backends.managed import ManagedEngineBackend


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
    argv = [python, "-m", "sglang.launch_server", "--model-path", options.model]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    if options.served_model_name:
        argv += ["--served-model-name", options.served_model_name]
    if options.tensor_parallel_size != 1:
        argv += ["--tp-size", str(options.tensor_parallel_size)]
    if options.pipeline_parallel_size != 1:
        argv += ["--pp-size", str(options.pipeline_parallel_size)]
    if options.max_model_len is not None:
        argv += ["--context-length", str(options.max_model_len)]
    if options.gpu_memory_utilization is not None:
        argv += ["--mem-fraction-static", str(options.gpu_memory_utilization)]
    if options.dtype and options.dtype != "auto":
        argv += ["--dtype", options.dtype]
    if options.reasoning_parser:
        argv += ["--reasoning-parser", options.reasoning_parser]
    if api_key:
        argv += ["--api-key", api_key]
    return argv + list(options.engine_args)


class SGLangBackend(ManagedEngineBackend):
    """``--backend sglang``."""

    name = "sglang"
    engine = "sglang"
    health_path = "/health"

    def engine_command(self, port: int) -> list[str]:
        """SGLang's server on ``port`` with the pass-through flags."""
        return sglang_command(self.options, python=self.python, port=port, api_key=self._api_key)

    def _extra_body(self, request: GenerationRequest) -> dict[str, Any]:
        """Ask SGLang to split the reasoning when it runs a reasoning parser."""
        if self.options.reasoning_parser and request.messages is not None:
            return {"separate_reasoning": True}
        return {}
