"""Scoring on several processes: the parent reads, dispatches and writes; workers ask the server.

The openai SDK costs about a millisecond of CPU per request, so one process tops out at a
few hundred questions a second. With ``workers > 1`` each worker process runs its own
:class:`~alphamed_client.client.AsyncAlphaMed` (the SDK's retries, timeouts and
``Retry-After`` unchanged) over a local socket: the parent sends a question as one JSON line
and gets its :class:`~alphamed_client.models.ResultRow` back as one JSON line. Only the
parent reads the bank and writes the results file, so resume and exactly-once output work
as with one process. A killed parent closes the sockets and every worker exits; a worker
that dies stops the run with :class:`~alphamed_client.errors.ScoringAborted` (rows written so
far are kept; the next run resumes).

Workers are forked on Linux (no re-import, no start-up delay); a forked worker drops the
sockets it inherited (the parent's HTTP connections, the other workers' channels). Elsewhere
they are spawned (about a second of imports each).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import signal
import socket
import stat
import sys
from typing import TYPE_CHECKING, Any

from alphamed.schema import Question

from alphamed_client.errors import ScoringAborted
from alphamed_client.models import ResultRow

if TYPE_CHECKING:
    from alphamed_client.scoring import ScoreJob

logger = logging.getLogger(__name__)
LINE_LIMIT = 1 << 26  # one question or row per line; long contexts are fine
JOIN_SECONDS = 5.0


def start_method() -> str:
    """``fork`` on Linux (instant, nothing re-imported), ``spawn`` elsewhere (macOS frameworks and
    Windows do not survive a fork)."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


class _Worker:
    """The parent's end of one worker: its process, channel and unanswered questions."""

    def __init__(self, index: int, process: Any, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.index = index
        self.process = process
        self.reader = reader
        self.writer = writer
        self.pending: dict[int, asyncio.Future[ResultRow]] = {}
        self.listener: asyncio.Task[None] | None = None


class WorkerPool:
    """``count`` worker processes sharing ``concurrency`` questions in flight.

    Args:
        settings: keyword arguments of :class:`~alphamed_client.client.AsyncAlphaMed` for the workers.
        job: the scoring job (sampling settings; workers never touch its files).
        count: worker processes.
    """

    def __init__(self, settings: dict[str, Any], job: "ScoreJob", count: int) -> None:
        if count < 1:
            raise ValueError("workers must be >= 1")
        self.settings = dict(settings, max_connections=-(-job.concurrency // count))
        self.job = job
        self.count = count
        self.workers: list[_Worker] = []
        self._seq = itertools.count()

    async def start(self) -> "WorkerPool":
        """Start the processes (forked where possible) and connect to them."""
        method = start_method()
        context = multiprocessing.get_context(method)
        for index in range(self.count):
            ours, theirs = socket.socketpair()
            process = context.Process(target=worker_main, name=f"alphamed-score-worker-{index}",
                                      args=(theirs, self.settings, self.job, method == "fork"), daemon=True)
            process.start()
            theirs.close()
            reader, writer = await asyncio.open_connection(sock=ours, limit=LINE_LIMIT)
            worker = _Worker(index, process, reader, writer)
            worker.listener = asyncio.create_task(self._listen(worker))
            self.workers.append(worker)
        logger.info("scoring on %d %s worker processes", self.count, method)
        return self

    async def ask(self, question: Question) -> ResultRow:
        """The result row of ``question``, from the least busy worker."""
        worker = min(self.workers, key=lambda w: len(w.pending))
        if worker.listener is None or worker.listener.done():
            raise ScoringAborted(self._death_message(worker))
        seq = next(self._seq)
        future: asyncio.Future[ResultRow] = asyncio.get_running_loop().create_future()
        worker.pending[seq] = future
        worker.writer.write(b"%d\t%s\n" % (seq, question.model_dump_json().encode()))
        try:
            return await future
        finally:
            worker.pending.pop(seq, None)

    async def _listen(self, worker: _Worker) -> None:
        """Resolve ``worker``'s answers; when its channel closes, fail what it still owed."""
        try:
            while line := await worker.reader.readline():
                seq, _, payload = line.rstrip(b"\n").partition(b"\t")
                future = worker.pending.pop(int(seq), None)
                if future is None or future.done():
                    continue  # asked by a task that was cancelled meanwhile
                if payload.startswith(b"!"):
                    future.set_exception(ScoringAborted(payload[1:].decode("utf-8", "replace")))
                else:
                    future.set_result(ResultRow.model_validate_json(payload))
        except (ConnectionError, ValueError) as exc:
            logger.error("worker %d: broken channel: %s", worker.index, exc)
        for future in worker.pending.values():
            if not future.done():
                future.set_exception(ScoringAborted(self._death_message(worker)))

    def _death_message(self, worker: _Worker) -> str:
        worker.process.join(0.5)  # its channel closed: it is exiting, or has
        code = worker.process.exitcode
        how = f"exit code {code}" if code is None or code >= 0 else f"signal {-code}"
        return (f"scoring worker process {worker.index} stopped ({how}); "
                "rows written so far are kept, run again to resume")

    async def close(self) -> None:
        """Close the channels (workers exit on end of input) and reap the processes."""
        for worker in self.workers:
            worker.writer.close()
        loop = asyncio.get_running_loop()
        for worker in self.workers:
            await loop.run_in_executor(None, worker.process.join, JOIN_SECONDS)
            if worker.process.is_alive():
                logger.warning("worker %d did not stop; killing it", worker.index)
                worker.process.kill()
                await loop.run_in_executor(None, worker.process.join, JOIN_SECONDS)
            if worker.listener is not None:
                worker.listener.cancel()
        self.workers.clear()


def _drop_inherited_sockets(keep: int) -> None:
    """Point every inherited socket but ``keep`` at /dev/null (a forked child must not hold the
    parent's connections open; the descriptor numbers stay taken so nothing stale reuses them)."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
            fd = int(name)
            if fd in (keep, null):
                continue
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)
            except OSError:
                continue
    finally:
        os.close(null)


def worker_main(channel: socket.socket, settings: dict[str, Any], job: "ScoreJob", forked: bool) -> None:
    """A worker process: answer the questions that arrive on ``channel`` until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if forked:
        _drop_inherited_sockets(channel.fileno())
    asyncio.run(_serve(channel, settings, job))


async def _serve(channel: socket.socket, settings: dict[str, Any], job: "ScoreJob") -> None:
    from alphamed_client.client import AsyncAlphaMed

    reader, writer = await asyncio.open_connection(sock=channel, limit=LINE_LIMIT)
    tasks: set[asyncio.Task[None]] = set()
    async with AsyncAlphaMed(**settings) as client:
        try:
            while line := await reader.readline():
                seq, _, payload = line.partition(b"\t")
                task = asyncio.create_task(_answer(client, job, int(seq), payload, writer))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        except ConnectionError:
            pass  # the parent is gone
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _answer(client: Any, job: "ScoreJob", seq: int, payload: bytes, writer: asyncio.StreamWriter) -> None:
    from alphamed_client.scoring import score_one

    try:
        row = await score_one(client, Question.model_validate_json(payload), job)
        reply = row.model_dump_json().encode()
    except Exception as exc:  # ScoringAborted, or a bug: the parent must hear of it, not wait
        reply = b"!" + str(exc).replace("\n", " ").encode()
    if not writer.is_closing():
        writer.write(b"%d\t%s\n" % (seq, reply))
