# alphamed-serve on GPU: the gateway in front of vLLM's own OpenAI server.
#   docker build -f docker/serve.Dockerfile -t alphamed-serve .
#   docker run --gpus all -p 8000:8000 -v ~/.cache/huggingface:/root/.cache/huggingface \
#       alphamed-serve che111/AlphaMed-8B-instruct-rl
# Written for vllm/vllm-openai:v0.32.0 (CUDA 12.x, Python 3.12, vLLM and torch in the system
# interpreter). Any flag of `alphamed serve` can follow the model, e.g.
#   ... alphamed-serve MODEL --tensor-parallel-size 2 --api-key KEY -- --enforce-eager
ARG VLLM_IMAGE=vllm/vllm-openai:v0.32.0
FROM ${VLLM_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HOME=/root/.cache/huggingface

WORKDIR /opt/alphamed
COPY pyproject.toml README.md ./
COPY alphamed ./alphamed
COPY serve ./serve
# the image's vLLM and torch stay as they are: alphamed-serve itself needs no torch
RUN python3 -m pip install --no-cache-dir . ./serve \
    && python3 -c "import alphamed_serve, vllm"

# a non-root user that can still read the documented /root/.cache/huggingface mount
RUN useradd --create-home --uid 1000 alphamed \
    && mkdir -p /root/.cache/huggingface \
    && chmod 755 /root \
    && chown -R alphamed /root/.cache
USER 1000

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=900s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
ENTRYPOINT ["alphamed", "serve", "--host", "0.0.0.0", "--port", "8000", "--backend", "vllm"]
CMD ["che111/AlphaMed-8B-instruct-rl"]
