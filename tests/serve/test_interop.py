"""What tools nobody here wrote send to an OpenAI-compatible server (lm-eval, `vllm bench`, browsers, pass@k
scripts), against the gateway on the fake backend and, for what the engine must do, in front of an upstream."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from alphamed_serve.backend import BackendOptions
from alphamed_serve.backends import create_backend
from alphamed_serve.constraints import constrain
from fake_backend import FakeBackend

# ---------------------------------------------------------------- /v1/completions prompt forms (vLLM's)


@pytest.mark.parametrize(
    ("prompt", "prompts"),
    [("one two", 1), (["one", "two three"], 2), ([5, 6, 7], 1), ([[5, 6], [7, 8, 9]], 2)],
)
def test_completions_take_every_prompt_form_vllm_takes(client, prompt, prompts):
    r = client.post("/v1/completions", json={"prompt": prompt, "n": 2, "max_tokens": 8})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["index"] for c in body["choices"]] == list(range(2 * prompts))
    assert all("answer" in c for c in body["choices"])


def test_completions_batch_usage_counts_every_prompt(client):
    one = client.post("/v1/completions", json={"prompt": [[5, 6, 7]]}).json()["usage"]["prompt_tokens"]
    two = client.post("/v1/completions", json={"prompt": [[5, 6, 7], [8, 9, 10]]}).json()["usage"]["prompt_tokens"]
    assert (one, two) == (3, 6)


def test_echo_of_token_ids_is_their_text(client):
    r = client.post("/v1/completions", json={"prompt": [ord("h"), ord("i")], "echo": True, "max_tokens": 4})
    assert r.json()["choices"][0]["text"].startswith("hi")


def test_a_streamed_batch_is_a_400_naming_prompt(client):
    r = client.post("/v1/completions", json={"prompt": ["a", "b"], "stream": True})
    assert r.status_code == 400 and r.json()["error"]["param"] == "prompt"


# ---------------------------------------------------------------- /tokenize, /detokenize (vLLM's shapes)


def test_tokenize_and_detokenize(client):
    r = client.post("/tokenize", json={"prompt": "hi"})
    assert r.status_code == 200
    assert r.json() == {"count": 2, "max_model_len": 256, "tokens": [104, 105], "token_strs": None}
    chat = client.post("/tokenize", json={"messages": [{"role": "user", "content": "ab"}]}).json()
    assert chat["count"] == 2
    assert client.post("/detokenize", json={"tokens": [104, 105]}).json() == {"prompt": "hi"}
    info = client.get("/tokenizer_info").json()
    assert {"eos_token", "bos_token", "pad_token", "chat_template"} <= set(info)


def test_tokenize_errors_are_openai_shaped(make_client):
    client = make_client(api_key="k")
    assert client.post("/tokenize", json={"prompt": "hi"}).status_code == 401
    auth = {"Authorization": "Bearer k"}
    r = client.post("/tokenize", json={"prompt": "a", "messages": [{"role": "user", "content": "b"}]}, headers=auth)
    assert r.status_code == 400 and r.json()["error"]["param"] == "prompt"
    r = client.post("/detokenize", json={"tokens": [2**40]}, headers=auth)
    assert r.status_code == 400 and r.json()["error"]["param"] == "tokens"
    r = client.post("/tokenize", json={"prompt": "a", "model": "other"}, headers=auth)
    assert r.status_code == 404


# ---------------------------------------------------------------- X-Request-Id, CORS


def test_request_id_is_echoed_or_made(client):
    given = client.post("/v1/completions", json={"prompt": "x"}, headers={"X-Request-Id": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    made = client.get("/v1/models").headers["x-request-id"]
    assert len(made) == 32
    error = client.post("/v1/completions", json={"prompt": 1}, headers={"X-Request-Id": "bad-1"})
    assert error.status_code == 400 and error.headers["x-request-id"] == "bad-1"


def test_cors_is_off_by_default_and_on_for_allowed_origins(make_client):
    preflight = {
        "Origin": "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    off = make_client().options("/v1/chat/completions", headers=preflight)
    assert "access-control-allow-origin" not in off.headers
    on = make_client(allowed_origins=("https://app.example",), api_key="k")
    r = on.options("/v1/chat/completions", headers=preflight)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://app.example"
    got = on.get("/v1/models", headers={"Origin": "https://app.example", "Authorization": "Bearer k"})
    assert got.headers["access-control-allow-origin"] == "https://app.example"
    assert "x-request-id" in got.headers["access-control-expose-headers"].lower()
    other = on.options("/v1/chat/completions", headers={**preflight, "Origin": "https://evil.example"})
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_serve_cli_has_allowed_origins():
    from alphamed_serve.cli import serve
    from click.testing import CliRunner

    assert "--allowed-origins" in CliRunner().invoke(serve, ["--help"]).output


# ---------------------------------------------------------------- constrained decoding


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("guided_choice", ["A", "B"]),
        ("guided_json", {"type": "object"}),
        ("guided_regex", "[AB]"),
        ("structured_outputs", {"choice": ["A"]}),
        ("response_format", {"type": "json_object"}),
    ],
)
def test_a_constraint_the_backend_cannot_honour_is_a_400_naming_it(client, field, value):
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "q"}], field: value})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == field and field in r.json()["error"]["message"]


def test_plain_response_format_text_is_fine(client):
    r = client.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "q"}], "response_format": {"type": "text"}},
    )
    assert r.status_code == 200


def test_guided_fields_become_structured_outputs_for_vllm():
    extra = {"guided_choice": ["yes", "no"], "guided_decoding_backend": "xgrammar", "top_k": 5}
    assert constrain(extra, "vllm", "vllm") == {"structured_outputs": {"choice": ["yes", "no"]}, "top_k": 5}
    assert constrain({"guided_json": {"type": "object"}, "structured_outputs": {"regex": "a"}}, "vllm", "vllm") == {
        "structured_outputs": {"regex": "a", "json": {"type": "object"}}
    }


def test_guided_fields_become_sglang_fields():
    assert constrain({"guided_choice": ["a.b", "c"]}, "sglang", "sglang") == {"regex": r"(a\.b|c)"}
    assert constrain({"guided_grammar": "root ::= 'x'"}, "sglang", "sglang") == {"ebnf": "root ::= 'x'"}
    assert constrain({"guided_json": '{"type": "object"}'}, "sglang", "sglang")["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "guided", "schema": {"type": "object"}},
    }


# ---------------------------------------------------------------- in front of an engine


class _Recorder(BaseHTTPRequestHandler):
    """An OpenAI-compatible upstream that records each request's headers and body."""

    seen: list[tuple[dict[str, str], dict]] = []

    def log_message(self, *args) -> None:
        pass

    def _reply(self, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._reply({"object": "list", "data": [{"id": "up", "object": "model", "max_model_len": 512}]})

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Recorder.seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
        if self.path == "/tokenize":
            self._reply({"count": 3, "max_model_len": 512, "tokens": [1, 2, 3], "token_strs": None})
            return
        n = body.get("n", 1)
        self._reply(
            {
                "id": "c",
                "object": "text_completion",
                "model": "up",
                "choices": [
                    {"index": i, "text": "The final answer is: $\\boxed{B}$", "finish_reason": "stop"}
                    for i in range(n)
                ],
                "usage": {"prompt_tokens": 3, "completion_tokens": 8, "total_tokens": 11},
            }
        )


@pytest.fixture
def upstream_client(make_client):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.seen.clear()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def _make(name: str):
        return make_client(create_backend(name, BackendOptions(model="up", upstream=url)))

    yield _make
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("backend", ["openai", "vllm"])
def test_n_is_the_engines_to_limit_not_16(upstream_client, backend):
    r = upstream_client(backend).post("/v1/completions", json={"prompt": "q", "n": 64})
    assert r.status_code == 200, r.text
    assert len(r.json()["choices"]) == 64
    assert _Recorder.seen[-1][1]["n"] == 64


def test_request_id_reaches_the_engine(upstream_client):
    client = upstream_client("vllm")
    r = client.post("/v1/completions", json={"prompt": "q"}, headers={"X-Request-Id": "trace-7"})
    assert r.headers["x-request-id"] == "trace-7"
    assert _Recorder.seen[-1][0]["x-request-id"] == "trace-7"
    client.post("/v1/completions", json={"prompt": "q", "stream": False})
    assert len(_Recorder.seen[-1][0]["x-request-id"]) == 32  # a made id goes to the engine as well


def test_token_ids_and_guided_choice_reach_vllm_as_vllm_takes_them(upstream_client):
    client = upstream_client("vllm")
    r = client.post("/v1/completions", json={"prompt": [[1, 2, 3]], "guided_choice": ["A", "B"]})
    assert r.status_code == 200, r.text
    body = _Recorder.seen[-1][1]
    assert body["prompt"] == [1, 2, 3]
    assert body["structured_outputs"] == {"choice": ["A", "B"]} and "guided_choice" not in body


def test_tokenize_goes_to_the_engine(upstream_client):
    r = upstream_client("vllm").post("/tokenize", json={"prompt": "abc"})
    assert r.status_code == 200 and r.json()["tokens"] == [1, 2, 3]
    assert _Recorder.seen[-1][1]["prompt"] == "abc"


def test_fake_backend_still_caps_n(make_client):
    r = make_client(FakeBackend(max_n=8)).post("/v1/completions", json={"prompt": "q", "n": 9})
    assert r.status_code == 400 and r.json()["error"]["param"] == "n"


def test_engine_metrics_are_on_the_gateways_metrics(make_client, tmp_path):
    """The engine's own vllm:* families (KV cache, queue) beside alphamed_*; not its process/python ones."""
    exposition = (
        "# HELP vllm:kv_cache_usage_perc KV-cache usage.\n# TYPE vllm:kv_cache_usage_perc gauge\n"
        'vllm:kv_cache_usage_perc{engine="0",model_name="up"} 0.25\n'
        "# TYPE python_gc_objects_collected_total counter\npython_gc_objects_collected_total 7.0\n"
    )

    class Engine(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            data = (
                exposition
                if self.path == "/metrics"
                else json.dumps({"object": "list", "data": [{"id": "up", "max_model_len": 64}]})
            ).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Engine)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        client = make_client(create_backend("vllm", BackendOptions(model="up", upstream=url)))
        client.get("/v1/models")
        text = client.get("/metrics").text
        assert 'vllm:kv_cache_usage_perc{engine="0",model_name="up"} 0.25' in text
        assert "# TYPE vllm:kv_cache_usage_perc gauge" in text
        assert "alphamed_requests_total" in text and "python_gc_objects_collected_total" not in text
        from prometheus_client.parser import text_string_to_metric_families

        assert {"vllm:kv_cache_usage_perc", "alphamed_requests"} <= {
            f.name for f in text_string_to_metric_families(text)
        }
    finally:
        server.shutdown()
        server.server_close()
