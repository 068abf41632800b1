"""Fake ``python -m sglang.launch_server``: the SGLang HTTP stub."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sglang_stub import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:] + ["--dialect", "sglang"])
