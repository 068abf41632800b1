"""``--backend auto``: pick the engine this machine can actually run.

vLLM when it is installed and a GPU is present, else SGLang when installed (it needs a
GPU as well), else the embedded transformers backend. The check never imports the
engines themselves (seconds, and CUDA initialisation); it asks the interpreter that
would run them.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

_FIND_SPEC = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({name!r}) else 1)"


def engine_installed(module: str, python: str | None = None) -> bool:
    """Whether ``module`` can be imported by ``python`` (default: this interpreter).

    Args:
        module: top-level module name (``vllm``, ``sglang``).
        python: interpreter of the engine's environment (``--engine-python``).

    Returns:
        True when the module is found (without importing it).

    >>> engine_installed("json")
    True
    >>> engine_installed("surely_not_an_installed_module")
    False
    """
    if python is None or Path(python).resolve() == Path(sys.executable).resolve():
        import importlib.util

        return importlib.util.find_spec(module) is not None
    try:
        done = subprocess.run([python, "-c", _FIND_SPEC.format(name=module)], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def gpu_present() -> bool:
    """Whether an NVIDIA GPU is visible (device nodes or ``nvidia-smi``), without importing torch.

    ``CUDA_VISIBLE_DEVICES`` set to empty or ``-1`` hides every GPU.
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return False
    if Path("/dev/nvidia0").exists() or Path("/proc/driver/nvidia/gpus").is_dir():
        return True
    return shutil.which("nvidia-smi") is not None and _nvidia_smi_lists_gpu()


def _nvidia_smi_lists_gpu() -> bool:
    try:
        done = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and "GPU" in done.stdout


def resolve_auto_backend(engine_python: str | None = None) -> str:
    """The backend name ``--backend auto`` stands for on this machine.

    Args:
        engine_python: interpreter of a separate engine environment, if any.

    Returns:
        ``"vllm"``, ``"sglang"`` or ``"transformers"``.
    """
    gpu = gpu_present()
    if gpu and engine_installed("vllm", engine_python):
        choice = "vllm"
    elif gpu and engine_installed("sglang", engine_python):
        choice = "sglang"
    else:
        choice = "transformers"
    logger.info("--backend auto -> %s (gpu=%s)", choice, gpu)
    return choice
