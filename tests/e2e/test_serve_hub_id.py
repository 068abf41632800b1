"""`alphamed serve ORG/NAME`: a hub id resolves through the Hugging Face cache like `from_pretrained`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from gateway_process import GatewayProcess
from hf_cache import TINY_HUB_COMMIT, TINY_HUB_ID

openai = pytest.importorskip("openai")
pytest.importorskip("transformers")


def offline_env(hf_home) -> dict[str, str]:
    return {"HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(hf_home / "hub")}


def test_hub_id_is_served_from_the_cache(tiny_hf_home):
    server = GatewayProcess(
        TINY_HUB_ID, "--backend", "transformers", "--log-level", "warning", env=offline_env(tiny_hf_home)
    )
    try:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="none")
        assert [m.id for m in client.models.list().data] == [TINY_HUB_ID]
        reply = client.chat.completions.create(
            model=TINY_HUB_ID, max_tokens=8, messages=[{"role": "user", "content": "Hi"}]
        )
        assert reply.choices[0].finish_reason in ("stop", "length")
        assert "answer" in reply.choices[0].model_dump()
    finally:
        server.stop()


def test_hub_revision_selects_a_snapshot(tiny_hf_home):
    server = GatewayProcess(
        TINY_HUB_ID,
        "--backend",
        "transformers",
        "--revision",
        TINY_HUB_COMMIT,
        "--log-level",
        "warning",
        env=offline_env(tiny_hf_home),
    )
    server.stop()


@pytest.mark.parametrize("backend", ["transformers", "vllm"])
@pytest.mark.parametrize("args", [["alphamed-test/no-such-model"], [TINY_HUB_ID, "--revision", "f" * 40]])
def test_missing_hub_id_is_one_line(tiny_hf_home, backend, args):
    proc = subprocess.run(
        [sys.executable, "-m", "alphamed", "serve", *args, "--backend", backend, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **offline_env(tiny_hf_home)},
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: cannot start the {backend} backend: model not found: {args[0]}"), proc.stderr
    assert "HF_HUB_OFFLINE=1" in last
