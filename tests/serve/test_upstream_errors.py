"""Engine answers and failures, whatever their shape, become OpenAI-shaped errors and deltas."""

from __future__ import annotations

import json

import pytest
from alphamed_serve.backend import BackendError, GenerationRequest
from alphamed_serve.backends import openai_wire as proxy


@pytest.mark.parametrize(
    ("status", "body", "message", "type_", "param"),
    [
        # vLLM / SGLang >= 0.5.x: OpenAI envelope with an int code
        (
            404,
            {
                "error": {
                    "message": "The model `x` does not exist.",
                    "type": "NotFoundError",
                    "param": "model",
                    "code": 404,
                }
            },
            "The model `x` does not exist.",
            "not_found_error",
            "model",
        ),
        # SGLang 0.4/0.5 flat ErrorResponse
        (
            400,
            {"object": "error", "message": "too long", "type": "BadRequestError", "param": None, "code": 400},
            "too long",
            "invalid_request_error",
            None,
        ),
        # vLLM's and SGLang's API-key middleware
        (401, {"error": "Unauthorized"}, "Unauthorized", "authentication_error", None),
        # FastAPI default
        (
            422,
            {"detail": [{"loc": ["body", "n"], "msg": "bad"}]},
            "[{'loc': ['body', 'n'], 'msg': 'bad'}]",
            "invalid_request_error",
            None,
        ),
        (429, "slow down", "slow down", "rate_limit_error", None),
    ],
)
def test_client_errors_keep_their_message_and_status(status, body, message, type_, param):
    raw = json.dumps(body) if not isinstance(body, str) else body
    err = proxy.upstream_error(status, raw.encode(), "vllm")
    assert (err.status, err.message, err.type, err.param) == (status, message, type_, param)


def test_server_errors_name_the_engine():
    err = proxy.upstream_error(500, b"<html>Internal Server Error</html>", "sglang")
    assert err.status == 500 and err.type == "server_error" and err.code == "upstream_error"
    assert err.message == "sglang engine error (HTTP 500): <html>Internal Server Error</html>"


def test_empty_error_body_still_says_something():
    assert proxy.upstream_error(503, b"", "vllm").message == "vllm engine error (HTTP 503): HTTP 503"


@pytest.mark.parametrize("data", [{}, {"choices": [{"index": 0}]}, {"choices": "x"}, [1, 2]])
def test_malformed_completion_is_a_502(data):
    with pytest.raises(BackendError) as err:
        proxy.parse_result(data, chat=True, engine="vllm")
    assert err.value.status == 502 and "malformed" in err.value.message


def test_request_body_passes_engine_fields_through():
    req = GenerationRequest(
        messages=[{"role": "user", "content": "q"}],
        n=2,
        max_tokens=5,
        temperature=0.0,
        stop=["</answer>"],
        seed=1,
        extra={"structured_outputs": {"choice": ["A", "B"]}},
    )
    body = proxy.request_body(req, "m", stream=True)
    assert body["structured_outputs"] == {"choice": ["A", "B"]}
    assert body["stop"] == ["</answer>"] and body["temperature"] == 0.0 and body["seed"] == 1
    assert body["stream_options"] == {"include_usage": True} and "top_p" not in body


def test_stream_reader_one_finish_per_choice_and_usage_last():
    reader = proxy.StreamReader(chat=True, engine="vllm")
    chunks = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {"choices": [{"index": 0, "delta": {"reasoning": "think"}}]},
        {"choices": [{"index": 0, "delta": {"content": "A"}, "finish_reason": "length"}]},
        {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 2}},
    ]
    deltas = [d for c in chunks for d in reader.feed(json.dumps(c))] + reader.close(1)
    assert [(d.text, d.reasoning, d.finish_reason) for d in deltas] == [
        ("", "think", None),
        ("A", "", None),
        ("", "", "length"),
    ]
    assert (deltas[-1].prompt_tokens, deltas[-1].completion_tokens) == (7, 2)


@pytest.mark.parametrize("payload", ["{not json", "[1]"])
def test_malformed_stream_chunk_is_a_502(payload):
    with pytest.raises(BackendError) as err:
        proxy.StreamReader(chat=True, engine="vllm").feed(payload)
    assert err.value.status == 502


def test_content_after_engine_reasoning_is_never_split_again():
    """Once the engine split a choice (or runs a parser), every later delta says so (reasoning "")."""
    chunks = [
        {"choices": [{"index": 0, "delta": {"reasoning_content": "think", "content": None}}]},
        {"choices": [{"index": 0, "delta": {"reasoning_content": None, "content": "<think>odd</think>A"}}]},
        {"choices": [{"index": 1, "delta": {"content": "B"}, "finish_reason": "stop"}]},
    ]
    reader = proxy.StreamReader(chat=True, engine="sglang")
    deltas = [d for c in chunks for d in reader.feed(json.dumps(c))] + reader.close(2)
    assert [(d.index, d.reasoning) for d in deltas] == [(0, "think"), (0, ""), (1, None), (0, ""), (1, None)]
    parser_reader = proxy.StreamReader(chat=True, engine="vllm", engine_splits=True)
    assert parser_reader.feed(json.dumps(chunks[2]))[0].reasoning == ""
    whole = {"choices": [{"index": 0, "message": {"content": "A"}, "finish_reason": "stop"}]}
    assert proxy.parse_result(whole, chat=True, engine="vllm", engine_splits=True).outputs[0].reasoning == ""
    assert proxy.parse_result(whole, chat=True, engine="vllm").outputs[0].reasoning is None


def test_request_usage_is_shared_among_choices_exactly():
    """vLLM/SGLang report one completion count per request; each choice gets its share, the sum is exact."""
    whole = {
        "choices": [
            {"index": 1, "message": {"content": "ab"}, "finish_reason": "length"},
            {"index": 0, "message": {"content": "abcdef"}, "finish_reason": "length"},
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 9},
    }
    outs = proxy.parse_result(whole, chat=True, engine="vllm").outputs
    assert [(o.index, o.completion_tokens) for o in outs] == [(0, 7), (1, 2)]
    reader = proxy.StreamReader(chat=False, engine="vllm")
    for i in (0, 1, 0, 0):
        reader.feed(json.dumps({"choices": [{"index": i, "text": "x"}]}))
    reader.feed(json.dumps({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}))
    assert [d.completion_tokens for d in reader.close(2)] == [3, 1]
