"""Batch scoring: ``concurrency`` lanes of requests over a streamed question bank.

At most ``concurrency`` questions are in flight; a new one is read from the bank only when
one completes, so memory stays flat whatever the bank's size. Each result is appended to the
results file the moment it completes. On a resume, ids already answered are skipped and
questions recorded with an error are asked again. Transient failures are retried by the
openai SDK (backoff, ``Retry-After``); a question that still fails is recorded with its error,
never counted as wrong. Errors every further request would hit (a rejected key, an unknown
model) stop the run at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from alphamed.prompts import DEFAULT_STYLE
from alphamed.schema import Question
from alphamed_client import results
from alphamed_client.bank import BadLine, iter_bank
from alphamed_client.connection_failures import ConnectionBreaker
from alphamed_client.errors import BankError, ScoringAborted
from alphamed_client.models import ModelAnswer, ResultRow
from alphamed_client.permute import orders, permuted
from alphamed_client.rows import AskedQuestion, row_from_error, row_from_model_answer
from alphamed_client.runheader import (
    BankRecord,
    RunHeader,
    close_run,
    file_sha256,
    now,
    open_run,
    question_seed,
    template_sha256,
    versions,
)

if TYPE_CHECKING:
    from alphamed_client.report import ScoreReport

logger = logging.getLogger(__name__)


class Answerer(Protocol):
    """What scoring asks questions of (e.g. :class:`~alphamed_client.client.AsyncAlphaMed`): a model
    name, a fail-fast server check and an ``answer`` coroutine."""

    @property
    def model(self) -> str: ...

    async def check_server(self) -> list[str]: ...

    async def answer(
        self,
        question: Question,
        *,
        n: int,
        temperature: float | None,
        max_tokens: int | None,
        prompt_style: str | None,
        seed: int | None,
    ) -> ModelAnswer: ...


@dataclass
class ScoreJob:
    """What to score and how.

    Args:
        bank: the question bank (JSONL).
        out: the results file (JSONL, appended).
        concurrency: questions in flight at once.
        resume: skip ids already answered in ``out`` (False: start ``out`` afresh).
        n: samples per question (majority vote when > 1).
        temperature, max_tokens, prompt_style: sampling and prompt settings.
        format, format_options: the bank's format (None: AlphaMed JSONL) and its options.
        seed: the run seed; each question is sent ``question_seed(seed, id)``.
        permutations: ask each question in this many cyclic option orders (see :mod:`.permute`).
        server: what the server says about itself and its base URL (for the run header).
        force_resume: append to ``out`` even when its run header records other settings.
        new_bank_ok: ``bank`` may join the banks of ``out``'s header (a benchmark of several files).
    """

    bank: Path
    out: Path
    concurrency: int = 64
    resume: bool = True
    n: int = 1
    temperature: float | None = None
    max_tokens: int | None = None
    prompt_style: str | None = DEFAULT_STYLE
    format: str | None = None
    format_options: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    permutations: int = 1
    server: dict[str, Any] = field(default_factory=dict)
    force_resume: bool = False
    new_bank_ok: bool = False

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        if self.n < 1:
            raise ValueError("n must be >= 1")
        if self.permutations < 1:
            raise ValueError("permutations must be >= 1")
        self.bank, self.out = Path(self.bank), Path(self.out)
        self.prompt_style = self.prompt_style or DEFAULT_STYLE  # None: the default style, named in the header


@dataclass
class RunCounts:
    """What one run did (bad lines are listed, not just counted)."""

    scored: int = 0
    errors: int = 0
    skipped: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)


def _is_fatal(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError))


async def score_one(
    client: Answerer, asked: AskedQuestion, job: ScoreJob, breaker: ConnectionBreaker | None = None
) -> ResultRow:
    """Ask one question; its result row, or its error row when it still fails after the retries.

    Raises:
        ScoringAborted: on an error every further request would hit (rejected key, unknown model),
            or (:class:`~alphamed_client.errors.ServerGone`) when ``breaker`` saw too many connection
            failures in a row.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        answer = await client.answer(
            asked.shown,
            n=job.n,
            temperature=job.temperature,
            max_tokens=job.max_tokens,
            prompt_style=job.prompt_style,
            seed=asked.seed,
        )
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if _is_fatal(exc):
            raise ScoringAborted(f"scoring stopped at question {asked.shown.id!r}: {exc}") from exc
        if breaker is not None:
            breaker.failed(exc, asked.shown.id)
        row = row_from_error(asked, exc, client.model, job.n, loop.time() - start)
        logger.warning("question %s failed after retries: %s", asked.shown.id, row.error)
        return row
    if breaker is not None:
        breaker.succeeded()
    return row_from_model_answer(asked, answer, client.model, job.prompt_style)


def asked_questions(question: Question, job: ScoreJob) -> Iterator[AskedQuestion]:
    """The requests of one bank question: itself, or one per option order in a permutation run."""
    if job.permutations == 1:
        yield AskedQuestion(question, question, None, question_seed(job.seed, question.id))
        return
    for j in range(orders(question, job.permutations)):
        shown, order = permuted(question, j)
        yield AskedQuestion(shown, question, order, question_seed(job.seed, shown.id))


