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
from typing import TYPE_CHECKING, Any

from alphamed.schema import Question
from alphamed_client import results
from alphamed_client.bank import BadLine, iter_bank
from alphamed_client.errors import ScoringAborted, ServerGone
from alphamed_client.models import Answer, ResultRow

if TYPE_CHECKING:
    from alphamed_client.client import AsyncAlphaMed
    from alphamed_client.report import ScoreReport

logger = logging.getLogger(__name__)
MAX_ERROR_CHARS = 500
CONNECTION_FAILURES_TO_STOP = 8  # in a row, each after its retries: the server is gone


def connection_cause(exc: BaseException) -> str | None:
    """What really failed when ``exc`` is a failure to connect (refused, reset, unresolvable host),
    found in its chain of causes, or None for any other failure (a slow server's timeout included).

    >>> err = RuntimeError("Request timed out.")
    >>> err.__cause__ = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 1)")
    >>> connection_cause(err)
    "connection refused ([Errno 111] Connect call failed ('127.0.0.1', 1))"
    >>> connection_cause(TimeoutError("read timed out")) is None
    True
    """
    import socket

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return f"connection refused ({current})"
        if isinstance(current, (ConnectionResetError, ConnectionAbortedError)):
            return f"connection reset ({current})"
        if isinstance(current, socket.gaierror):
            return f"cannot resolve the host ({current})"
        current = current.__cause__ or current.__context__
    return None


class ConnectionBreaker:
    """Stops a run after ``limit`` questions in a row failed to connect: the rest would only
    wait through their retries to fail the same way; they are left for the resume.

    Args:
        limit: consecutive connection failures that stop the run.
    """

    def __init__(self, limit: int = CONNECTION_FAILURES_TO_STOP) -> None:
        self.limit = limit
        self.in_a_row = 0

    def succeeded(self) -> None:
        self.in_a_row = 0

    def failed(self, exc: BaseException, question_id: str) -> None:
        """Count ``exc``; raise :class:`ServerGone` when it is the limit-th connection failure in a row."""
        cause = connection_cause(exc)
        if cause is None:
            self.in_a_row = 0
            return
        self.in_a_row += 1
        if self.in_a_row >= self.limit:
            raise ServerGone(f"scoring stopped at question {question_id!r}: {self.in_a_row} questions in a row "
                             f"could not connect to the server: {cause}; the rest are left for the resume")


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
        workers: processes that ask the server (> 1: see :mod:`alphamed_client.workers`).
    """

    bank: Path
    out: Path
    concurrency: int = 64
    resume: bool = True
    n: int = 1
    temperature: float | None = None
    max_tokens: int | None = None
    prompt_style: str | None = None
    format: str | None = None
    format_options: dict[str, Any] = field(default_factory=dict)
    workers: int = 1

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.n < 1:
            raise ValueError("n must be >= 1")


@dataclass
class RunCounts:
    """What one run did (bad lines are listed, not just counted)."""

    scored: int = 0
    errors: int = 0
    skipped: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)


def row_from_answer(question: Question, answer: Answer, model: str) -> ResultRow:
    """The result row of an answered question."""
    correct = None if question.answer is None else answer.letter == question.answer
    return ResultRow(id=question.id, source=question.source, subject=question.subject,
                     difficulty=question.difficulty, gold=question.answer, predicted=answer.letter,
                     correct=correct, method=answer.method, latency=round(answer.latency, 4),
                     prompt_tokens=answer.usage.prompt_tokens,
                     completion_tokens=answer.usage.completion_tokens, n=answer.n, votes=answer.votes,
                     agreement=round(answer.agreement, 4), model=model)


def row_from_error(question: Question, error: BaseException, model: str, n: int,
                   latency: float) -> ResultRow:
    """The result row of a question that failed after all retries."""
    cause = connection_cause(error)  # "Request timed out." can hide a refused connection
    text = f"{error} ({cause})" if cause else str(error)
    message = f"{type(error).__name__}: {text}".replace("\n", " ")[:MAX_ERROR_CHARS]
    return ResultRow(id=question.id, source=question.source, subject=question.subject,
                     difficulty=question.difficulty, gold=question.answer, n=n, model=model,
                     latency=round(latency, 4), error=message)


def _is_fatal(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError,
                            openai.NotFoundError))


async def score_one(client: AsyncAlphaMed, question: Question, job: ScoreJob,
                    breaker: ConnectionBreaker | None = None) -> ResultRow:
    """Ask ``question``; its result row, or its error row when it still fails after the retries.

    Raises:
        ScoringAborted: on an error every further request would hit (rejected key, unknown model),
            or (:class:`ServerGone`) when ``breaker`` saw too many connection failures in a row.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        answer = await client.answer(question, n=job.n, temperature=job.temperature,
                                     max_tokens=job.max_tokens, prompt_style=job.prompt_style)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if _is_fatal(exc):
            raise ScoringAborted(f"scoring stopped at question {question.id!r}: {exc}") from exc
        if breaker is not None:
            breaker.failed(exc, question.id)
        row = row_from_error(question, exc, client.model, job.n, loop.time() - start)
        logger.warning("question %s failed after retries: %s", question.id, row.error)
        return row
    if breaker is not None:
        breaker.succeeded()
    return row_from_answer(question, answer, client.model)


