"""``alphamed eval``: the benchmark suite from public-format files, as a paper-style table."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_openai import always

from alphamed.cli import main
from alphamed.data import load_bank

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
# benchmark -> (fixture in its public format, name in the data folder, format, loader options)
SUITE = {
    "medqa": ("medqa_usmle.jsonl", "medqa.jsonl", "medqa", {}),
    "medmcqa": ("medmcqa_release.jsonl", "medmcqa.jsonl", "medmcqa", {}),
    "pubmedqa": ("pubmedqa_ori.json", "pubmedqa.json", "pubmedqa", {}),
    "mmlu-pro-med": ("mmlu_pro.jsonl", "mmlu-pro.jsonl", "mmlu-pro", {"medical_only": True}),
    "gpqa-med": ("gpqa_main.csv", "gpqa.csv", "gpqa", {"medical_only": True}),
    "medxpertqa": ("medxpertqa_text.jsonl", "medxpertqa/test.jsonl", "medxpertqa", {}),
}


def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    for fixture, name, _, _ in SUITE.values():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / fixture, root / name)
    return root


def expected_accuracy(name: str, letter: str) -> tuple[int, float]:
    fixture, _, fmt, options = SUITE[name]
    questions = list(load_bank(FIXTURES / fixture, fmt, **options))
    return len(questions), sum(q.answer == letter for q in questions) / len(questions)


def test_suite_table_has_one_column_per_benchmark_and_the_average(tmp_path, fake_server):
    server = fake_server(always("B"))
    out_dir = tmp_path / "results"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--base-url",
            server.base_url,
            "--model",
            "fake-model",
            "--data-dir",
            str(data_dir(tmp_path)),
            "--out-dir",
            str(out_dir),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    header, _, scores, counts = result.stdout.strip().splitlines()
    assert header == "| model | MedQA | MedMCQA | PubMedQA | MMLU-ProM | GPQA-M | MedXpertQA | Avg |"
    expected = [expected_accuracy(name, "B") for name in SUITE]
    cells = [c.strip() for c in scores.strip("|").split("|")]
    assert cells[1:-1] == [f"{100 * acc:.1f}" for _, acc in expected]
    assert cells[-1] == f"{100 * sum(acc for _, acc in expected) / len(expected):.1f}"
    assert [c.strip() for c in counts.strip("|").split("|")][1:-1] == [f"n={n}" for n, _ in expected]
    assert sorted(p.name for p in out_dir.glob("*.jsonl")) == sorted(f"{name}.jsonl" for name in SUITE)
    assert all((out_dir / f"{name}.run.json").exists() for name in SUITE)
    for name in ("summary.json", "summary.md", "summary.html"):
        assert str(out_dir / name) in result.stderr
    summary = json.loads((out_dir / "summary.json").read_text())
    for name, (n, acc) in zip(SUITE, expected):
        bench = summary["benchmarks"][name]
        assert (bench["n"], bench["accuracy"], bench["errors"]) == (n, pytest.approx(acc), 0)
        assert bench["ci_low"] <= acc <= bench["ci_high"] and bench["abstained"] == 0
        assert bench["run"]["model"] == "fake-model" and bench["run"]["base_url"] == server.base_url
        assert (
            bench["run"]["banks"][0]["sha256"]
            == hashlib.sha256(Path(bench["run"]["banks"][0]["path"]).read_bytes()).hexdigest()
        )
    assert "<img" in (out_dir / "summary.html").read_text()  # the per-benchmark plot
    assert "| MedQA |" in (out_dir / "summary.md").read_text()  # the scorers side by side


def test_medical_subsets_are_applied():
    n_filtered, _ = expected_accuracy("mmlu-pro-med", "B")
    assert n_filtered < len(list(load_bank(FIXTURES / "mmlu_pro.jsonl", "mmlu-pro")))


def test_a_named_benchmark_without_a_file_fails_before_scoring(tmp_path, fake_server):
    server = fake_server()
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--base-url",
            server.base_url,
            "--model",
            "fake-model",
            "--data-dir",
            str(tmp_path),
            "--benchmarks",
            "medqa,gpqa-med",
        ],
    )
    assert result.exit_code == 1 and "medqa" in result.stderr and "gpqa" in result.stderr
    assert server.log == []
    unknown = CliRunner().invoke(
        main,
        [
            "eval",
            "--base-url",
            server.base_url,
            "--model",
            "fake-model",
            "--data-dir",
            str(tmp_path),
            "--benchmarks",
            "usmle",
        ],
    )
    assert unknown.exit_code == 1 and "usmle" in unknown.stderr


def hf_cached_dataset(tmp_path: Path, monkeypatch, hub_id: str, fixture: str) -> None:
    """``fixture`` laid out as a Hugging Face dataset already in the local datasets cache, offline."""
    datasets = pytest.importorskip("datasets")
    cache = tmp_path / "hf-datasets"
    built_from = tmp_path / "hf-src.jsonl"
    shutil.copy(FIXTURES / fixture, built_from)
    datasets.load_dataset("json", data_files={"test": str(built_from)}, cache_dir=str(cache))
    built = next(p for p in (cache / "json").glob("*/*/*") if p.is_dir())
    owner, name = hub_id.split("/")
    dest = cache / f"{owner}___{name}" / "default" / "0.0.0" / built.name
    shutil.copytree(built, dest)
    (dest / "json-test.arrow").rename(dest / f"{name}-test.arrow")
    for var, value in {
        "HF_DATASETS_CACHE": str(cache),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf-home"),
    }.items():
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)


def test_a_benchmark_can_be_a_hugging_face_dataset_id_resolved_offline(tmp_path, fake_server, monkeypatch):
    hf_cached_dataset(tmp_path, monkeypatch, "local/medqa-mini", "medqa_usmle.jsonl")
    server = fake_server(always("B"))
    out_dir = tmp_path / "results"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--base-url",
            server.base_url,
            "--model",
            "fake-model",
            "--benchmarks",
            "medqa=local/medqa-mini",
            "--out-dir",
            str(out_dir),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    n, acc = expected_accuracy("medqa", "B")
    bench = json.loads((out_dir / "summary.json").read_text())["benchmarks"]["medqa"]
    assert (bench["n"], bench["accuracy"]) == (n, pytest.approx(acc))
    bank = Path(bench["run"]["banks"][0]["path"])
    assert (
        bank.parent == out_dir / "datasets"
        and bench["run"]["banks"][0]["sha256"] == hashlib.sha256(bank.read_bytes()).hexdigest()
    )
    missing = CliRunner().invoke(
        main,
        [
            "eval",
            "--base-url",
            server.base_url,
            "--model",
            "fake-model",
            "--benchmarks",
            "medqa=local/not-there",
            "--out-dir",
            str(out_dir),
        ],
    )
    assert missing.exit_code == 1 and "local/not-there" in missing.stderr and "Traceback" not in missing.output
