"""The CPU serve image, built on a local Debian base and run by a real Docker daemon, checked from the host."""

from __future__ import annotations

import os

import pytest
from docker_support import BASE, Container, build, chat_answer, docker, readable_copy, record, require_docker
from gateway_process import free_port
from hf_cache import lay_out_hf_cache

pytestmark = [pytest.mark.require_docker, pytest.mark.timeout(2400)]

DEFAULT_MODEL = "che111/AlphaMed-7B-instruct-rl"  # the image's default command


@pytest.fixture(scope="module")
def image() -> str:
    require_docker()
    return build("serve-cpu.Dockerfile", "alphamed-serve:cpu-test", f"BASE_IMAGE={BASE}", "TORCH_INDEX=")


def test_serves_a_mounted_model_as_non_root_and_stops_on_sigterm(image, tiny_model_dir, tmp_path):
    model = readable_copy(tiny_model_dir, tmp_path / "tiny")
    box = Container(
        image, "/models/tiny", "--served-model-name", "tiny", run=("-v", f"{model}:/models/tiny:ro"), port=free_port()
    )
    try:
        record("serve-cpu healthy (mounted model)", box.wait_healthy())
        choice = chat_answer(box.url, "tiny")
        assert "answer" in choice and choice["finish_reason"] in ("stop", "length")
        assert docker("exec", box.name, "id", "-u").stdout.strip() == "1000"
        assert box.inspect()["Config"]["User"] == "1000"
        code, seconds = box.stop()
        assert code == 0, box.logs()[-3000:]  # 143/137: the signal did not reach a server that shut down
        assert seconds < 25
        assert "Application shutdown complete" in box.logs()
    finally:
        box.remove()


def test_default_command_serves_the_hub_id_from_a_mounted_cache_as_any_user(image, tiny_model_dir, tmp_path):
    """The image's default command (a hub id) from a host cache owned by another UID, run with --user."""
    hf_home = tmp_path / "hf"
    lay_out_hf_cache(tiny_model_dir, hf_home, DEFAULT_MODEL, "a" * 40)
    for path in [hf_home, *hf_home.rglob("*")]:
        os.lchown(path, 4242, 4242)
    hf_home.chmod(0o700)  # only its owner may enter: UID 1000 could not
    box = Container(
        image,
        run=("--user", "4242:4242", "-e", "HF_HUB_OFFLINE=1", "-v", f"{hf_home}:/home/alphamed/.cache/huggingface"),
        port=free_port(),
    )
    try:
        record("serve-cpu healthy (hub id)", box.wait_healthy())
        choice = chat_answer(box.url, DEFAULT_MODEL)
        assert "answer" in choice
        assert docker("exec", box.name, "id", "-u").stdout.strip() == "4242"
        docker("exec", box.name, "sh", "-c", 'touch "$HOME/.cache/written-by-any-user"')
        assert box.stop()[0] == 0
    finally:
        box.remove()
