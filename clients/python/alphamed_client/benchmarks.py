"""The AlphaMed benchmark suite, from local files in their public formats.

Put each benchmark under ``DATA_DIR`` as a file named after it (any extension the core
loader reads, e.g. ``medqa.jsonl``, ``gpqa.csv``) or as a folder of such files
(``medqa/test.jsonl``). MMLU-Pro and GPQA are filtered to their medical subsets by the core
loaders (``medical_only=True``; see :mod:`alphamed.data.formats.mmlu` and ``gpqa``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from alphamed_client.errors import BankError
from alphamed_client.report import ScoreReport
from alphamed_client.scoring import Answerer, ScoreJob, run_job
from alphamed_client.suite_summary import BenchmarkSummary, SuiteResult

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
        location: where its questions are (a path or a Hugging Face dataset id); None: the data folder.
    """

    name: str
    title: str
    format: str
    names: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)
    location: str | None = None


BENCHMARKS: dict[str, Benchmark] = {
    b.name: b
    for b in (
        Benchmark("medqa", "MedQA", "medqa", ("medqa", "medqa_usmle", "med_qa")),
        Benchmark("medmcqa", "MedMCQA", "medmcqa", ("medmcqa",)),
        Benchmark("pubmedqa", "PubMedQA", "pubmedqa", ("pubmedqa", "ori_pqal")),
        Benchmark(
            "mmlu-pro-med", "MMLU-ProM", "mmlu-pro", ("mmlu-pro-med", "mmlu-pro", "mmlu_pro"), {"medical_only": True}
        ),
        Benchmark(
            "gpqa-med", "GPQA-M", "gpqa", ("gpqa-med", "gpqa", "gpqa_main", "gpqa_diamond"), {"medical_only": True}
        ),
        Benchmark("medxpertqa", "MedXpertQA", "medxpertqa", ("medxpertqa",)),
    )
}


def parse_benchmarks(value: str | None) -> list[Benchmark]:
    """Benchmarks named in a comma-separated list (None: all of them, in paper order).

    Each item is a name, or ``name=LOCATION``: a file or folder, or a Hugging Face dataset id
    (``owner/name[:split]``) when no such path exists.

    >>> [(b.name, b.location) for b in parse_benchmarks("medqa=data/medqa.jsonl,gpqa-med")]
    [('medqa', 'data/medqa.jsonl'), ('gpqa-med', None)]
    """
    if not value:
        return list(BENCHMARKS.values())
    items = [v.strip().partition("=") for v in value.split(",") if v.strip()]
    unknown = [n for n, _, _ in items if n.strip().lower() not in BENCHMARKS]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return [replace(BENCHMARKS[n.strip().lower()], location=loc.strip() or None) for n, _, loc in items]


def find_files(data_dir: Path | None, benchmark: Benchmark, hub_folder: Path | None = None) -> list[Path]:
    """The files of ``benchmark``: its location (a file, a folder, a hub id exported to ``hub_folder``),
    else in ``data_dir`` (a named file, or every file of a named folder)."""
    if benchmark.location is not None:
        where = Path(benchmark.location)
        if where.is_dir():
            return sorted(p for p in where.iterdir() if p.suffix.lower() in DATA_SUFFIXES)
        if where.is_file():
            return [where]
        if "/" in benchmark.location and not benchmark.location.startswith((".", "/")):
            from alphamed_client.hub import export_hub_dataset

            return [export_hub_dataset(benchmark.location, hub_folder or Path("."))]
        raise BankError(f"{benchmark.name}: no file, folder or Hugging Face dataset id {benchmark.location!r}")
    if data_dir is None:
        return []
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


async def run_suite(
    client: Answerer,
    data_dir: Path | None,
    benchmarks: list[Benchmark],
    out_dir: Path,
    *,
    require_all: bool,
    scorer: str = "strict",
    describe_server: Callable[[], Awaitable[dict[str, Any]]] | None = None,
    **job: Any,
) -> SuiteResult:
    """Score each benchmark into ``out_dir/<name>.jsonl`` (resumable; run header ``<name>.run.json``).

    Args:
        client: the client.
        data_dir: where the benchmark files are (benchmarks with a location need none).
        benchmarks: which ones.
        out_dir: where the results files go (and hub datasets, exported as JSONL under ``datasets/``).
        require_all: fail before scoring anything when one is missing (else skip it).
        scorer: the scorer of the table (both are in the summary).
        describe_server: what the run headers record of the server (asked after the server check).
        **job: ScoreJob settings (concurrency, n, temperature, max_tokens, prompt_style, resume, seed...).

    Returns:
        The :class:`~alphamed_client.suite_summary.SuiteResult`.
    """
    found = {b.name: find_files(data_dir, b, out_dir / "datasets") for b in benchmarks}
    missing = [b for b in benchmarks if not found[b.name]]
    if missing and (require_all or len(missing) == len(benchmarks)):
        expected = "; ".join(f"{b.name}: {data_dir}/{b.names[0]}.jsonl (or a folder {b.names[0]}/)" for b in missing)
        raise BankError(f"benchmark files not found in {data_dir}: {expected}")
    await client.check_server()
    if describe_server is not None:
        job["server"] = await describe_server()
    summaries: dict[str, BenchmarkSummary | None] = {}
    resume = job.pop("resume", True)
    for bench in benchmarks:
        if not found[bench.name]:
            logger.warning("skipping %s: no file in %s", bench.name, data_dir)
            summaries[bench.name] = None
            continue
        out = out_dir / f"{bench.name}.jsonl"
        for i, path in enumerate(found[bench.name]):
            await run_job(
                client,
                ScoreJob(
                    bank=path,
                    out=out,
                    resume=resume or i > 0,
                    format=bench.format,
                    format_options=dict(bench.options),
                    new_bank_ok=i > 0,
                    **job,
                ),
            )
        summaries[bench.name] = BenchmarkSummary.of(bench.title, out, ScoreReport.from_file(out, scorer=scorer))
    scored = [b.accuracy for b in summaries.values() if b is not None]
    return SuiteResult(
        model=client.model,
        scorer=scorer,
        benchmarks=summaries,
        errors=sum(b.errors for b in summaries.values() if b is not None),
        average=sum(scored) / len(scored) if scored else None,
    )
