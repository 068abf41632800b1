"""``alphamed eval``: the benchmark suite from public-format files, as a paper-style table."""

import shutil
from pathlib import Path

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
    result = CliRunner().invoke(main, ["eval", "--base-url", server.base_url, "--model", "fake-model",
                                       "--data-dir", str(data_dir(tmp_path)), "--out-dir", str(out_dir)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    header, _, scores, counts = result.stdout.strip().splitlines()
    assert header == "| model | MedQA | MedMCQA | PubMedQA | MMLU-ProM | GPQA-M | MedXpertQA | Avg |"
    expected = [expected_accuracy(name, "B") for name in SUITE]
    cells = [c.strip() for c in scores.strip("|").split("|")]
    assert cells[1:-1] == [f"{100 * acc:.1f}" for _, acc in expected]
    assert cells[-1] == f"{100 * sum(acc for _, acc in expected) / len(expected):.1f}"
    assert [c.strip() for c in counts.strip("|").split("|")][1:-1] == [f"n={n}" for n, _ in expected]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f"{name}.jsonl" for name in SUITE)


def test_medical_subsets_are_applied():
    n_filtered, _ = expected_accuracy("mmlu-pro-med", "B")
    assert n_filtered < len(list(load_bank(FIXTURES / "mmlu_pro.jsonl", "mmlu-pro")))


def test_a_named_benchmark_without_a_file_fails_before_scoring(tmp_path, fake_server):
    server = fake_server()
    result = CliRunner().invoke(main, ["eval", "--base-url", server.base_url, "--model", "fake-model",
                                       "--data-dir", str(tmp_path), "--benchmarks", "medqa,gpqa-med"])
    assert result.exit_code == 1 and "medqa" in result.stderr and "gpqa" in result.stderr
    assert server.log == []
    unknown = CliRunner().invoke(main, ["eval", "--base-url", server.base_url, "--model", "fake-model",
                                        "--data-dir", str(tmp_path), "--benchmarks", "usmle"])
    assert unknown.exit_code == 1 and "usmle" in unknown.stderr
