"""The SGLang backend (``--upstream`` mode) against the faithful SGLang HTTP stub."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alphamed_serve.backend import BackendError, BackendOptions, GenerationRequest  # noqa: E402
from alphamed_serve.backends import create_backend  # noqa: E402
from stub_process import stub_server  # noqa: E402

QUESTION = [{"role": "user", "content": "Which drug treats anaphylaxis? A. epinephrine B. insulin"}]
ANSWER = "The final answer is: $\\boxed{A}$"


@pytest.fixture(scope="module")
def sglang_url():
    """An SGLang stub with a reasoning parser and an API key (as `launch_server` would run)."""
    with stub_server(
        "--model-path",
        "/models/alphamed",
        "--served-model-name",
        "alphamed-stub",
        "--reasoning-parser",
        "deepseek-r1",
        "--api-key",
        "sekrit",
        "--context-length",
        "512",
    ) as url:
        yield url


@pytest.fixture(scope="module")
def plain_sglang_url():
    """An SGLang stub without a reasoning parser: raw text comes back, think tags included."""
    with stub_server("--model-path", "/models/plain") as url:
        yield url


async def _backend(url: str, **kw):
    options = BackendOptions(model="/models/alphamed", upstream=url + "/v1", **kw)
    backend = create_backend("sglang", options)
    await backend.start()
    return backend


async def _collect(backend, request):
    deltas = [d async for d in backend.stream(request)]
    by_index: dict[int, dict] = {}
    for d in deltas:
        slot = by_index.setdefault(d.index, {"text": "", "reasoning": "", "finish": []})
        slot["text"] += d.text
        slot["reasoning"] += d.reasoning or ""
        if d.finish_reason:
            slot["finish"].append(d.finish_reason)
    return deltas, by_index


async def test_model_info_comes_from_the_engine(sglang_url):
    backend = await _backend(sglang_url, reasoning_parser="deepseek-r1", upstream_api_key="sekrit")
    try:
        info = backend.model_info()
        assert info.id == "alphamed-stub"
        assert info.context_length == 512
        assert (await backend.health()).ok
    finally:
        await backend.stop()


async def test_engine_split_reasoning_is_used_not_split_again(sglang_url):
    backend = await _backend(sglang_url, reasoning_parser="deepseek-r1", upstream_api_key="sekrit")
    try:
        result = await backend.generate(GenerationRequest(messages=QUESTION, n=2, max_tokens=100))
        assert [o.index for o in result.outputs] == [0, 1]
        for out in result.outputs:
            assert out.text == ANSWER
            assert out.reasoning.startswith("The patient has Which drug")
            assert "<think>" not in out.reasoning and "</think>" not in out.text
            assert out.finish_reason == "stop"
        assert result.prompt_tokens == len(QUESTION[0]["content"].split())
        sent = httpx.get(sglang_url + "/stub/requests", headers={"Authorization": "Bearer sekrit"}).json()[-1]
        assert sent["separate_reasoning"] is True and sent["model"] == "alphamed-stub"
    finally:
        await backend.stop()


async def test_stream_reasoning_content_deltas_one_finish_per_choice(sglang_url):
    backend = await _backend(sglang_url, reasoning_parser="deepseek-r1", upstream_api_key="sekrit")
    try:
        deltas, by_index = await _collect(backend, GenerationRequest(messages=QUESTION, n=2, max_tokens=100))
        assert sorted(by_index) == [0, 1]
        for slot in by_index.values():
            assert slot["text"] == ANSWER
            assert slot["reasoning"].startswith("The patient has")
            assert slot["finish"] == ["stop"]  # SGLang repeats it; the backend reports it once
        assert sum(1 for d in deltas if d.reasoning) > 3  # streamed piece by piece, not buffered
        assert all(d.reasoning is not None for d in deltas)  # the gateway must not split the content again
        assert deltas[-1].finish_reason and deltas[-1].prompt_tokens == len(QUESTION[0]["content"].split())
        assert deltas[-1].completion_tokens > 0
    finally:
        await backend.stop()


async def test_without_parser_raw_text_comes_back_for_the_gateway_to_split(plain_sglang_url):
    backend = await _backend(plain_sglang_url)
    try:
        result = await backend.generate(GenerationRequest(messages=QUESTION))
        assert result.outputs[0].reasoning is None
        assert result.outputs[0].text.startswith("<think>") and result.outputs[0].text.endswith(ANSWER)
        _, by_index = await _collect(backend, GenerationRequest(messages=QUESTION))
        assert by_index[0]["text"] == result.outputs[0].text and by_index[0]["reasoning"] == ""
        deltas, _ = await _collect(backend, GenerationRequest(messages=QUESTION))
        assert all(d.reasoning is None for d in deltas)  # left to the gateway's splitter
    finally:
        await backend.stop()


async def test_length_finish_and_completions_route(plain_sglang_url):
    backend = await _backend(plain_sglang_url)
    try:
        result = await backend.generate(GenerationRequest(prompt="chest pain", max_tokens=3))
        assert result.outputs[0].finish_reason == "length"
        assert result.outputs[0].text.count(" ") == 2
        _, by_index = await _collect(backend, GenerationRequest(prompt="chest pain", max_tokens=3))
        assert by_index[0]["finish"] == ["length"] and by_index[0]["text"] == result.outputs[0].text
    finally:
        await backend.stop()


async def test_missing_api_key_is_an_openai_shaped_401(sglang_url):
    backend = await _backend(sglang_url)
    try:
        with pytest.raises(BackendError) as err:
            await backend.generate(GenerationRequest(messages=QUESTION))
        assert err.value.status == 401 and err.value.type == "authentication_error"
        assert err.value.message == "Unauthorized"
    finally:
        await backend.stop()


async def test_too_long_request_is_a_400_with_sglang_message(sglang_url):
    backend = await _backend(sglang_url, upstream_api_key="sekrit")
    try:
        with pytest.raises(BackendError) as err:
            await backend.generate(GenerationRequest(messages=QUESTION, max_tokens=10_000))
        assert err.value.status == 400 and err.value.type == "invalid_request_error"
        assert "maximum context length of 512" in err.value.message
        with pytest.raises(BackendError) as err:
            [d async for d in backend.stream(GenerationRequest(messages=QUESTION, max_tokens=10_000))]
        assert err.value.status == 400
    finally:
        await backend.stop()


@pytest.mark.parametrize(
    ("marker", "status", "words"),
    [("__500__", 500, "sglang engine error (HTTP 500): Internal server error"), ("__malformed__", 502, "not JSON")],
)
async def test_engine_failures_become_clear_errors(plain_sglang_url, marker, status, words):
    backend = await _backend(plain_sglang_url)
    try:
        with pytest.raises(BackendError) as err:
            await backend.generate(GenerationRequest(messages=[{"role": "user", "content": marker}]))
        assert err.value.status == status and err.value.type == "server_error"
        assert words in err.value.message
        # the backend still serves the next request
        assert (await backend.generate(GenerationRequest(messages=QUESTION))).outputs
    finally:
        await backend.stop()


async def test_in_stream_error_is_raised(plain_sglang_url):
    backend = await _backend(plain_sglang_url)
    try:
        with pytest.raises(BackendError) as err:
            [
                d
                async for d in backend.stream(
                    GenerationRequest(messages=[{"role": "user", "content": "__stream_error__"}])
                )
            ]
        assert err.value.status == 500 and "stub in-stream failure" in err.value.message
    finally:
        await backend.stop()


async def test_unreachable_upstream_is_503_and_unhealthy():
    from stub_process import free_port

    url = f"http://127.0.0.1:{free_port()}"
    backend = await _backend(url)  # starting does not fail: a router may come up later
    try:
        health = await backend.health()
        assert not health.ok and health.status == "unreachable"
        with pytest.raises(BackendError) as err:
            await backend.generate(GenerationRequest(messages=QUESTION))
        assert err.value.status == 503 and "sglang engine unavailable" in err.value.message
        assert err.value.headers.get("Retry-After")
        with pytest.raises(BackendError) as err:
            [d async for d in backend.stream(GenerationRequest(messages=QUESTION))]
        assert err.value.status == 503
    finally:
        await backend.stop()


async def test_openai_backend_needs_an_upstream():
    backend = create_backend("openai", BackendOptions(model="m"))
    with pytest.raises(ValueError, match="--upstream"):
        await backend.start()


@pytest.fixture(scope="module")
def free_text_sglang_url():
    """An SGLang stub whose model writes AlphaMed's free text (no tags) with the deepseek-r1 parser on:
    SGLang's detector then puts the whole output, final-answer sentence included, in reasoning."""
    with stub_server(
        "--model-path", "/models/alphamed", "--reasoning-parser", "deepseek-r1", "--output-style", "free"
    ) as url:
        yield url


