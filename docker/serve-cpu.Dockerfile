# alphamed-serve on CPU: the gateway with the embedded transformers backend (small models, demos, CI).
# Debian bookworm's python3 (3.11) in a venv, torch 2.13.0 CPU. Built and run in CI (`make test-docker`).
#   docker build -f docker/serve-cpu.Dockerfile -t alphamed-serve:cpu .
#   docker run -p 8000:8000 -e HF_TOKEN --user "$(id -u):$(id -g)" \
#       -v ~/.cache/huggingface:/home/alphamed/.cache/huggingface alphamed-serve:cpu che111/AlphaMed-7B-instruct-rl
# --user: the container writes the mounted cache as you (a cache owned by another user than UID 1000 is not
# writable otherwise); any UID works because the image's home is writable by all. Flags of `alphamed serve`
# follow the model (e.g. --api-key KEY, --revision TAG, --served-model-name NAME).
# Build args: BASE_IMAGE (a Debian bookworm image; CI uses one made with debootstrap), TORCH_INDEX (where the
# torch CPU wheel comes from when docker/wheels/ holds none; empty: no extra index).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/venv

WORKDIR /opt/alphamed
COPY docker/wheels/ /tmp/wheels/
# hadolint ignore=DL3013
RUN python -m pip install --find-links /tmp/wheels ${TORCH_INDEX:+--extra-index-url "$TORCH_INDEX"} "torch==2.13.0+cpu" \
    && rm -rf /tmp/wheels
COPY pyproject.toml README.md ./
COPY alphamed ./alphamed
COPY serve ./serve
RUN python -m pip install . "./serve[transformers]" \
    && python -c "import alphamed_serve, transformers, torch; assert torch.__version__.endswith('+cpu')"

# UID 1000 by default; any `--user UID:GID` works too (home and cache writable by all, sticky like /tmp)
RUN useradd --create-home --uid 1000 alphamed \
    && mkdir -p /home/alphamed/.cache/huggingface \
    && chmod 1777 /home/alphamed /home/alphamed/.cache /home/alphamed/.cache/huggingface
USER 1000
# ALPHAMED_PORT: the port `alphamed serve` listens on and the HEALTHCHECK asks (change it with -e under
# --network=host)
ENV HOME=/home/alphamed \
    HF_HOME=/home/alphamed/.cache/huggingface \
    ALPHAMED_PORT=8000

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=900s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"ALPHAMED_PORT\"]}/health', timeout=4)"]
ENTRYPOINT ["alphamed", "serve", "--host", "0.0.0.0", "--backend", "transformers"]
CMD ["che111/AlphaMed-7B-instruct-rl"]
