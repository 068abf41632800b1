"""``ScoreReport``: accuracy with Wilson 95% intervals, overall and by source/subject/difficulty,
abstentions, errors, the confusion of predicted vs gold letters, latency and token percentiles;
and :func:`compare`, the paired comparison of two result files with McNemar's test.

Accuracy counts answered, labeled questions: an abstention (no letter) is wrong; a question
that failed with an error is left out of accuracy and counted under ``errors``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from alphamed_client.metrics import Metrics, MetricsTally
from alphamed_client.models import ResultRow
from alphamed_client.rescoring import SCORERS, has_outputs, rescore_row
from alphamed_client.results import read_results
from alphamed_client.stats import mcnemar, percentile, wilson_interval

DIMENSIONS = ("source", "subject", "difficulty")
NONE_LABEL = "none"
MAX_LISTED = 20


class GroupAccuracy(BaseModel):
    """Accuracy of one group of questions."""

    name: str
    n: int = 0
    correct: int = 0
    abstained: int = 0
    errors: int = 0
    accuracy: float = 0.0
    ci_low: float = 0.0
    ci_high: float = 1.0


class Percentiles(BaseModel):
    """p50/p90/p99/mean/max (and the sum, for tokens)."""

    p50: float = 0.0
    p90: float = 0.0
    p99: float = 0.0
    mean: float = 0.0
    max: float = 0.0
    total: float = 0.0

    @classmethod
    def of(cls, values: list[float]) -> Percentiles:
        if not values:
            return cls()
        return cls(
            p50=percentile(values, 50),
            p90=percentile(values, 90),
            p99=percentile(values, 99),
            mean=sum(values) / len(values),
            max=max(values),
            total=sum(values),
        )


def difficulty_label(value: float | str | None) -> str:
    """The group a difficulty falls in: pass rates in bins of 0.2, names as they are.

    >>> difficulty_label(0.35), difficulty_label(1.0), difficulty_label("hard"), difficulty_label(None)
    ('0.2-0.4', '0.8-1.0', 'hard', 'none')
    """
    if value is None:
        return NONE_LABEL
    if isinstance(value, str):
        return value
    low = min(int(float(value) * 5), 4) / 5
    return f"{low:.1f}-{low + 0.2:.1f}"


def _group_key(row: ResultRow, dimension: str) -> str:
    if dimension == "difficulty":
        return difficulty_label(row.difficulty)
    value = getattr(row, dimension)
    return NONE_LABEL if value is None else str(value)


class _Tally:
    def __init__(self) -> None:
        self.n = self.correct = self.abstained = self.errors = 0

    def add(self, row: ResultRow) -> None:
        if row.error is not None:
            self.errors += 1
        elif row.gold is not None:
            self.n += 1
            self.correct += bool(row.correct)
            self.abstained += row.predicted is None

    def result(self, name: str) -> GroupAccuracy:
        low, high = wilson_interval(self.correct, self.n)
        return GroupAccuracy(
            name=name,
            n=self.n,
            correct=self.correct,
            abstained=self.abstained,
            errors=self.errors,
            accuracy=self.correct / self.n if self.n else 0.0,
            ci_low=low,
            ci_high=high,
        )


class ScoreReport(BaseModel):
    """What a results file says about a model."""

    models: list[str] = Field(default_factory=list)
    rows: int = 0
    answered: int = 0
    errors: int = 0
    unlabeled: int = 0
    overall: GroupAccuracy = Field(default_factory=lambda: GroupAccuracy(name="overall"))
    abstention_rate: float = 0.0
    by: dict[str, list[GroupAccuracy]] = Field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = Field(default_factory=dict)
    methods: dict[str, int] = Field(default_factory=dict)
    latency_s: Percentiles = Field(default_factory=Percentiles)
    prompt_tokens: Percentiles = Field(default_factory=Percentiles)
    completion_tokens: Percentiles = Field(default_factory=Percentiles)
    error_examples: list[str] = Field(default_factory=list)
    bad_lines: list[str] = Field(default_factory=list)
    scorer: str = "strict"
    scorers: dict[str, GroupAccuracy] = Field(default_factory=dict)
    rows_without_outputs: int = 0
    metrics: Metrics = Field(default_factory=Metrics)

    @classmethod
    def from_rows(cls, rows: Iterable[ResultRow], scorer: str = "strict") -> ScoreReport:
        """Aggregate ``rows`` (one per question) in one streaming pass.

        Args:
            rows: result rows, one per id.
            scorer: which scorer the tables use (``strict``: the stored letters; ``lenient``: re-scored
                from the kept outputs); both are always in :attr:`scorers`.
        """
        if scorer not in SCORERS:
            raise ValueError(f"unknown scorer {scorer!r}; choose from {', '.join(SCORERS)}")
        side = {name: _Tally() for name in SCORERS}
        metrics = MetricsTally()
        rows = _rescored(rows, scorer, side, metrics)
        overall, groups = _Tally(), {d: defaultdict(_Tally) for d in DIMENSIONS}
        confusion: dict[str, Counter] = defaultdict(Counter)
        methods: Counter = Counter()
        latencies, prompt, completion, errors = [], [], [], []
        models: dict[str, None] = {}
        count = unlabeled = 0
        for row in rows:
            count += 1
            models.setdefault(row.model)
            overall.add(row)
            for dim in DIMENSIONS:
                groups[dim][_group_key(row, dim)].add(row)
            if row.error is not None:
                if len(errors) < MAX_LISTED:
                    errors.append(f"{row.id}: {row.error}")
                continue
            latencies.append(row.latency)
            prompt.append(float(row.prompt_tokens))
            completion.append(float(row.completion_tokens))
            methods[row.method or NONE_LABEL] += 1
            if row.gold is None:
                unlabeled += 1
            else:
                confusion[row.gold][row.predicted or NONE_LABEL] += 1
        answered = count - overall.errors
        return cls(
            models=[m for m in models if m],
            rows=count,
            answered=answered,
            errors=overall.errors,
            unlabeled=unlabeled,
            overall=overall.result("overall"),
            abstention_rate=overall.abstained / overall.n if overall.n else 0.0,
            by={d: [t.result(k) for k, t in sorted(g.items())] for d, g in groups.items()},
            confusion={g: dict(sorted(c.items())) for g, c in sorted(confusion.items())},
            methods=dict(methods.most_common()),
            latency_s=Percentiles.of(latencies),
            prompt_tokens=Percentiles.of(prompt),
            completion_tokens=Percentiles.of(completion),
            error_examples=errors,
            scorer=scorer,
            metrics=metrics.result(),
            scorers={name: t.result(name) for name, t in side.items()},
            rows_without_outputs=metrics.without_outputs,
        )

    @classmethod
    def from_file(cls, path: str | Path, scorer: str = "strict") -> ScoreReport:
        """The report of a results JSONL file (one row per id; torn lines ignored)."""
        return cls.from_rows(read_results(path), scorer=scorer)


def _rescored(
    rows: Iterable[ResultRow], scorer: str, side: dict[str, _Tally], metrics: MetricsTally
) -> Iterable[ResultRow]:
    """``rows`` as the chosen scorer grades them, tallying every scorer and the metrics on the way."""
    for row in rows:
        graded = {"strict": row}
        if has_outputs(row):
            graded["lenient"] = rescore_row(row, "lenient")
        else:
            graded["lenient"] = row
            metrics.without_outputs += row.error is None
        for name, tally in side.items():
            tally.add(graded[name])
        metrics.add(graded[scorer])
        yield graded[scorer]


class Comparison(BaseModel):
    """Paired comparison of a baseline run (a) and a new run (b) on the questions both answered."""

    paired: int
    accuracy_a: float
    accuracy_b: float
    both_correct: int
    both_wrong: int
    fixed: int = Field(description="wrong in a, right in b")
    broken: int = Field(description="right in a, wrong in b")
    p_exact: float
    chi2: float
    p_chi2: float
    only_in_a: int
    only_in_b: int
    fixed_ids: list[str]
    broken_ids: list[str]


def _outcomes(rows: Iterable[ResultRow]) -> dict[str, bool]:
    return {r.id: bool(r.correct) for r in rows if r.error is None and r.gold is not None}


def compare(a: str | Path | Iterable[ResultRow], b: str | Path | Iterable[ResultRow]) -> Comparison:
    """Which questions flipped between run ``a`` (baseline) and run ``b``, and McNemar's test.

    Args:
        a: the baseline results (a file or rows).
        b: the new results.

    Returns:
        A :class:`Comparison`; the flipped ids are listed (sorted) in full.
    """
    out_a = _outcomes(read_results(a) if isinstance(a, (str, Path)) else a)
    out_b = _outcomes(read_results(b) if isinstance(b, (str, Path)) else b)
    common = sorted(out_a.keys() & out_b.keys())
    fixed = [i for i in common if out_b[i] and not out_a[i]]
    broken = [i for i in common if out_a[i] and not out_b[i]]
    both_correct = sum(1 for i in common if out_a[i] and out_b[i])
    test = mcnemar(len(broken), len(fixed))
    n = len(common)
    return Comparison(
        paired=n,
        accuracy_a=sum(out_a[i] for i in common) / n if n else 0.0,
        accuracy_b=sum(out_b[i] for i in common) / n if n else 0.0,
        both_correct=both_correct,
        both_wrong=n - both_correct - len(fixed) - len(broken),
        fixed=len(fixed),
        broken=len(broken),
        p_exact=test.p_exact,
        chi2=test.chi2,
        p_chi2=test.p_chi2,
        only_in_a=len(out_a.keys() - out_b.keys()),
        only_in_b=len(out_b.keys() - out_a.keys()),
        fixed_ids=fixed,
        broken_ids=broken,
    )
