"""Against a real ``alphamed serve`` on the tiny model (skips when alphamed-serve is not installed)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alphamed_client.report import ScoreReport

pytest.importorskip("alphamed_serve.cli")
pytest.importorskip("torch")

QUESTIONS = 6
pytestmark = pytest.mark.slow  # starts a real server on the tiny model (~30-60 s on 2 busy cores)


@pytest.fixture(scope="module")
def served_tiny_model(tiny_model_dir):
    from gateway_process import GatewayProcess

    server = GatewayProcess(
        str(tiny_model_dir), "--backend", "transformers", "--device", "cpu", "--served-model-name", "tiny", timeout=180
    )
    try:
        yield f"{server.url}/v1"
    finally:
        server.stop()


def small_bank(path: Path) -> Path:
    from alphamed.data import load_bank, sample_bank_path

    with path.open("w") as handle:
        for i, question in enumerate(load_bank(sample_bank_path())):
            if i == QUESTIONS:
                break
            handle.write(question.model_dump_json() + "\n")
    return path


def score(bank: Path, url: str, out: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "alphamed",
            "score",
            str(bank),
            "--base-url",
            url,
            "--model",
            "tiny",
            "--out",
            str(out),
            "--max-tokens",
            "24",
            "--concurrency",
            "1",
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_scores_through_mcqa_and_through_chat_agree(served_tiny_model, tmp_path):
    from alphamed_client import AlphaMed

    from alphamed.data import load_bank

    bank = small_bank(tmp_path / "bank.jsonl")
    question = next(iter(load_bank(bank)))
    with AlphaMed(base_url=served_tiny_model, model="tiny") as client:
        assert client.check_server() == ["tiny"]
        assert client.uses_mcqa() is True  # detected as our server
        server_side = client.answer(question, max_tokens=24)
    with AlphaMed(base_url=served_tiny_model, model="tiny", mcqa=False) as client:
        client_side = client.answer(question, max_tokens=24)
    assert (server_side.via, client_side.via) == ("mcqa", "chat")
    # the client builds the same prompt as the server: greedy outputs are identical
    assert server_side.reasoning + server_side.content == client_side.reasoning + client_side.content
    assert server_side.letter == client_side.letter
    assert server_side.usage.completion_tokens == client_side.usage.completion_tokens > 0
    via_mcqa, via_chat = tmp_path / "mcqa.jsonl", tmp_path / "chat.jsonl"
    for out, flag in ((via_mcqa, "--mcqa"), (via_chat, "--no-mcqa")):
        result = score(bank, served_tiny_model, out, flag)
        assert result.returncode == 0, result.stderr
    rows_mcqa = {r["id"]: r for r in map(json.loads, via_mcqa.read_text().splitlines())}
    rows_chat = {r["id"]: r for r in map(json.loads, via_chat.read_text().splitlines())}
    assert len(rows_mcqa) == len(rows_chat) == QUESTIONS
    assert all(r["error"] is None and r["completion_tokens"] > 0 for r in rows_mcqa.values())
    # greedy decoding, same prompt, same extractor: the letters match question by question
    assert {i: r["predicted"] for i, r in rows_mcqa.items()} == {i: r["predicted"] for i, r in rows_chat.items()}
    assert ScoreReport.from_file(via_mcqa).overall.n == QUESTIONS
    # the run header records what alphamed serve says of itself; re-extraction reproduces the chat rows
    header = json.loads((tmp_path / "chat.run.json").read_text())
    assert header["server"]["model_card"]["id"] == "tiny"
    assert header["server"]["server_info"]["backend"] == "transformers"
    assert header["base_url"] == served_tiny_model and header["ended"]
    reextracted = subprocess.run(
        [sys.executable, "-m", "alphamed", "report", str(via_chat), "--re-extract"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reextracted.returncode == 0 and "0 letter(s) changed" in reextracted.stdout, reextracted.stderr