def run_header(client: Answerer, job: ScoreJob) -> RunHeader:
    """The header of ``job`` run against ``client`` (see :mod:`alphamed_client.runheader`)."""
    from alphamed_client.protocol import resolve_temperature

    server = dict(job.server)
    bank = BankRecord(path=str(job.bank), sha256=file_sha256(job.bank), format=job.format)
    return RunHeader(
        model=client.model,
        base_url=str(server.pop("base_url", "")),
        server=server,
        prompt_style=job.prompt_style,
        prompt_template_sha256=template_sha256(job.prompt_style),
        temperature=resolve_temperature(job.temperature, job.n),
        max_tokens=job.max_tokens,
        n=job.n,
        seed=job.seed,
        permutations=job.permutations,
        banks=[bank],
        started=now(),
        **versions(),
    )


class _Lanes:
    """``concurrency`` lanes, each asking one question at a time from a shared bank iterator.

    A lane writes its result the moment it completes and only then reads the next question, so
    the bank is read as fast as questions complete and the next request leaves right after the
    previous answer is written (no task per question, no waiting on a set of tasks).
    """

    def __init__(
        self,
        questions: Iterator[AskedQuestion],
        ask: Callable[[AskedQuestion], Awaitable[ResultRow]],
        writer: results.ResultsWriter,
        counts: RunCounts,
        on_result: Callable[[ResultRow], None] | None,
    ) -> None:
        self.questions = questions
        self.ask = ask
        self.writer = writer
        self.counts = counts
        self.on_result = on_result

    async def lane(self) -> None:
        for question in self.questions:  # no await between next() and ask(): lanes never collide
            row = await self.ask(question)
            self.writer.write(row)
            self.counts.scored += 1
            self.counts.errors += row.error is not None
            if self.on_result is not None:
                self.on_result(row)

    async def run(self, count: int) -> None:
        """Run ``count`` lanes to the end of the bank; the first error cancels the others."""
        tasks = [asyncio.ensure_future(self.lane()) for _ in range(count)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def run_job(
    client: Answerer,
    job: ScoreJob,
    *,
    on_result: Callable[[ResultRow], None] | None = None,
    on_bad_line: Callable[[BadLine], None] | None = None,
) -> RunCounts:
    """Score every question of ``job.bank`` not already done; returns what this run did.

    Raises:
        RunMismatch: ``job.out``'s run header records other settings, or its bank changed (nothing written).
        ScoringAborted: on an error every request would hit; rows written so far are kept.
    """
    if not job.bank.exists():
        raise BankError(f"cannot read question bank {job.bank}: no such file")
    header = open_run(
        job.out, run_header(client, job), resume=job.resume, force=job.force_resume, new_bank_ok=job.new_bank_ok
    )
    ask = functools.partial(score_one, client, job=job, breaker=ConnectionBreaker())
    counts = await _dispatch(ask, job, on_result, on_bad_line)
    close_run(job.out, header)
    return counts


async def _dispatch(
    ask: Callable[[AskedQuestion], Awaitable[ResultRow]],
    job: ScoreJob,
    on_result: Callable[[ResultRow], None] | None,
    on_bad_line: Callable[[BadLine], None] | None,
) -> RunCounts:
    done = results.done_ids(job.out) if job.resume else set()
    counts = RunCounts()

    def todo() -> Iterator[AskedQuestion]:
        for item in iter_bank(job.bank, format=job.format, **job.format_options):
            if isinstance(item, BadLine):
                counts.bad_lines.append(item)
                logger.warning("skipping %s", item)
                if on_bad_line is not None:
                    on_bad_line(item)
                continue
            for asked in asked_questions(item, job):
                if asked.shown.id in done:
                    counts.skipped += 1
                else:
                    yield asked

    with results.ResultsWriter(job.out, fresh=not job.resume) as writer:
        await _Lanes(todo(), ask, writer, counts, on_result).run(job.concurrency)
    return counts


async def score_bank(
    client: Answerer,
    job: ScoreJob,
    *,
    on_result: Callable[[ResultRow], None] | None = None,
    on_bad_line: Callable[[BadLine], None] | None = None,
) -> ScoreReport:
    """Run ``job`` and report on the whole results file (earlier runs included).

    Args:
        client: what answers the questions (an :class:`~alphamed_client.client.AsyncAlphaMed`).
        job: what to score.
        on_result: called with each row as it is written (progress bars).
        on_bad_line: called with each unreadable bank line.

    Returns:
        The :class:`~alphamed_client.report.ScoreReport` of ``job.out``.

    Raises:
        ScoringAborted: on an error every request would hit; rows written so far are kept.
    """
    from alphamed_client.report import ScoreReport

    counts = await run_job(client, job, on_result=on_result, on_bad_line=on_bad_line)
    dropped = results.compact(job.out)
    logger.info(
        "scored %d (%d errors), skipped %d done, %d bad lines, compacted %d superseded rows",
        counts.scored,
        counts.errors,
        counts.skipped,
        len(counts.bad_lines),
        dropped,
    )
    report = ScoreReport.from_rows(results.read_compacted(job.out))
    report.bad_lines = [str(b) for b in counts.bad_lines]
    return report
