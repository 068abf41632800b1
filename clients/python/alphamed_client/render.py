"""Reports as text: Markdown tables (also the CLI's stdout) and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from alphamed_client.report import DIMENSIONS, NONE_LABEL, Comparison, GroupAccuracy, Percentiles, ScoreReport


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _accuracy_table(groups: Sequence[GroupAccuracy], title: str) -> list[str]:
    lines = [f"| {title} | n | correct | accuracy % | 95% CI | abstained | errors |",
             "| --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for g in groups:
        lines.append(f"| {g.name} | {g.n} | {g.correct} | {_pct(g.accuracy)} | "
                     f"{_pct(g.ci_low)}-{_pct(g.ci_high)} | {g.abstained} | {g.errors} |")
    return lines


def _confusion(report: ScoreReport) -> list[str]:
    if not report.confusion:
        return []
    predicted = sorted({p for row in report.confusion.values() for p in row if p != NONE_LABEL})
    columns = predicted + [NONE_LABEL]
    lines = ["", "### Confusion (rows: gold, columns: predicted)", "",
             "| gold | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]
    for gold, row in report.confusion.items():
        lines.append(f"| {gold} | " + " | ".join(str(row.get(c, 0)) for c in columns) + " |")
    return lines


def _percentile_row(name: str, p: Percentiles, digits: int) -> str:
    return (f"| {name} | {p.p50:.{digits}f} | {p.p90:.{digits}f} | {p.p99:.{digits}f} | "
            f"{p.mean:.{digits}f} | {p.max:.{digits}f} | {p.total:.{digits}f} |")


def summary_markdown(report: ScoreReport) -> str:
    """The short table printed after ``alphamed score``: overall and by source."""
    lines = _accuracy_table([report.overall], "questions")
    lines += [f"", f"abstained {_pct(report.abstention_rate)}% · errors {report.errors} · "
              f"unlabeled {report.unlabeled} · latency p50 {report.latency_s.p50:.2f}s"]
    if len(report.by.get("source", [])) > 1:
        lines += [""] + _accuracy_table(report.by["source"], "source")
    return "\n".join(lines)


def to_markdown(report: ScoreReport, by: Sequence[str] = DIMENSIONS) -> str:
    """The full report in Markdown.

    Args:
        report: the report.
        by: breakdowns to include, among ``source``, ``subject``, ``difficulty``.
    """
    models = ", ".join(report.models) or "unknown model"
    lines = [f"## Score report: {models}", "", *_accuracy_table([report.overall], "all questions"), "",
             f"- rows: {report.rows} (answered {report.answered}, errors {report.errors}, "
             f"unlabeled {report.unlabeled})",
             f"- abstention rate: {_pct(report.abstention_rate)}%",
             "- extraction methods: " + (", ".join(f"{k} {v}" for k, v in report.methods.items()) or "-")]
    for dim in by:
        if report.by.get(dim):
            lines += ["", f"### By {dim}", "", *_accuracy_table(report.by[dim], dim)]
    lines += _confusion(report)
    lines += ["", "### Latency and tokens per question", "",
              "| | p50 | p90 | p99 | mean | max | total |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
              _percentile_row("latency (s)", report.latency_s, 3),
              _percentile_row("prompt tokens", report.prompt_tokens, 0),
              _percentile_row("completion tokens", report.completion_tokens, 0)]
    if report.error_examples:
        lines += ["", "### Errors (first ones; rerun `alphamed score` to retry them)", ""]
        lines += [f"- {e}" for e in report.error_examples]
    if report.bad_lines:
        lines += ["", "### Unreadable bank lines (skipped)", ""] + [f"- {b}" for b in report.bad_lines]
    return "\n".join(lines) + "\n"


def comparison_markdown(cmp: Comparison, name_a: str = "baseline", name_b: str = "new") -> str:
    """A paired comparison in Markdown, with the flipped ids."""
    lines = [f"## Paired comparison: {name_a} -> {name_b}", "",
             f"| paired | {name_a} % | {name_b} % | fixed (wrong->right) | broken (right->wrong) | "
             "McNemar exact p | chi2 (cc) | chi2 p |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
             f"| {cmp.paired} | {_pct(cmp.accuracy_a)} | {_pct(cmp.accuracy_b)} | {cmp.fixed} | "
             f"{cmp.broken} | {cmp.p_exact:.4g} | {cmp.chi2:.3f} | {cmp.p_chi2:.4g} |", ""]
    if cmp.only_in_a or cmp.only_in_b:
        lines.append(f"- not paired: {cmp.only_in_a} only in {name_a}, {cmp.only_in_b} only in {name_b}")
    lines.append("- fixed: " + (", ".join(cmp.fixed_ids) or "-"))
    lines.append("- broken: " + (", ".join(cmp.broken_ids) or "-"))
    return "\n".join(lines) + "\n"


def to_json(report: ScoreReport, comparison: Comparison | None = None) -> str:
    """The report (and comparison) as indented JSON."""
    payload = {"report": report.model_dump()}
    if comparison is not None:
        payload["comparison"] = comparison.model_dump()
    return json.dumps(payload, indent=2) + "\n"
