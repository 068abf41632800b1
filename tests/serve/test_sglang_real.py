"""The SGLang backend against a real SGLang engine: runs on a CUDA machine with sglang installed.

SGLang needs CUDA to install, so on CPU machines (and in CI here) this is skipped; the
HTTP stub tests (test_sglang_backend.py) cover the wire format. Point
``ALPHAMED_SGLANG_PYTHON`` at the interpreter of an SGLang environment to use a separate one.
"""

from __future__ import annotations

import os

import pytest
import pytest_asyncio
from alphamed_serve.backend import BackendOptions, GenerationRequest
from alphamed_serve.backends import create_backend
from alphamed_serve.backends.auto import engine_installed, gpu_present

SGLANG_PYTHON = os.environ.get("ALPHAMED_SGLANG_PYTHON")

pytestmark = [
    pytest.mark.require_gpu,
    pytest.mark.skipif(not gpu_present(), reason="SGLang needs a CUDA GPU"),
    pytest.mark.skipif(not engine_installed("sglang", SGLANG_PYTHON), reason="sglang is not installed"),
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.timeout(900),
]

QUESTION = [{"role": "user", "content": "Which drug is first-line for anaphylaxis? A. epinephrine B. insulin"}]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def sglang_backend(tiny_model_dir):
    options = BackendOptions(
        model=str(tiny_model_dir),
        served_model_name="alphamed-tiny",
        max_model_len=1024,
        gpu_memory_utilization=0.3,
        reasoning_parser="deepseek-r1",
        engine_python=SGLANG_PYTHON,
        startup_timeout=600,
    )
    backend = create_backend("sglang", options)
    await backend.start()
    yield backend
    await backend.stop()


async def test_health_and_model_info(sglang_backend):
    assert (await sglang_backend.health()).ok
    info = sglang_backend.model_info()
    assert info.id == "alphamed-tiny" and info.context_length == 1024


async def test_generate_and_stream_agree(sglang_backend):
    request = GenerationRequest(messages=QUESTION, max_tokens=12, temperature=0.0)
    whole = (await sglang_backend.generate(request)).outputs[0]
    deltas = [d async for d in sglang_backend.stream(request)]
    assert "".join(d.text for d in deltas) == whole.text
    assert "".join(d.reasoning or "" for d in deltas) == (whole.reasoning or "")
    assert [d.finish_reason for d in deltas if d.finish_reason] == ["length"]


async def test_n_choices(sglang_backend):
    result = await sglang_backend.generate(GenerationRequest(messages=QUESTION, n=3, max_tokens=4))
    assert [o.index for o in result.outputs] == [0, 1, 2]
