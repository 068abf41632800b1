"""The lm-eval bridge: our extractor as an lm-eval filter, and the AlphaMed task YAMLs.

The extraction and task-data tests run here; the end-to-end test runs lm-eval (its own virtual
environment, named by ``$ALPHAMED_LMEVAL_PYTHON``) against ``alphamed serve`` on the tiny model.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from alphamed_client.lm_eval_bridge import TASKS_DIR, bank_records, doc_to_text, extract_letter
from client_support import write_bank

OPTIONS = {"A": "alpha", "B": "beta", "C": "gamma", "D": "delta"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("output", "strict", "lenient"),
    [
        ("Thinking.\nThe final answer is: $\\boxed{C}$", "C", "C"),
        ("betx", "", "B"),  # the strict scorer abstains, the lenient one guesses
        ("", "", "A"),  # nothing at all: still an answer (the first option)
    ],
)
def test_extract_letter_is_our_scorer(output, strict, lenient):
    assert extract_letter(output, OPTIONS) == strict
    assert extract_letter(output, OPTIONS, "lenient") == lenient


def test_tasks_read_our_banks_with_the_alphamed_prompt(tmp_path, monkeypatch):
    monkeypatch.setenv("ALPHAMED_BANK", str(write_bank(tmp_path / "bank.jsonl", 3)))
    docs = bank_records("bank")
    assert [d["id"] for d in docs] == ["q0", "q1", "q2"] and json.loads(docs[1]["options"]) == OPTIONS
    text = doc_to_text(docs[1])
    assert "[id:q1]" in text and "B. beta" in text and "The final answer is: $\\boxed{X}$" in text
    tasks = sorted(p.stem for p in TASKS_DIR.glob("alphamed_*.yaml"))
    assert tasks == [
        "alphamed_bank",
        "alphamed_gpqa_med",
        "alphamed_medmcqa",
        "alphamed_medqa",
        "alphamed_medxpertqa",
        "alphamed_mmlu_pro_med",
        "alphamed_pubmedqa",
    ]


@pytest.mark.slow
@pytest.mark.require_interop  # make test-interop runs it, with lm-eval in its own environment
@pytest.mark.skipif(
    not os.environ.get("ALPHAMED_LMEVAL_PYTHON"),
    reason="set ALPHAMED_LMEVAL_PYTHON to the python of a virtual environment with lm-eval",
)
def test_lm_eval_scores_alphamed_serve_with_our_filter(tmp_path, tiny_model_dir):
    python = os.environ["ALPHAMED_LMEVAL_PYTHON"]
    pytest.importorskip("alphamed_serve.cli")
    from gateway_process import GatewayProcess

    bank = write_bank(tmp_path / "bank.jsonl", 4)
    server = GatewayProcess(
        str(tiny_model_dir), "--backend", "transformers", "--device", "cpu", "--served-model-name", "tiny", timeout=180
    )
    try:
        env = dict(
            os.environ,
            ALPHAMED_BANK=str(bank),
            OPENAI_API_KEY="EMPTY",
            PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "clients" / "python")]),
        )
        done = subprocess.run(
            [
                python,
                "-m",
                "lm_eval",
                "--model",
                "local-chat-completions",
                "--model_args",
                f"base_url={server.url}/v1/chat/completions,model=tiny,num_concurrent=1,max_retries=1,"
                "tokenized_requests=False",
                "--apply_chat_template",
                "--include_path",
                str(TASKS_DIR),
                "--tasks",
                "alphamed_bank",
                "--gen_kwargs",
                "max_gen_toks=24",
                "--log_samples",
                "--output_path",
                str(tmp_path / "lm-eval"),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(next((tmp_path / "lm-eval").rglob("results_*.json")).read_text())["results"]
    scores = results["alphamed_bank"]
    assert {"exact_match,strict", "exact_match,lenient"} <= scores.keys()
    samples = [
        json.loads(line)
        for line in next((tmp_path / "lm-eval").rglob("samples_alphamed_bank_*.jsonl")).read_text().splitlines()
    ]
    assert len(samples) == 8  # 4 questions x 2 filters
    for sample in samples:
        options = json.loads(sample["doc"]["options"])
        raw = sample["resps"][0][0]
        assert sample["filtered_resps"][0] == extract_letter(raw, options, sample["filter"])
