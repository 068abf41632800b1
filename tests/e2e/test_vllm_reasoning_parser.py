"""Issue #15 on the real engine: vLLM's ``deepseek_r1`` reasoning parser must not cost an AlphaMed answer.

AlphaMed checkpoints reason in free text and end with ``The final answer is: $\\boxed{B}$``; they never
write ``</think>``, so vLLM's ``deepseek_r1`` parser puts the whole output in ``reasoning`` and leaves
``content`` empty. The gateway in front (``alphamed serve --upstream``, not told about the parser)
must still find the answer, whole and streamed, as the core grades it. Needs ``.venv-vllm``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gateway_process import GatewayProcess  # noqa: E402
from router_support import ANSWER_LETTER, FREE_TEXT_REPLY, free_port, stop, teach_reasoning, wait_until  # noqa: E402

openai = pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = Path(os.environ.get("ALPHAMED_VLLM_PYTHON", ROOT / ".venv-vllm" / "bin" / "python"))

pytestmark = [
    pytest.mark.require_vllm,
    pytest.mark.skipif(not VLLM_PYTHON.exists(), reason=f"no vLLM environment at {VLLM_PYTHON} (make test-vllm)"),
    pytest.mark.timeout(900),
]

PROMPT = "Which drug is first-line?"  # one of the prompts the checkpoint was taught on


@pytest.fixture(scope="module")
def engine(tiny_model_dir, tmp_path_factory):
    """vLLM serving a checkpoint taught AlphaMed's free-text format, with ``--reasoning-parser deepseek_r1``."""
    work = tmp_path_factory.mktemp("vllm-parser")
    model = teach_reasoning(tiny_model_dir, work / "tiny-free-text", reply=FREE_TEXT_REPLY, steps=80)
    port, log = free_port(), work / "vllm.log"
    cmd = [
        str(VLLM_PYTHON),
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--max-model-len",
        "512",
        "--enforce-eager",
        "--reasoning-parser",
        "deepseek_r1",
    ]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: httpx.get(url + "/health", timeout=2).status_code == 200,
            timeout=600,
            what="vLLM /health",
            procs=(proc,),
            logs=(log,),
        )
        yield model, url
    finally:
        stop(proc, timeout=30)


@pytest.fixture(scope="module")
def gateway(engine):
    model, url = engine
    g = GatewayProcess(str(model), "--upstream", url, "--served-model-name", "tiny", "--log-level", "warning")
    yield g
    g.stop()


def test_the_engine_puts_the_whole_free_text_output_in_reasoning(engine):
    """The premise: what vLLM's parser does to AlphaMed's output (if vLLM changes, this says so)."""
    model, url = engine
    r = httpx.post(
        url + "/v1/chat/completions",
        timeout=120,
        json={
            "model": str(model),
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": 48,
            "temperature": 0,
        },
    ).json()
    message = r["choices"][0]["message"]
    assert message["reasoning"].strip() == FREE_TEXT_REPLY and not message["content"]


def test_answer_is_found_whole_and_streamed(gateway):
    client = gateway.client()
    messages = [{"role": "user", "content": PROMPT}]
    whole = client.chat.completions.create(model="tiny", messages=messages, max_tokens=48, temperature=0)
    assert whole.choices[0].message.model_extra["reasoning"].strip() == FREE_TEXT_REPLY  # the engine's split
    assert whole.choices[0].model_extra["answer"]["letter"] == ANSWER_LETTER
    answers = []
    for chunk in client.chat.completions.create(
        model="tiny", messages=messages, max_tokens=48, temperature=0, stream=True
    ):
        answers += [c.model_extra["answer"] for c in chunk.choices if c.model_extra.get("answer")]
    assert [a["letter"] for a in answers] == [ANSWER_LETTER]
