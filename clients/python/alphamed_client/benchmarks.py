"""The AlphaMed benchmark suite, from local files in their public formats.

Put each benchmark under ``DATA_DIR`` as a file named after it (any extension the core
loader reads, e.g. ``medqa.jsonl``, ``gpqa.csv``) or as a folder of such files
(``medqa/test.jsonl``). MMLU-Pro and GPQA are filtered to their medical subsets by the core
loaders (``medical_only=True``; see :mod:`alphamed.data.formats.mmlu` and ``gpqa``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from alphamed_client.errors import BankError
from alphamed_client.report import GroupAccuracy, ScoreReport
from alphamed_client.scoring import Answerer, ScoreJob, run_job

logger = logging.getLogger(__name__)
DATA_SUFFIXES = (".jsonl", ".json", ".csv")


@dataclass(frozen=True)
class Benchmark:
    """One benchmark of the suite.

    Args:
        name: the ``--benchmarks`` name.
        title: the column title in the paper-style table.
        format: the core loader format.
        names: file or folder names (without extension) looked for in the data folder.
        options: loader options (the medical subset filters).
    """

    name: str
    title: str
    format: str
    names: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in (
    Benchmark("medqa", "MedQA", "medqa", ("medqa", "medqa_usmle", "med_qa")),
    Benchmark("medmcqa", "MedMCQA", "medmcqa", ("medmcqa",)),
    Benchmark("pubmedqa", "PubMedQA", "pubmedqa", ("pubmedqa", "ori_pqal")),
    Benchmark("mmlu-pro-med", "MMLU-ProM", "mmlu-pro", ("mmlu-pro-med", "mmlu-pro", "mmlu_pro"),
              {"medical_only": True}),
    Benchmark("gpqa-med", "GPQA-M", "gpqa", ("gpqa-med", "gpqa", "gpqa_main", "gpqa_diamond"),
              {"medical_only": True}),
    Benchmark("medxpertqa", "MedXpertQA", "medxpertqa", ("medxpertqa",)),
)}


def parse_benchmarks(value: str | None) -> list[Benchmark]:
    """Benchmarks named in a comma-separated list (None: all of them, in paper order)."""
    if not value:
        return list(BENCHMARKS.values())
    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return [BENCHMARKS[n] for n in names]


def find_files(data_dir: Path, benchmark: Benchmark) -> list[Path]:
    """The files of ``benchmark`` in ``data_dir`` (a named file, or every file of a named folder)."""
    for name in benchmark.names:
        folder = data_dir / name
        if folder.is_dir():
            files = sorted(p for p in folder.iterdir() if p.suffix.lower() in DATA_SUFFIXES)
            if files:
                return files
        for suffix in DATA_SUFFIXES:
            if (data_dir / f"{name}{suffix}").is_file():
                return [data_dir / f"{name}{suffix}"]
    return []


class SuiteResult(BaseModel):
    """The suite's accuracy per benchmark (None: not run) and the unweighted average."""

    model: str
    columns: dict[str, GroupAccuracy | None]
    average: float | None
    errors: int = 0

    def markdown(self) -> str:
        """The paper-style table: one column per benchmark, then the average."""
        titles = [BENCHMARKS[name].title for name in self.columns]
        cells = [f"{100 * g.accuracy:.1f}" if g else "-" for g in self.columns.values()]
        counts = [f"n={g.n}" if g else "missing" for g in self.columns.values()]
        avg = f"{100 * self.average:.1f}" if self.average is not None else "-"
        return "\n".join([
            "| model | " + " | ".join(titles) + " | Avg |",
            "| --- |" + " ---: |" * (len(titles) + 1),
            f"| {self.model} | " + " | ".join(cells) + f" | {avg} |",
            "| (questions) | " + " | ".join(counts) + " | |",
        ])


async def run_suite(client: Answerer, data_dir: Path, benchmarks: list[Benchmark], out_dir: Path, *,
                    require_all: bool, **job: Any) -> SuiteResult:
    """Score each benchmark found in ``data_dir`` into ``out_dir/<name>.jsonl`` (resumable).

    Args:
        client: the client.
        data_dir: where the benchmark files are.
        benchmarks: which ones.
        out_dir: where the results files go.
        require_all: fail before scoring anything when one is missing (else skip it).
        **job: ScoreJob settings (concurrency, n, temperature, max_tokens, prompt_style, resume...).

    Returns:
        The :class:`SuiteResult`.
    """
    found = {b.name: find_files(data_dir, b) for b in benchmarks}
    missing = [b for b in benchmarks if not found[b.name]]
    if missing and (require_all or len(missing) == len(benchmarks)):
        expected = "; ".join(f"{b.name}: {data_dir}/{b.names[0]}.jsonl (or a folder {b.names[0]}/)"
                             for b in missing)
        raise BankError(f"benchmark files not found in {data_dir}: {expected}")
    await client.check_server()
    columns: dict[str, GroupAccuracy | None] = {}
    errors = 0
    resume = job.pop("resume", True)
    for bench in benchmarks:
        if not found[bench.name]:
            logger.warning("skipping %s: no file in %s", bench.name, data_dir)
            columns[bench.name] = None
            continue
        out = out_dir / f"{bench.name}.jsonl"
        for i, path in enumerate(found[bench.name]):
            await run_job(client, ScoreJob(bank=path, out=out, resume=resume or i > 0, format=bench.format,
                                           format_options=dict(bench.options), **job))
        report = ScoreReport.from_file(out)
        columns[bench.name] = report.overall
        errors += report.errors
    scored = [g.accuracy for g in columns.values() if g is not None]
    return SuiteResult(model=client.model, columns=columns, errors=errors,
                       average=sum(scored) / len(scored) if scored else None)
