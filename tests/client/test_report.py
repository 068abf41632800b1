"""ScoreReport, compare and the report formats."""

import json

import pytest
from alphamed_client.models import ResultRow
from alphamed_client.render import comparison_markdown, to_json, to_markdown
from alphamed_client.report import ScoreReport, compare
from alphamed_client.stats import mcnemar, wilson_interval

AUTO = object()


def row(i, correct, *, source="medqa", predicted=AUTO, gold="A", error=None, **kw):
    if predicted is AUTO:
        predicted = None if (error or correct is None) else (gold if correct else "B")
    return ResultRow(
        id=f"q{i}",
        source=source,
        gold=gold,
        predicted=predicted,
        correct=None if error else correct,
        error=error,
        model="m",
        **kw,
    )


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),  # published Wilson values (95%)
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
        (0, 0, 0.0, 1.0),
    ],
)
def test_wilson_interval(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_mcnemar_exact_and_chi2():
    test = mcnemar(2, 12)
    assert test.p_exact == pytest.approx(2 * (1 + 14 + 91) / 2**14)  # 2 * P(X <= 2), X ~ Bin(14, 1/2)
    assert test.chi2 == pytest.approx((10 - 1) ** 2 / 14)
    assert test.p_chi2 == pytest.approx(0.01616, abs=1e-4)
    assert mcnemar(0, 0).p_exact == 1.0
    assert mcnemar(3000, 3100).p_exact == pytest.approx(mcnemar(3000, 3100).p_chi2, rel=0.05)


def test_errors_and_abstentions_are_counted_apart():
    rows = [
        row(0, True),
        row(1, False),
        row(2, False, predicted=None),
        row(3, None, error="Timeout"),
        row(4, None, gold=None, predicted="C"),
        row(5, True, source="pubmedqa", difficulty=0.9),
    ]
    report = ScoreReport.from_rows(rows)
    assert (report.overall.n, report.overall.correct, report.errors, report.unlabeled) == (4, 2, 1, 1)
    assert report.abstention_rate == 0.25
    assert report.confusion == {"A": {"A": 2, "B": 1, "none": 1}}
    by_source = {g.name: g for g in report.by["source"]}
    assert by_source["medqa"].errors == 1 and by_source["pubmedqa"].accuracy == 1.0
    assert {g.name for g in report.by["difficulty"]} == {"0.8-1.0", "none"}


def test_latency_and_token_percentiles():
    rows = [row(i, True, latency=float(i + 1), prompt_tokens=10, completion_tokens=i) for i in range(100)]
    report = ScoreReport.from_rows(rows)
    assert report.latency_s.p50 == pytest.approx(50.5) and report.latency_s.max == 100.0
    assert report.prompt_tokens.total == 1000 and report.completion_tokens.p90 == pytest.approx(89.1)


def test_compare_lists_flips_and_tests_them():
    a = [row(i, i < 10) for i in range(20)] + [row(99, True)]
    b = [row(i, i >= 2 and i < 20) for i in range(20)] + [row(98, True)]
    cmp = compare(a, b)
    assert (cmp.paired, cmp.broken, cmp.fixed, cmp.both_correct) == (20, 2, 10, 8)
    assert cmp.broken_ids == ["q0", "q1"] and len(cmp.fixed_ids) == 10
    assert (cmp.only_in_a, cmp.only_in_b) == (1, 1)
    assert cmp.p_exact == pytest.approx(mcnemar(2, 10).p_exact)
    md = comparison_markdown(cmp)
    assert "q0, q1" in md and "McNemar" in md


def test_markdown_and_json_formats():
    report = ScoreReport.from_rows([row(i, i % 2 == 0, subject="cardio") for i in range(10)])
    md = to_markdown(report, by=("subject",))
    assert "| overall | 10 | 5 | 50.0 |" in md and "### By subject" in md and "### By source" not in md
    payload = json.loads(to_json(report))
    assert payload["report"]["overall"]["correct"] == 5


def test_html_has_the_plots_embedded():
    pytest.importorskip("matplotlib")
    from alphamed_client.html_report import to_html

    rows = [row(i, i % 3 != 0, source=("medqa", "pubmedqa")[i % 2], subject=("a", "b", "c")[i % 3]) for i in range(30)]
    page = to_html(ScoreReport.from_rows(rows))
    assert page.count('src="data:image/png;base64,iVBOR') == 2  # per-source CIs and per-subject bars
    assert "<table>" in page and "Score report: m" in page
