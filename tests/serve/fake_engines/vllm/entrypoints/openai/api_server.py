"""Fake ``python -m vllm.entrypoints.openai.api_server``: the stub in vLLM's dialect."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))

from sglang_stub import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:] + ["--dialect", "vllm"])
