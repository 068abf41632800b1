"""``alphamed report RESULTS``: accuracy with confidence intervals, breakdowns, paired comparison."""

from __future__ import annotations

from pathlib import Path

import click

from alphamed_client.cli.common import one_line_errors

FORMATS = ("md", "json", "html")


def render(report, fmt: str, by: tuple[str, ...], comparison=None) -> str:
    """``report`` in ``fmt`` (md, json, html)."""
    from alphamed_client import render as text

    if fmt == "json":
        return text.to_json(report, comparison)
    if fmt == "html":
        from alphamed_client.html_report import to_html

        return to_html(report, by=by, comparison=comparison)
    out = text.to_markdown(report, by=by)
    if comparison is not None:
        out += "\n" + text.comparison_markdown(comparison)
    return out


def write_report(
    report, path: Path, fmt: str | None, by: tuple[str, ...] = ("source", "subject", "difficulty"), comparison=None
) -> None:
    """Write ``report`` to ``path``; the format defaults to the file extension."""
    fmt = fmt or {".json": "json", ".html": "html", ".htm": "html"}.get(path.suffix.lower(), "md")
    try:
        content = render(report, fmt, by, comparison)
    except RuntimeError as exc:  # html without matplotlib
        raise click.ClickException(str(exc)) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def _parse_by(value: str) -> tuple[str, ...]:
    from alphamed_client.report import DIMENSIONS

    parts = tuple(p.strip() for p in value.split(",") if p.strip())
    unknown = [p for p in parts if p not in DIMENSIONS]
    if unknown:
        raise click.BadParameter(
            f"unknown breakdown {', '.join(unknown)}; choose from {', '.join(DIMENSIONS)}", param_hint="--by"
        )
    return parts


@click.command(name="report")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--by",
    default="source,subject,difficulty",
    show_default=True,
    help="Breakdowns, comma-separated: source, subject, difficulty.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: from -o's extension, else md].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here instead of stdout.",
)
@click.option(
    "--compare",
    "baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A baseline results file: paired flips and McNemar's test vs RESULTS.",
)
@click.option(
    "--scorer",
    type=click.Choice(("strict", "lenient")),
    default="strict",
    show_default=True,
    help="Scorer of the tables: strict (abstains rather than guesses) or lenient (never abstains: "
    "most similar option, as published tables score). Both are always shown.",
)
@click.option(
    "--show",
    "show_id",
    default=None,
    metavar="ID",
    help="Print one question end to end (messages, outputs, split, span) instead of the report.",
)
@click.option(
    "--re-extract",
    "re_extract",
    is_flag=True,
    default=False,
    help="Re-score the kept outputs with the current extractor (no server) into "
    "RESULTS.re-extracted.jsonl and print the paired comparison with the stored letters.",
)
@one_line_errors
def report(
    results: Path,
    by: str,
    fmt: str | None,
    output: Path | None,
    baseline: Path | None,
    scorer: str,
    show_id: str | None,
    re_extract: bool,
) -> None:
    """Report accuracy (Wilson 95% CI), abstentions, errors, confusion, latency and tokens."""
    from alphamed_client.report import ScoreReport, compare

    if show_id is not None:
        return _show(results, show_id)
    if re_extract:
        return _re_extract(results, output)
    dims = _parse_by(by)
    score_report = ScoreReport.from_file(results, scorer=scorer)
    comparison = compare(baseline, results) if baseline is not None else None
    if output is not None:
        write_report(score_report, output, fmt, dims, comparison)
        click.echo(f"wrote {output}", err=True)
        return
    try:
        click.echo(render(score_report, fmt or "md", dims, comparison), nl=False)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None


def _show(results: Path, wanted: str) -> None:
    from alphamed_client.render import question_markdown
    from alphamed_client.results import read_results

    rows = [r for r in read_results(results) if wanted in (r.id, r.base_id)]
    if not rows:
        raise click.ClickException(f"{results}: no question with id {wanted!r}")
    click.echo("\n".join(question_markdown(r) for r in rows), nl=False)


def _re_extract(results: Path, output: Path | None) -> None:
    from alphamed_client.render import comparison_markdown
    from alphamed_client.report import compare
    from alphamed_client.rescoring import reextract_file

    out = output or results.with_name(results.name.removesuffix(".jsonl") + ".re-extracted.jsonl")
    summary = reextract_file(results, out)
    click.echo(
        f"re-extracted {summary.rescored} of {summary.rows} row(s) into {out}; "
        f"{len(summary.changed_ids)} letter(s) changed"
        + (
            f"; {summary.without_outputs} row(s) kept no outputs (copied as they are)"
            if summary.without_outputs
            else ""
        )
    )
    if summary.changed_ids:
        click.echo(
            "changed: " + ", ".join(summary.changed_ids[:50]) + (" ..." if len(summary.changed_ids) > 50 else "")
        )
    click.echo(comparison_markdown(compare(results, out), "stored", "re-extracted"), nl=False)