def test_free_text_answer_survives_the_engines_reasoning_parser(make_client, free_text_sglang_url):
    """Issue #15: the engine's split leaves content empty; the gateway still grades the whole output."""
    backend = create_backend(
        "sglang",
        BackendOptions(model="/models/alphamed", upstream=free_text_sglang_url, reasoning_parser="deepseek-r1"),
    )
    c = make_client(backend)
    body = {"messages": QUESTION, "max_tokens": 100, "n": 2}
    whole = c.post("/v1/chat/completions", json=body).json()["choices"]
    for choice in whole:
        assert choice["message"]["reasoning"].endswith(ANSWER)  # the engine's split, shown as it made it
        assert not choice["message"]["content"]
        assert choice["answer"]["letter"] == "A"
    lines = c.post("/v1/chat/completions", json={**body, "stream": True}).text.split("\n\n")
    events = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
    answers = [ch["answer"] for e in events for ch in e["choices"] if "answer" in ch]
    assert [a["letter"] for a in answers] == ["A", "A"]
    mcqa = c.post(
        "/v1/mcqa", json={"question": "Which drug treats anaphylaxis?", "options": ["epinephrine", "insulin"], "n": 2}
    ).json()
    assert mcqa["answer"] == "A" and mcqa["votes"] == {"A": 2}


def test_start_up_warns_once_about_an_engine_parser_on_a_free_text_model(free_text_sglang_url, tmp_path):
    from stub_process import free_port

    port = free_port()
    log = tmp_path / "gateway.log"
    cmd = [
        sys.executable,
        "-m",
        "alphamed",
        "serve",
        "/models/alphamed",
        "--backend",
        "sglang",
        "--upstream",
        free_text_sglang_url,
        "--reasoning-parser",
        "deepseek-r1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "Uvicorn running" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
    finally:
        proc.terminate()
        proc.wait(30)
    lines = [line for line in log.read_text().splitlines() if "--reasoning-parser deepseek-r1" in line]
    assert len(lines) == 1 and "WARNING" in lines[0] and "free-text model" in lines[0], log.read_text()
