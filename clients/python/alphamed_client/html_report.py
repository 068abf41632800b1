"""The HTML report: the Markdown tables as HTML plus plots embedded as base64 PNG.

Plots need matplotlib (``pip install 'alphamed-client[html]'``), imported only here.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import Any

from alphamed_client.report import DIMENSIONS, Comparison, GroupAccuracy, ScoreReport

STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
    "td{text-align:right}td:first-child{text-align:left}"
)


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise RuntimeError("the html report needs matplotlib: pip install 'alphamed-client[html]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def accuracy_plot(groups: Sequence[GroupAccuracy], title: str) -> str:
    """A horizontal bar chart of accuracy with Wilson 95% error bars; base64 PNG."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(groups) + 1.2))
    names = [g.name for g in groups]
    acc = [100 * g.accuracy for g in groups]
    err = [[100 * (g.accuracy - g.ci_low) for g in groups], [100 * (g.ci_high - g.accuracy) for g in groups]]
    ax.barh(names, acc, xerr=err, capsize=3, color="#4878a8")
    ax.set_xlim(0, 100)
    ax.set_xlabel("accuracy % (95% Wilson CI)")
    ax.set_title(title)
    ax.invert_yaxis()
    try:
        return _png(fig)
    finally:
        plt.close(fig)


def _table(groups: Sequence[GroupAccuracy], title: str) -> str:
    head = (
        f"<tr><th>{html.escape(title)}</th><th>n</th><th>correct</th><th>accuracy %</th><th>95% CI</th>"
        "<th>abstained</th><th>errors</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{html.escape(g.name)}</td><td>{g.n}</td><td>{g.correct}</td><td>{100 * g.accuracy:.1f}</td>"
        f"<td>{100 * g.ci_low:.1f}-{100 * g.ci_high:.1f}</td><td>{g.abstained}</td><td>{g.errors}</td></tr>"
        for g in groups
    )
    return f"<table>{head}{rows}</table>"


def to_html(report: ScoreReport, by: Sequence[str] = DIMENSIONS, comparison: Comparison | None = None) -> str:
    """A self-contained HTML page: tables, per-source accuracy with CIs, per-subject bars."""
    from alphamed_client.render import comparison_markdown, to_markdown

    parts = [
        f"<h1>Score report: {html.escape(', '.join(report.models) or 'unknown model')}</h1>",
        _table([report.overall], "all questions"),
        f"<p>abstention rate {100 * report.abstention_rate:.1f}% · errors {report.errors} · "
        f"unlabeled {report.unlabeled}</p>",
    ]
    for dim in by:
        groups = report.by.get(dim) or []
        if not groups:
            continue
        parts.append(f"<h2>By {dim}</h2>")
        if dim in ("source", "subject"):
            parts.append(
                f'<img alt="accuracy by {dim}" src="data:image/png;base64,'
                f'{accuracy_plot(groups, f"accuracy by {dim}")}">'
            )
        parts.append(_table(groups, dim))
    details = to_markdown(report, by=())
    if comparison is not None:
        details += "\n" + comparison_markdown(comparison)
    parts.append(f"<h2>Details</h2><pre>{html.escape(details)}</pre>")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLE}</style>"
        f"<title>AlphaMed score report</title></head><body>{''.join(parts)}</body></html>\n"
    )
