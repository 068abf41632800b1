"""The embedded transformers backend on the tiny model: batching, streaming, sampling settings."""

from __future__ import annotations

import asyncio

import pytest
from alphamed_serve.backend import BackendOptions, GenerationRequest
from alphamed_serve.backends.batching import StopText

pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def backend(tiny_model_dir):
    from alphamed_serve.backends import create_backend

    b = create_backend("transformers", BackendOptions(model=str(tiny_model_dir), max_batch_size=8))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(b.start())
    yield b, loop
    loop.run_until_complete(b.stop())
    loop.close()


def chat(text, **kw):
    return GenerationRequest(messages=[{"role": "user", "content": text}], **kw)


def run(backend_loop, coro):
    return backend_loop[1].run_until_complete(coro)


@pytest.mark.parametrize(
    "pushes,emitted,hit",
    [
        (["hello ", "wor", "ld"], "hello world", False),
        (["abc<", "/ans", "wer> tail"], "abc", True),
        (["x</", "y"], "x</y", False),
    ],
)
def test_stop_text_holds_back_partial_matches(pushes, emitted, hit):
    s = StopText(["</answer>"])
    out, reached = "", False
    for p in pushes:
        piece, reached = s.push(p)
        out += piece
        if reached:
            break
    if not reached:
        out += s.flush()
    assert (out, reached) == (emitted, hit)


def test_health_model_info_and_token_counts(backend, tiny_model_dir):
    b, _ = backend
    assert run(backend, b.health()).ok
    info = b.model_info()
    assert info.id == tiny_model_dir.name and info.context_length == 2048
    n = b.count_tokens(chat("patient presents with fever"))
    assert 5 < n < 40
    assert b.count_text_tokens("fever") >= 1


def test_concurrent_requests_share_decode_steps_and_match_solo_greedy(backend):
    b, _ = backend
    prompts = [f"cough {'fever ' * i}" for i in range(6)]

    async def together():
        return await asyncio.gather(*[b.generate(chat(p, max_tokens=12, temperature=0)) for p in prompts])

    steps0 = b.engine.steps
    batched = run(backend, together())
    steps_batched = b.engine.steps - steps0
    solo = [run(backend, b.generate(chat(p, max_tokens=12, temperature=0))) for p in prompts]
    assert [r.outputs[0].text for r in batched] == [r.outputs[0].text for r in solo]
    assert all(r.outputs[0].completion_tokens == 12 for r in batched)
    # six 12-token generations run one after another take ~6 * 11 decode steps; batched ~11-22
    assert steps_batched < 3 * 12
    assert b.engine.max_rows_seen >= 2


def test_stream_concatenation_equals_generate(backend):
    b, _ = backend
    req = chat("which drug", max_tokens=16, temperature=0)
    whole = run(backend, b.generate(req)).outputs[0]

    async def collect():
        return [d async for d in b.stream(req)]

    deltas = run(backend, collect())
    assert "".join(d.text for d in deltas) == whole.text
    assert deltas[-1].finish_reason == whole.finish_reason == "length"
    assert deltas[-1].completion_tokens == 16 and deltas[-1].prompt_tokens > 0
    assert all(d.finish_reason is None for d in deltas[:-1])


def test_seed_reproducible_n_choices_differ(backend):
    b, _ = backend
    req = chat("fever", max_tokens=10, temperature=1.0, n=3, seed=7)
    a = [o.text for o in run(backend, b.generate(req)).outputs]
    again = [o.text for o in run(backend, b.generate(req)).outputs]
    assert a == again
    assert len(set(a)) > 1


def test_stop_strings_truncate(backend):
    b, _ = backend
    free = run(backend, b.generate(chat("fever", max_tokens=20, temperature=1.0, seed=1))).outputs[0].text
    stop = free[3:5]
    cut = run(backend, b.generate(chat("fever", max_tokens=20, temperature=1.0, seed=1, stop=[stop]))).outputs[0]
    assert cut.finish_reason == "stop"
    assert cut.text == free[: free.index(stop)]


def test_logprobs_shapes(backend):
    b, _ = backend
    out = run(backend, b.generate(chat("fever", max_tokens=4, temperature=0, logprobs=True, top_logprobs=2)))
    content = out.outputs[0].logprobs["content"]
    assert len(content) == 4
    assert all(len(c["top_logprobs"]) == 2 and c["logprob"] <= 0 for c in content)
    # greedy picks the most likely token
    assert all(c["logprob"] >= c["top_logprobs"][0]["logprob"] - 1e-6 for c in content)
    comp = (
        run(
            backend,
            b.generate(GenerationRequest(prompt="fever", max_tokens=3, temperature=0, logprobs=True, top_logprobs=1)),
        )
        .outputs[0]
        .logprobs
    )
    assert len(comp["tokens"]) == len(comp["token_logprobs"]) == 3


def test_abandoned_stream_frees_the_batch(backend):
    b, _ = backend

    async def leave_early():
        agen = b.stream(chat("fever", max_tokens=500, temperature=1.0))
        await agen.__anext__()
        await agen.aclose()
        for _ in range(100):
            await asyncio.sleep(0.02)
            if not b.engine.rows:
                return True
        return False

    assert run(backend, leave_early())


@pytest.mark.parametrize("temperature", [1e-300, 5e-324, 1e-45])
def test_a_degenerate_temperature_samples_greedily(backend, temperature):
    b, _ = backend
    greedy = run(backend, b.generate(chat("fever and cough", max_tokens=8, temperature=0)))
    tiny = run(backend, b.generate(chat("fever and cough", max_tokens=8, temperature=temperature)))
    assert tiny.outputs[0].text == greedy.outputs[0].text


def test_one_failing_sequence_does_not_fail_the_rest_of_its_batch(backend):
    from alphamed_serve.backend import BackendError

    b, _ = backend
    healthy = [chat(f"cough {'fever ' * i}", max_tokens=24, temperature=0) for i in range(4)]
    broken = chat("fever", max_tokens=24, temperature=float("nan"))  # its sampling raises

    async def together():
        return await asyncio.gather(*[b.generate(r) for r in healthy + [broken]], return_exceptions=True)

    results = run(backend, together())
    assert isinstance(results[-1], BackendError) and results[-1].status == 500
    assert all(r.outputs[0].completion_tokens == 24 for r in results[:-1])
    assert run(backend, b.health()).ok


def test_an_empty_prompt_never_reaches_the_engine(backend):
    from alphamed_serve.backend import BackendError

    b, _ = backend
    with pytest.raises(BackendError) as info:
        run(backend, b.generate(GenerationRequest(prompt="", max_tokens=4)))
    assert (info.value.status, info.value.param, info.value.code) == (400, "prompt", "empty_prompt")


def test_a_prompt_far_past_the_context_is_refused_without_tokenizing(backend):
    from alphamed_serve.backend import BackendError

    b, _ = backend
    request = GenerationRequest(prompt="fever " * 1_000_000)
    with pytest.raises(BackendError) as info:
        b.count_tokens(request)
    assert info.value.code == "context_length_exceeded" and request.prompt_ids is None
