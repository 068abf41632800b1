"""The OpenAI-API contract every `alphamed serve` backend keeps, as tests shared by backend suites.

A suite imports the tests it runs by name (``from openai_contract import test_models, ...``) and
provides two module fixtures: ``server`` (a running ``GatewayProcess``) and ``tiny_model_dir``
(the model folder, whose name is the served model id). What differs between engines stays in
the suite: the vLLM suite checks vLLM's own ``max_model_len`` and prompt-length errors, the
transformers suite auth, overload and graceful shutdown.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

openai = pytest.importorskip("openai")

MSGS = [{"role": "user", "content": "A patient presents with fever and cough. Which drug?"}]


def test_models(server, tiny_model_dir):
    models = server.client().models.list()
    assert [m.id for m in models.data] == [tiny_model_dir.name]
    assert server.client().models.retrieve(tiny_model_dir.name).id == tiny_model_dir.name


def test_chat_has_reasoning_split_answer_and_usage(server, tiny_model_dir):
    r = server.client().chat.completions.create(
        model=tiny_model_dir.name, messages=MSGS, max_tokens=24, temperature=1.0, n=2
    )
    assert len(r.choices) == 2 and r.usage.prompt_tokens > 10
    # 24 tokens per choice, fewer only for a choice that sampled end-of-sequence (a random model can, at 1.0)
    full = all(c.finish_reason == "length" for c in r.choices)
    assert r.usage.completion_tokens == 48 if full else 0 < r.usage.completion_tokens < 48
    for c in r.choices:
        assert c.finish_reason in ("stop", "length")
        assert set(c.answer) == {"letter", "text", "method"}  # AlphaMed extension, via model_extra
    assert r.usage.completion_tokens_details.reasoning_tokens >= 0


def test_greedy_stream_equals_whole(server, tiny_model_dir):
    c = server.client()
    kw = dict(model=tiny_model_dir.name, messages=MSGS, max_tokens=32, temperature=0)
    whole = c.chat.completions.create(**kw).choices[0]
    content, reasoning, last, usage = [], [], None, None
    for chunk in c.chat.completions.create(stream=True, stream_options={"include_usage": True}, **kw):
        if chunk.choices:
            d = chunk.choices[0].delta
            content.append(d.content or "")
            reasoning.append(getattr(d, "reasoning", None) or "")
            last = chunk.choices[0]
        else:
            usage = chunk.usage
    assert usage.completion_tokens == 32
    assert "".join(content) == (whole.message.content or "")
    assert "".join(reasoning) == (getattr(whole.message, "reasoning", None) or "")
    assert last.finish_reason == whole.finish_reason
    assert last.answer == whole.answer


def test_async_client_concurrent_chats(server, tiny_model_dir):
    async def go():
        c = server.async_client()
        rs = await asyncio.gather(
            *[
                c.chat.completions.create(
                    model=tiny_model_dir.name,
                    max_tokens=8,
                    temperature=0,
                    messages=[{"role": "user", "content": f"case {i}"}],
                )
                for i in range(6)
            ]
        )
        stream = await c.chat.completions.create(model=tiny_model_dir.name, messages=MSGS, max_tokens=8, stream=True)
        chunks = [ch async for ch in stream]
        await c.close()
        return rs, chunks

    rs, chunks = asyncio.run(go())
    assert all(r.usage.completion_tokens == 8 for r in rs)
    assert chunks[-1].choices[0].finish_reason == "length"


def test_completions_with_logprobs(server, tiny_model_dir):
    r = server.client().completions.create(
        model=tiny_model_dir.name, prompt="The final answer is", max_tokens=6, temperature=0, logprobs=2
    )
    assert r.usage.completion_tokens == 6 and len(r.choices[0].logprobs.tokens) == 6


def test_mcqa_votes(server):
    r = httpx.post(
        server.url + "/v1/mcqa",
        timeout=120,
        json={
            "question": "First-line drug for type 2 diabetes?",
            "options": ["Insulin", "Metformin", "Warfarin"],
            "n": 4,
            "temperature": 1.0,
            "max_tokens": 16,
            "seed": 3,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["samples"]) == 4
    assert sum(body["votes"].values()) + body["abstained"] == 4
    letters = [s["answer"]["letter"] for s in body["samples"]]
    assert body["abstained"] == letters.count(None)
    if body["answer"] is not None:
        assert body["votes"][body["answer"]] == max(body["votes"].values())


@pytest.mark.parametrize(
    "kwargs,status,param",
    [
        (dict(messages=[]), 400, "messages"),
        (dict(messages=MSGS, n=0), 400, "n"),  # n itself is the engine's to limit (vLLM: pass@k wants 32-64)
        (dict(messages=MSGS, max_tokens=5000), 400, "max_tokens"),
        (dict(messages=MSGS, temperature="hot"), 400, "temperature"),
        (dict(messages=MSGS, model="gpt-4o"), 404, "model"),
    ],
)
def test_bad_input_is_an_openai_error(server, tiny_model_dir, kwargs, status, param):
    kwargs = {"model": tiny_model_dir.name, **kwargs}
    with pytest.raises(openai.APIStatusError) as info:
        server.client().chat.completions.create(max_tokens=kwargs.pop("max_tokens", 4), **kwargs)
    assert info.value.status_code == status
    assert info.value.body["param"] == param
    assert info.value.body["type"] == "invalid_request_error" or status == 404


def test_malformed_json(server):
    r = httpx.post(server.url + "/v1/chat/completions", content=b"{oops", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
