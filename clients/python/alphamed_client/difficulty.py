"""Difficulty labels: each question's pass rate over k sampled answers from a reference model.

The AlphaMed data analysis found that question informativeness and a mix of difficulty drive
what RL learns; ``alphamed data filter --min-pass/--max-pass`` then keeps the informative ones.
Sampling reuses batch scoring (``n = k``, a resumable results file); the labeled bank is
written at the end, atomically, with ``difficulty`` = correct samples / samples.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from alphamed_client.bank import BadLine, iter_bank
from alphamed_client.models import ResultRow
from alphamed_client.results import compact, read_results
from alphamed_client.scoring import Answerer, ScoreJob, run_job


def pass_rate(row: ResultRow) -> float | None:
    """Share of ``row``'s samples that chose the gold letter (None without gold or on error).

    >>> pass_rate(ResultRow(id="q", gold="B", n=8, votes={"B": 6, "C": 1}))
    0.75
    """
    if row.error is not None or row.gold is None or row.n <= 0:
        return None
    return row.votes.get(row.gold, 0) / row.n


@dataclass
class DifficultySummary:
    """What a labeling run produced."""

    labeled: int = 0
    failed: int = 0
    unlabeled_gold: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)
    histogram: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        bins = " ".join(f"{k}:{v}" for k, v in self.histogram.items())
        return (
            f"labeled {self.labeled} question(s); pass-rate histogram {bins or '-'}; "
            f"{self.failed} failed, {self.unlabeled_gold} without a gold letter, "
            f"{len(self.bad_lines)} unreadable line(s)"
        )


async def label_difficulty(
    client: Answerer,
    bank: str | Path,
    output: str | Path,
    *,
    k: int = 8,
    results_path: str | Path,
    concurrency: int = 64,
    temperature: float | None = None,
    max_tokens: int | None = None,
    prompt_style: str | None = None,
    seed: int = 0,
    force_resume: bool = False,
    server: dict | None = None,
    on_result: Callable[[ResultRow], None] | None = None,
) -> DifficultySummary:
    """Sample ``k`` answers per question of ``bank`` and write it to ``output`` with pass rates.

    Args:
        client: the client of the reference model's server.
        bank: the question bank (JSONL).
        output: the labeled bank to write (JSONL).
        k: samples per question.
        results_path: the resumable samples file.
        concurrency, temperature, max_tokens, prompt_style, seed, force_resume: as for scoring.
        server: what the run header records of the server.
        on_result: progress callback per question.

    Returns:
        A :class:`DifficultySummary`.
    """
    await client.check_server()
    job = ScoreJob(
        bank=Path(bank),
        out=Path(results_path),
        concurrency=concurrency,
        n=k,
        temperature=temperature,
        max_tokens=max_tokens,
        prompt_style=prompt_style,
        seed=seed,
        force_resume=force_resume,
        server=server or {},
    )
    counts = await run_job(client, job, on_result=on_result)
    compact(job.out)
    rates: dict[str, float | None] = {}
    summary = DifficultySummary(bad_lines=counts.bad_lines)
    for row in read_results(job.out):
        rates[row.id] = pass_rate(row)
        summary.failed += row.error is not None
    _write_labeled(Path(bank), Path(output), rates, summary)
    return summary


def _write_labeled(bank: Path, output: Path, rates: dict[str, float | None], summary: DifficultySummary) -> None:
    from alphamed_client.report import difficulty_label

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    histogram: dict[str, int] = {}
    with tmp.open("w", encoding="utf-8") as out:
        for item in iter_bank(bank):
            if isinstance(item, BadLine):
                continue
            if item.answer is None:
                summary.unlabeled_gold += 1
                continue
            rate = rates.get(item.id)
            if rate is None:
                continue
            item.difficulty = round(rate, 4)
            out.write(item.model_dump_json(exclude_defaults=True) + "\n")
            summary.labeled += 1
            label = difficulty_label(rate)
            histogram[label] = histogram.get(label, 0) + 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, output)
    summary.histogram = dict(sorted(histogram.items()))
