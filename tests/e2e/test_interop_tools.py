"""Clients nobody here wrote, in their own virtual environments, against `alphamed serve` on the tiny model:
lm-evaluation-harness (`local-completions` with token-id prompts, `local-chat-completions`, a local
generate-until task) and `vllm bench serve` (which also asks /tokenize and /detokenize). Each fails if any
request fails. `make test-interop` builds the lm-eval environment; vLLM's is `make vllm-env`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from gateway_process import GatewayProcess

pytestmark = [pytest.mark.require_interop, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
LMEVAL_PYTHON = Path(os.environ.get("ALPHAMED_LMEVAL_PYTHON", ROOT / ".venv-lmeval/bin/python"))
VLLM_PYTHON = Path(os.environ.get("ALPHAMED_VLLM_PYTHON", ROOT / ".venv-vllm/bin/python"))
TASK = """\
task: alphamed_tiny_gen
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: generate_until
doc_to_text: "{{{{question}}}}"
doc_to_target: "{{{{answer}}}}"
generation_kwargs:
  until: ["\\n"]
  max_gen_toks: 12
  do_sample: false
metric_list:
  - metric: exact_match
"""


def _need(python: Path, what: str) -> None:
    if python.exists():
        return
    if os.environ.get("ALPHAMED_REQUIRE_INTEROP") == "1":
        pytest.fail(f"no {what} environment at {python}")
    pytest.skip(f"no {what} environment at {python} (make test-interop)")


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    s = GatewayProcess(
        str(tiny_model_dir),
        "--backend",
        "transformers",
        "--served-model-name",
        "tiny",
        "--log-level",
        "warning",
        "--max-concurrency",
        "4",
    )
    yield s
    s.stop()


def _non_200(url: str) -> list[str]:
    text = httpx.get(url + "/metrics", timeout=10).text
    return [
        line
        for line in text.splitlines()
        if line.startswith("alphamed_requests_total{")
        and not re.search(r'status="200"', line)
        and not line.endswith(" 0.0")
    ]


def _lm_eval(server, tmp_path: Path, model: str, path: str, *extra: str, cli: tuple[str, ...] = ()) -> dict:
    _need(LMEVAL_PYTHON, "lm-evaluation-harness")
    tasks = tmp_path / "tasks"
    tasks.mkdir(exist_ok=True)
    (tasks / "alphamed_tiny_gen.yaml").write_text(
        TASK.format(data=ROOT / "tests/fixtures/lm_eval_task/questions.jsonl")
    )
    out = tmp_path / "out"
    args = [
        str(LMEVAL_PYTHON),
        "-m",
        "lm_eval",
        "--model",
        model,
        "--model_args",
        f"model=tiny,base_url={server.url}{path},num_concurrent=2,max_retries=1,{','.join(extra)}".rstrip(","),
        "--tasks",
        "alphamed_tiny_gen",
        "--include_path",
        str(tasks),
        "--output_path",
        str(out),
        "--log_samples",
    ]
    if model == "local-chat-completions":
        args.append("--apply_chat_template")
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads(next(out.rglob("results_*.json")).read_text())
    samples = [json.loads(line) for f in out.rglob("samples_*.jsonl") for line in f.read_text().splitlines()]
    return {"results": results, "samples": samples}


def test_lm_eval_local_completions_with_token_ids(server, tiny_model_dir, tmp_path):
    run = _lm_eval(
        server,
        tmp_path,
        "local-completions",
        "/v1/completions",
        "tokenizer_backend=remote",  # the gateway's /tokenizer_info, /tokenize, /detokenize
        "tokenized_requests=True",
        cli=("--batch_size", "4"),
    )
    assert len(run["samples"]) == 8
    assert "exact_match,none" in run["results"]["results"]["alphamed_tiny_gen"]
    assert _non_200(server.url) == []


def test_lm_eval_local_chat_completions(server, tmp_path):
    run = _lm_eval(server, tmp_path, "local-chat-completions", "/v1/chat/completions", "tokenized_requests=False")
    assert len(run["samples"]) == 8
    assert _non_200(server.url) == []


def test_vllm_bench_serve(server, tiny_model_dir, tmp_path):
    _need(VLLM_PYTHON, "vLLM")
    script = (
        "import sys; from vllm.utils.argparse_utils import FlexibleArgumentParser; "
        "from vllm.benchmarks import serve; p = FlexibleArgumentParser(); serve.add_cli_args(p); "
        "serve.main(p.parse_args(sys.argv[1:]))"
    )
    args = [
        str(VLLM_PYTHON),
        "-c",
        script,
        "--backend",
        "openai",
        "--base-url",
        server.url,
        "--endpoint",
        "/v1/completions",
        "--model",
        "tiny",
        "--tokenizer",
        str(tiny_model_dir),
        "--dataset-name",
        "random",
        "--random-input-len",
        "16",
        "--random-output-len",
        "8",
        "--num-prompts",
        "16",
        "--max-concurrency",
        "4",
        "--ignore-eos",
        "--disable-tqdm",
        "--save-result",
        "--result-dir",
        str(tmp_path),
        "--result-filename",
        "bench.json",
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, env={**os.environ})
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads((tmp_path / "bench.json").read_text())
    assert (result["completed"], result.get("failed", 0)) == (16, 0), done.stdout[-2000:]
    assert "/tokenize unavailable" not in done.stdout
    assert _non_200(server.url) == []


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
