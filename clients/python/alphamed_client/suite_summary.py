"""What ``alphamed eval`` leaves behind: ``summary.json`` (per benchmark: n, accuracy, CI, abstained,
errors, both scorers, pass@k / permutation metrics and the run header), ``summary.md`` (the
paper-style table and the scorer gap) and ``summary.html`` (the same with per-benchmark plots)."""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path

from pydantic import BaseModel, Field

from alphamed_client.metrics import Metrics
from alphamed_client.report import GroupAccuracy, ScoreReport
from alphamed_client.runheader import RunHeader, read_header

logger = logging.getLogger(__name__)


class BenchmarkSummary(BaseModel):
    """One benchmark's numbers, how they were produced and where its rows are."""

    title: str
    results: str
    n: int
    accuracy: float
    ci_low: float
    ci_high: float
    abstained: int
    errors: int
    scorers: dict[str, GroupAccuracy] = Field(default_factory=dict)
    metrics: Metrics = Field(default_factory=Metrics)
    run: RunHeader | None = None

    @classmethod
    def of(cls, title: str, results: Path, report: ScoreReport) -> BenchmarkSummary:
        g = report.overall
        return cls(
            title=title,
            results=str(results),
            n=g.n,
            accuracy=g.accuracy,
            ci_low=g.ci_low,
            ci_high=g.ci_high,
            abstained=g.abstained,
            errors=report.errors,
            scorers=report.scorers,
            metrics=report.metrics,
            run=read_header(results),
        )


class SuiteResult(BaseModel):
    """The suite's numbers per benchmark (None: not run) and the unweighted average."""

    model: str
    scorer: str = "strict"
    benchmarks: dict[str, BenchmarkSummary | None]
    average: float | None
    errors: int = 0

    def markdown(self) -> str:
        """The paper-style table: one column per benchmark, then the average."""
        titles = [b.title if b else name for name, b in self.benchmarks.items()]
        cells = [f"{100 * b.accuracy:.1f}" if b else "-" for b in self.benchmarks.values()]
        counts = [f"n={b.n}" if b else "missing" for b in self.benchmarks.values()]
        avg = f"{100 * self.average:.1f}" if self.average is not None else "-"
        return "\n".join(
            [
                "| model | " + " | ".join(titles) + " | Avg |",
                "| --- |" + " ---: |" * (len(titles) + 1),
                f"| {self.model} | " + " | ".join(cells) + f" | {avg} |",
                "| (questions) | " + " | ".join(counts) + " | |",
            ]
        )

    def scorer_markdown(self) -> str:
        """Strict vs lenient per benchmark, with CIs, abstentions, errors and the gap."""
        lines = [
            "| benchmark | n | strict % (95% CI) | abstained | lenient % | gap (points) | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for b in self.benchmarks.values():
            if b is None or "strict" not in b.scorers:
                continue
            s, le = b.scorers["strict"], b.scorers["lenient"]
            lines.append(
                f"| {b.title} | {s.n} | {100 * s.accuracy:.1f} ({100 * s.ci_low:.1f}-{100 * s.ci_high:.1f}) "
                f"| {s.abstained} | {100 * le.accuracy:.1f} | {100 * (le.accuracy - s.accuracy):+.1f} | "
                f"{b.errors} |"
            )
        return "\n".join(lines)


def _plot(result: SuiteResult) -> str | None:
    """Per-benchmark accuracy (strict and lenient, 95% CI error bars) as base64 PNG; None without matplotlib."""
    try:
        from alphamed_client.html_report import _png, _pyplot

        plt = _pyplot()
    except RuntimeError:
        return None
    runs = [b for b in result.benchmarks.values() if b is not None and "strict" in b.scorers]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(runs) + 1.5))
    for offset, name, color in ((-0.2, "strict", "#4878a8"), (0.2, "lenient", "#c07040")):
        groups = [b.scorers[name] for b in runs]
        acc = [100 * g.accuracy for g in groups]
        err = [[100 * (g.accuracy - g.ci_low) for g in groups], [100 * (g.ci_high - g.accuracy) for g in groups]]
        ax.barh([i + offset for i in range(len(runs))], acc, height=0.4, xerr=err, capsize=3, color=color, label=name)
    ax.set_yticks(range(len(runs)), [b.title for b in runs])
    ax.set_xlim(0, 100)
    ax.set_xlabel("accuracy % (95% Wilson CI)")
    ax.invert_yaxis()
    ax.legend()
    try:
        return _png(fig)
    finally:
        plt.close(fig)


def write_summary(result: SuiteResult, out_dir: Path) -> list[Path]:
    """Write summary.json, summary.md and summary.html (plots when matplotlib is installed) to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "summary.json", out_dir / "summary.md", out_dir / "summary.html"]
    written[0].write_text(json.dumps(result.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    markdown = (
        f"## {result.model}: scorer {result.scorer}\n\n{result.markdown()}\n\n### Scorers side by side\n\n"
        f"{result.scorer_markdown()}\n"
    )
    written[1].write_text(markdown, encoding="utf-8")
    png = _plot(result)
    figure = (
        f'<img alt="accuracy by benchmark" src="data:image/png;base64,{png}">'
        if png
        else "<p>(plots need matplotlib: pip install 'alphamed-client[html]')</p>"
    )
    written[2].write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>AlphaMed eval: "
        f"{html.escape(result.model)}</title></head><body><h1>{html.escape(result.model)}</h1>"
        f"{figure}<pre>{html.escape(markdown)}</pre></body></html>\n",
        encoding="utf-8",
    )
    return written
