#!/usr/bin/env bash
# The GPU smoke test in one command (bench/gpu_smoke.py; docs/benchmarks.md, "GPU smoke test").
#
#   bench/gpu_smoke.sh                  # one GPU: random weights in the 8B/7B/1.5B shapes; under 10 min on an H200
#   bench/gpu_smoke.sh --shrink         # CPU: the same architectures shrunk (what CI runs)
#
# PYTHON: the interpreter of an environment holding vLLM, TRL, PEFT, DeepSpeed and this project (default python3).
# The report goes to build/gpu-smoke/report.json (another --out wins); models, runs and logs to build/gpu-smoke/.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" bench/gpu_smoke.py --out build/gpu-smoke/report.json "$@"
