# sglang-router (the Rust router of SGLang, no CUDA) in front of `alphamed serve` replicas.
#   docker build -f docker/router.Dockerfile -t alphamed-router .
#   docker run -p 30000:30000 alphamed-router --worker-urls http://replica-0:8000 http://replica-1:8000
# Flags after the image are `python -m sglang_router.launch_router` flags. Used by the `router`
# profile of docker/compose.yaml. Written for python:3.11-slim and sglang-router 0.3.2.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN python3 -m pip install --no-cache-dir sglang-router==0.3.2 \
    && python3 -c "import sglang_router" \
    && useradd --create-home --uid 1000 router
USER 1000

EXPOSE 30000 29000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:30000/health', timeout=4)"]
ENTRYPOINT ["python3", "-m", "sglang_router.launch_router", "--host", "0.0.0.0", "--port", "30000", \
            "--prometheus-host", "0.0.0.0", "--prometheus-port", "29000"]
CMD ["--help"]
