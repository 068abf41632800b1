# alphamed-serve on CPU: the gateway with the embedded transformers backend (small models,
# demos, CI). Written for python:3.11-slim (Debian bookworm) and torch 2.13.0 CPU wheels.
#   docker build -f docker/serve-cpu.Dockerfile -t alphamed-serve:cpu .
#   docker run -p 8000:8000 -v ~/.cache/huggingface:/home/alphamed/.cache/huggingface \
#       alphamed-serve:cpu che111/AlphaMed-7B-instruct-rl
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /opt/alphamed
RUN python -m pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY alphamed ./alphamed
COPY serve ./serve
RUN python -m pip install . "./serve[transformers]" \
    && python -c "import alphamed_serve, transformers"

RUN useradd --create-home --uid 1000 alphamed
USER 1000
ENV HF_HOME=/home/alphamed/.cache/huggingface

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
ENTRYPOINT ["alphamed", "serve", "--host", "0.0.0.0", "--port", "8000", "--backend", "transformers"]
CMD ["che111/AlphaMed-7B-instruct-rl"]
