"""The routes sglang-router probes (/model_info, /server_info, /get_*) and /health for a sick backend."""

from __future__ import annotations

import json

import pytest
from alphamed_serve.backend import Health
from fake_backend import FakeBackend


class SickBackend(FakeBackend):
    """A fake backend whose health the test flips."""

    def __init__(self) -> None:
        super().__init__()
        self.state = Health(ok=True)

    async def health(self) -> Health:
        return self.state


@pytest.mark.parametrize("path", ["/model_info", "/get_model_info"])
def test_model_info_names_the_served_model_and_its_files(make_client, tmp_path, path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"]}))
    backend = FakeBackend(model_id="alphamed-8b", context_length=4096)
    backend.info.root = str(tmp_path)
    body = make_client(backend, served_model_name="AlphaMed").get(path).json()
    assert body["served_model_name"] == "AlphaMed"  # what clients send as `model`
    assert body["model_path"] == body["tokenizer_path"] == str(tmp_path)
    assert body["is_generation"] is True and body["context_length"] == 4096
    assert (body["model_type"], body["architectures"]) == ("qwen2", ["Qwen2ForCausalLM"])


@pytest.mark.parametrize("path", ["/server_info", "/get_server_info"])
def test_server_info_reports_the_serving_settings(make_client, path):
    body = make_client(max_concurrency=8, max_queue=32).get(path).json()
    assert body["served_model_name"] == "fake-model" and body["model_path"] == "/fake"
    assert (body["max_running_requests"], body["max_queued_requests"]) == (8, 32)
    assert body["backend"] == "fake" and body["dp_size"] == 1 and body["api_key_required"] is False


def test_probes_need_the_api_key_like_v1(make_client):
    client = make_client(api_key="k")
    assert client.get("/model_info").status_code == 401
    assert client.get("/server_info", headers={"Authorization": "Bearer k"}).status_code == 200
    assert client.get("/health").status_code == 200  # health stays open for routers


def test_health_is_503_while_the_backend_is_sick_and_200_again_after(make_client):
    backend = SickBackend()
    client = make_client(backend)
    assert client.get("/health").status_code == 200
    backend.state = Health(ok=False, status="restarting", detail="engine died")
    sick = client.get("/health")
    assert sick.status_code == 503 and sick.json()["status"] == "restarting"
    backend.state = Health(ok=True)
    assert client.get("/health").status_code == 200
