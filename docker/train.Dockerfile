# alphamed-train: GRPO retraining (TRL, DeepSpeed through accelerate, vLLM rollouts).
# Built on the same vLLM image as the server so rollouts use a matching vLLM and CUDA torch.
# Written for vllm/vllm-openai:v0.32.0.
#   docker build -f docker/train.Dockerfile -t alphamed-train .
#   docker run --gpus all --ipc=host -v $PWD/runs:/runs -v ~/.cache/huggingface:/root/.cache/huggingface \
#       alphamed-train train/recipes/RECIPE.yaml --output-dir /runs/alphamed
ARG VLLM_IMAGE=vllm/vllm-openai:v0.32.0
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
