"""Chat and completions through the gateway against a scripted backend."""

from __future__ import annotations

import json

import pytest
from alphamed_serve.backend import GenerationOutput, GenerationResult, StreamDelta
from fake_backend import FakeBackend


def chat_body(**extra):
    """A minimal valid chat request body."""
    return {"model": "fake-model", "messages": [{"role": "user", "content": "Which drug?"}], **extra}


REPLY = "<think>Loop diuretic for edema.</think>The final answer is: $\\boxed{B}$"


def sse_events(text: str) -> list:
    events = [line[len("data: ") :] for line in text.split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    return [json.loads(e) for e in events[:-1]]


def test_models_list_and_get(client):
    data = client.get("/v1/models").json()["data"]
    assert [m["id"] for m in data] == ["fake-model"]
    assert client.get("/v1/models/fake-model").json()["id"] == "fake-model"
    r = client.get("/v1/models/other")
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"


def test_served_model_name_overrides_backend_id(make_client):
    c = make_client(served_model_name="alphamed-8b")
    assert c.get("/v1/models").json()["data"][0]["id"] == "alphamed-8b"
    assert c.post("/v1/chat/completions", json=chat_body(model="alphamed-8b")).status_code == 200
    assert c.post("/v1/chat/completions", json=chat_body()).status_code == 404


def test_chat_splits_reasoning_and_attaches_answer(client):
    r = client.post("/v1/chat/completions", json=chat_body(answer_options=["aspirin", "furosemide"]))
    assert r.status_code == 200
    choice = r.json()["choices"][0]
    assert choice["message"]["content"] == "The final answer is: $\\boxed{B}$"
    assert choice["message"]["reasoning"] == "Thinking."
    assert "reasoning_content" not in choice["message"]
    assert choice["answer"] == {"letter": "B", "text": "furosemide", "method": "boxed"}


@pytest.mark.parametrize(
    "field,expected",
    [
        ("reasoning", {"reasoning"}),
        ("reasoning_content", {"reasoning_content"}),
        ("both", {"reasoning", "reasoning_content"}),
    ],
)
def test_reasoning_field_name(make_client, field, expected):
    msg = (
        make_client(reasoning_field=field)
        .post("/v1/chat/completions", json=chat_body())
        .json()["choices"][0]["message"]
    )
    assert {k for k in msg if k.startswith("reasoning")} == expected


def test_answer_is_null_when_output_commits_to_nothing(make_client):
    c = make_client(FakeBackend("<think>I do not know"))
    choice = c.post("/v1/chat/completions", json=chat_body()).json()["choices"][0]
    assert choice["answer"] == {"letter": None, "text": None, "method": None}
    assert choice["message"]["content"] == ""


def test_n_choices_and_usage_with_reasoning_tokens(make_client):
    c = make_client(FakeBackend(REPLY))
    body = c.post("/v1/chat/completions", json=chat_body(n=3)).json()
    assert [ch["index"] for ch in body["choices"]] == [0, 1, 2]
    usage = body["usage"]
    assert usage["completion_tokens"] == 3 * len(REPLY.split())
    # "Loop diuretic for edema." is 4 words in the fake tokenizer, per choice
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 12
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_stream_concatenates_to_the_whole_response(make_client):
    c = make_client(FakeBackend(REPLY, chunk=2))
    whole = c.post("/v1/chat/completions", json=chat_body()).json()["choices"][0]
    r = c.post("/v1/chat/completions", json=chat_body(stream=True, stream_options={"include_usage": True}))
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    deltas = [e["choices"][0] for e in events if e["choices"]]
    assert deltas[0]["delta"]["role"] == "assistant"
    assert "".join(d["delta"].get("content", "") for d in deltas) == whole["message"]["content"]
    assert "".join(d["delta"].get("reasoning", "") for d in deltas) == whole["message"]["reasoning"]
    assert deltas[-1]["finish_reason"] == "stop"
    assert deltas[-1]["answer"]["letter"] == "B"
    assert all("answer" not in d for d in deltas[:-1])
    assert events[-1]["choices"] == [] and events[-1]["usage"]["completion_tokens"] == len(REPLY.split())


def test_stream_without_usage_has_no_usage_chunk(make_client):
    c = make_client(FakeBackend(REPLY))
    events = sse_events(c.post("/v1/chat/completions", json=chat_body(stream=True)).text)
    assert all(e["choices"] for e in events)


class PreSplitBackend(FakeBackend):
    """An engine that already split the reasoning (like vLLM with a reasoning parser)."""

    async def generate(self, request):
        return GenerationResult(
            [GenerationOutput(0, "<think>not a tag here</think>C", "stop", 5, reasoning="engine reasoning")],
            prompt_tokens=3,
        )

    async def stream(self, request):
        yield StreamDelta(0, "", reasoning="engine reasoning")
        yield StreamDelta(0, "<think>not a tag here</think>C", reasoning="", finish_reason="stop")


def test_backend_split_reasoning_is_not_split_again(make_client):
    c = make_client(PreSplitBackend())
    msg = c.post("/v1/chat/completions", json=chat_body()).json()["choices"][0]["message"]
    assert msg == {"role": "assistant", "content": "<think>not a tag here</think>C", "reasoning": "engine reasoning"}
    events = sse_events(c.post("/v1/chat/completions", json=chat_body(stream=True)).text)
    deltas = [e["choices"][0]["delta"] for e in events]
    assert "".join(d.get("content", "") for d in deltas) == "<think>not a tag here</think>C"
    assert "".join(d.get("reasoning", "") for d in deltas) == "engine reasoning"


def test_sampling_settings_reach_the_backend(make_client):
    fake = FakeBackend(REPLY)
    c = make_client(fake)
    c.post(
        "/v1/chat/completions",
        json=chat_body(
            temperature=0.3,
            top_p=0.9,
            max_completion_tokens=50,
            max_tokens=7,
            stop="END",
            seed=11,
            top_k=5,
            some_future_field={"x": 1},
        ),
    )
    req = fake.requests[-1]
    assert (req.temperature, req.top_p, req.max_tokens, req.stop, req.seed) == (0.3, 0.9, 50, ["END"], 11)
    assert req.extra == {"top_k": 5, "some_future_field": {"x": 1}}


def test_unknown_fields_are_logged_not_rejected(client, caplog):
    caplog.set_level("INFO", logger="alphamed_serve")
    r = client.post("/v1/chat/completions", json=chat_body(frequency_penalty=0.5, user="u1"))
    assert r.status_code == 200
    assert "frequency_penalty" in caplog.text and "user" in caplog.text


def test_list_content_parts_are_joined(make_client):
    fake = FakeBackend()
    c = make_client(fake)
    body = chat_body(
        messages=[{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]
    )
    assert c.post("/v1/chat/completions", json=body).status_code == 200
    assert fake.requests[-1].messages[0]["content"] == "ab"


def test_completions_raw_text_echo_and_answer(make_client):
    c = make_client(FakeBackend(REPLY))
    body = c.post("/v1/completions", json={"model": "fake-model", "prompt": "Q:", "echo": True}).json()
    assert body["object"] == "text_completion"
    assert body["choices"][0]["text"] == "Q:" + REPLY
    assert body["choices"][0]["answer"]["letter"] == "B"
    events = sse_events(c.post("/v1/completions", json={"prompt": "Q:", "stream": True}).text)
    assert "".join(e["choices"][0]["text"] for e in events) == REPLY
    assert events[-1]["choices"][0]["answer"]["letter"] == "B"


def test_finish_reason_length(make_client):
    c = make_client(FakeBackend("one two three four"))
    choice = c.post("/v1/chat/completions", json=chat_body(max_tokens=2)).json()["choices"][0]
    message = choice["message"]
    # free text with no final-answer sentence is all reasoning (the split the stream can make too)
    assert choice["finish_reason"] == "length"
    assert (message.get("reasoning") or "") + (message["content"] or "") == "one two"


FREE_REPLY = (
    "Edema with hypertension calls for a loop diuretic.\nFurosemide fits best.\nThe final answer is: $\\boxed{B}$"
)


def test_free_text_reasoning_streams_before_the_answer(make_client):
    """The released model reasons in free text: its reasoning must stream as it is generated,
    and only the final-answer sentence is content (the same split as the whole response)."""
    c = make_client(FakeBackend(FREE_REPLY, chunk=4, delay=0.02))  # an engine's pace: not one burst
    whole = c.post("/v1/chat/completions", json=chat_body()).json()["choices"][0]["message"]
    assert whole["content"] == "The final answer is: $\\boxed{B}$"
    assert whole["reasoning"].startswith("Edema with hypertension")
    events = sse_events(c.post("/v1/chat/completions", json=chat_body(stream=True)).text)
    deltas = [e["choices"][0]["delta"] for e in events if e["choices"]]
    first_reasoning = next(i for i, d in enumerate(deltas) if d.get("reasoning"))
    assert first_reasoning < len(deltas) // 2  # not held back until the end
    assert "".join(d.get("reasoning") or "" for d in deltas) == whole["reasoning"]
    assert "".join(d.get("content") or "" for d in deltas) == whole["content"]


def test_untagged_text_as_content_for_direct_answer_models(make_client):
    c = make_client(FakeBackend("B. Furosemide"), untagged_text="content")
    message = c.post("/v1/chat/completions", json=chat_body()).json()["choices"][0]["message"]
    assert message["content"] == "B. Furosemide" and not message.get("reasoning")