class _Lanes:
    """``concurrency`` lanes, each asking one question at a time from a shared bank iterator.

    A lane writes its result the moment it completes and only then reads the next question, so
    the bank is read as fast as questions complete and the next request leaves right after the
    previous answer is written (no task per question, no waiting on a set of tasks).
    """

    def __init__(self, questions: Iterator[Question], ask: Callable[[Question], Awaitable[ResultRow]],
                 writer: results.ResultsWriter, counts: RunCounts,
                 on_result: Callable[[ResultRow], None] | None) -> None:
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


async def run_job(client: AsyncAlphaMed, job: ScoreJob, *,
                  on_result: Callable[[ResultRow], None] | None = None,
                  on_bad_line: Callable[[BadLine], None] | None = None) -> RunCounts:
    """Score every question of ``job.bank`` not already done; returns what this run did."""
    pool = None
    if job.workers > 1:  # started first: forked workers stay small
        from alphamed_client.workers import WorkerPool

        settings = dict(client.settings.as_kwargs(), mcqa=await client.uses_mcqa())
        pool = await WorkerPool(settings, job, job.workers).start()
    try:
        ask = pool.ask if pool is not None else functools.partial(score_one, client, job=job,
                                                                  breaker=ConnectionBreaker())
        return await _dispatch(ask, job, on_result, on_bad_line)
    finally:
        if pool is not None:
            await pool.close()


async def _dispatch(ask: Callable[[Question], Awaitable[ResultRow]], job: ScoreJob,
                    on_result: Callable[[ResultRow], None] | None,
                    on_bad_line: Callable[[BadLine], None] | None) -> RunCounts:
    done = results.done_ids(job.out) if job.resume else set()
    counts = RunCounts()

    def todo() -> Iterator[Question]:
        for item in iter_bank(job.bank, format=job.format, **job.format_options):
            if isinstance(item, BadLine):
                counts.bad_lines.append(item)
                logger.warning("skipping %s", item)
                if on_bad_line is not None:
                    on_bad_line(item)
            elif item.id in done:
                counts.skipped += 1
            else:
                yield item

    with results.ResultsWriter(job.out, fresh=not job.resume) as writer:
        await _Lanes(todo(), ask, writer, counts, on_result).run(job.concurrency)
    return counts


async def score_bank(client: AsyncAlphaMed, job: ScoreJob, *,
                     on_result: Callable[[ResultRow], None] | None = None,
                     on_bad_line: Callable[[BadLine], None] | None = None) -> ScoreReport:
    """Run ``job`` and report on the whole results file (earlier runs included).

    Args:
        client: the async client to ask.
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
    logger.info("scored %d (%d errors), skipped %d done, %d bad lines, compacted %d superseded rows",
                counts.scored, counts.errors, counts.skipped, len(counts.bad_lines), dropped)
    report = ScoreReport.from_rows(results.read_compacted(job.out))
    report.bad_lines = [str(b) for b in counts.bad_lines]
    return report
