"""Reports as text: Markdown tables (also the CLI's stdout) and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from alphamed_client.models import ResultRow
from alphamed_client.report import DIMENSIONS, NONE_LABEL, Comparison, GroupAccuracy, Percentiles, ScoreReport


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _accuracy_table(groups: Sequence[GroupAccuracy], title: str) -> list[str]:
    lines = [
        f"| {title} | n | correct | accuracy % | 95% CI | abstained | errors |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for g in groups:
        lines.append(
            f"| {g.name} | {g.n} | {g.correct} | {_pct(g.accuracy)} | "
            f"{_pct(g.ci_low)}-{_pct(g.ci_high)} | {g.abstained} | {g.errors} |"
        )
    return lines


def _confusion(report: ScoreReport) -> list[str]:
    if not report.confusion:
        return []
    predicted = sorted({p for row in report.confusion.values() for p in row if p != NONE_LABEL})
    columns = predicted + [NONE_LABEL]
    lines = [
        "",
        "### Confusion (rows: gold, columns: predicted)",
        "",
        "| gold | " + " | ".join(columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for gold, row in report.confusion.items():
        lines.append(f"| {gold} | " + " | ".join(str(row.get(c, 0)) for c in columns) + " |")
    return lines


def _percentile_row(name: str, p: Percentiles, digits: int) -> str:
    return (
        f"| {name} | {p.p50:.{digits}f} | {p.p90:.{digits}f} | {p.p99:.{digits}f} | "
        f"{p.mean:.{digits}f} | {p.max:.{digits}f} | {p.total:.{digits}f} |"
    )


def summary_markdown(report: ScoreReport) -> str:
    """The short table printed after ``alphamed score``: overall and by source."""
    lines = _accuracy_table([report.overall], "questions")
    lines += [
        "",
        f"abstained {_pct(report.abstention_rate)}% · errors {report.errors} · "
        f"unlabeled {report.unlabeled} · latency p50 {report.latency_s.p50:.2f}s",
    ]
    if len(report.by.get("source", [])) > 1:
        lines += [""] + _accuracy_table(report.by["source"], "source")
    return "\n".join(lines + _scorer_lines(report) + _metric_lines(report))


def _scorer_lines(report: ScoreReport) -> list[str]:
    """Both scorers side by side and the gap (lenient: never abstains, as published tables score)."""
    strict, lenient = report.scorers.get("strict"), report.scorers.get("lenient")
    if strict is None or lenient is None or not strict.n:
        return []
    gap = 100 * (lenient.accuracy - strict.accuracy)
    note = (
        f" ({report.rows_without_outputs} row(s) kept no outputs: lenient = strict there)"
        if report.rows_without_outputs
        else ""
    )
    return [
        "",
        f"scorers: strict {_pct(strict.accuracy)}% ({strict.abstained} abstained) · lenient "
        f"{_pct(lenient.accuracy)}% · gap {gap:+.1f} points{note}",
    ]


def _metric_lines(report: ScoreReport) -> list[str]:
    m = report.metrics
    lines = []
    if m.pass_at_k:
        lines.append(
            "pass@k: "
            + ", ".join(f"pass@{k} {_pct(v)}%" for k, v in m.pass_at_k.items())
            + " · maj@k: "
            + ", ".join(f"maj@{k} {_pct(v)}%" for k, v in m.maj_at_k.items())
        )
    if m.permutations is not None:
        p = m.permutations
        lines.append(
            f"permutations: {p.orders} orders of {p.questions} questions · accuracy over orders "
            f"{_pct(p.accuracy)}% · consistency {_pct(p.consistency)}%"
        )
    return [""] + lines if lines else []


def to_markdown(report: ScoreReport, by: Sequence[str] = DIMENSIONS) -> str:
    """The full report in Markdown.

    Args:
        report: the report.
        by: breakdowns to include, among ``source``, ``subject``, ``difficulty``.
    """
    models = ", ".join(report.models) or "unknown model"
    lines = [
        f"## Score report: {models}",
        "",
        *_accuracy_table([report.overall], "all questions"),
        "",
        f"- rows: {report.rows} (answered {report.answered}, errors {report.errors}, unlabeled {report.unlabeled})",
        f"- abstention rate: {_pct(report.abstention_rate)}%",
        "- extraction methods: " + (", ".join(f"{k} {v}" for k, v in report.methods.items()) or "-"),
        f"- scorer of these tables: {report.scorer}",
    ]
    lines += _scorer_lines(report) + _metric_lines(report)
    for dim in by:
        if report.by.get(dim):
            lines += ["", f"### By {dim}", "", *_accuracy_table(report.by[dim], dim)]
    lines += _confusion(report)
    lines += [
        "",
        "### Latency and tokens per question",
        "",
        "| | p50 | p90 | p99 | mean | max | total |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        _percentile_row("latency (s)", report.latency_s, 3),
        _percentile_row("prompt tokens", report.prompt_tokens, 0),
        _percentile_row("completion tokens", report.completion_tokens, 0),
    ]
    if report.error_examples:
        lines += ["", "### Errors (first ones; rerun `alphamed score` to retry them)", ""]
        lines += [f"- {e}" for e in report.error_examples]
    if report.bad_lines:
        lines += ["", "### Unreadable bank lines (skipped)", ""] + [f"- {b}" for b in report.bad_lines]
    return "\n".join(lines) + "\n"


def comparison_markdown(cmp: Comparison, name_a: str = "baseline", name_b: str = "new") -> str:
    """A paired comparison in Markdown, with the flipped ids."""
    lines = [
        f"## Paired comparison: {name_a} -> {name_b}",
        "",
        f"| paired | {name_a} % | {name_b} % | fixed (wrong->right) | broken (right->wrong) | "
        "McNemar exact p | chi2 (cc) | chi2 p |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {cmp.paired} | {_pct(cmp.accuracy_a)} | {_pct(cmp.accuracy_b)} | {cmp.fixed} | "
        f"{cmp.broken} | {cmp.p_exact:.4g} | {cmp.chi2:.3f} | {cmp.p_chi2:.4g} |",
        "",
    ]
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


def _block(title: str, text: str | None) -> list[str]:
    return [f"#### {title}", "", "```text", (text or "").rstrip() or "(empty)", "```", ""]


def question_markdown(row: ResultRow) -> str:
    """One question end to end: options, the messages sent, each output, its split and what decided it."""
    verdict = "error" if row.error else ("no gold" if row.correct is None else ("right" if row.correct else "wrong"))
    lines = [
        f"## {row.id}: {verdict}",
        "",
        f"- gold {row.gold or '-'} · predicted {row.predicted or 'none (abstained)'} · method "
        f"{row.method or '-'} · votes {row.votes or '-'} · n {row.n} · seed {row.seed}",
        f"- model {row.model or '-'} · source {row.source} · latency {row.latency:.2f}s · tokens "
        f"{row.prompt_tokens} + {row.completion_tokens}",
    ]
    if row.option_order:
        lines.append(f"- options shown in the order {row.option_order} (letters above are the original ones)")
    if row.error:
        lines.append(f"- error: {row.error}")
    if row.output is None and not row.outputs:
        lines += ["", "(this row kept no outputs: it was written before results kept them)"]
        return "\n".join(lines) + "\n"
    lines += ["", "### Options shown", ""] + [f"- {k}. {v}" for k, v in (row.options or {}).items()]
    lines += ["", "### Messages sent", ""]
    for message in row.messages or []:
        lines += _block(message.get("role", "?"), message.get("content"))
    lines += ["### Output that decided", ""]
    if row.output is not None:
        lines += _block("raw output", row.output)
    lines += _block("reasoning", row.reasoning) + _block("content", row.content)
    lines += [
        f"- span read by the extractor: {row.span!r}"
        if row.span
        else "- no span: the output committed to no single option"
    ]
    for i, (output, letter) in enumerate(zip(row.outputs or [], row.letters or [])):
        lines += [""] + _block(f"sample {i + 1}: {letter or 'abstained'}", output)
    return "\n".join(lines) + "\n"
