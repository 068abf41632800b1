"""Benchmark of batch scoring: throughput vs the ideal, and peak memory on a 100,000-question bank.

    .venv/bin/python bench/client.py            # full run (about 1.5 minutes here)
    .venv/bin/python bench/client.py --quick    # smaller sizes

A fake OpenAI-compatible server (``tests/support/fake_openai.py``, its own process)
answers every request after a fixed 200 ms. For each concurrency (16, 64, 256) it times,
side by side on the same server:

- ``score_bank`` (prompt building, extraction, one flushed JSONL line per question);
- a bare ``openai.AsyncOpenAI`` loop under a semaphore that only sends the same requests
  (the SDK's default httpx transport);
- a raw asyncio HTTP/1.1 keep-alive loop sending the same bytes (no SDK, no parsing): the
  ceiling this machine and the fake server allow any client.

The ideal throughput is concurrency / latency; target: score >= 90% of it. CPU columns are
client CPU (user + system) per question.

Memory: a child process scores a 100,000-question bank in which 90,000 ids are already done
(resume: it reads the done ids, streams all 100,000 lines, scores the last 10,000 at
concurrency 256 and builds the report over 100,000 rows); its peak RSS is the number
reported, with RSS sampled during the run to show it stays flat. Target: < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

LATENCY = 0.2
CONCURRENCIES = (16, 64, 256)
ROOT = Path(__file__).resolve().parents[1]


def write_bank(path: Path, count: int) -> Path:
    with path.open("w") as handle:
        for i in range(count):
            handle.write(
                json.dumps(
                    {
                        "id": f"q{i}",
                        "question": f"A {40 + i % 30}-year-old presents with case {i}. First-line drug?",
                        "options": {"A": "aspirin", "B": "heparin", "C": "warfarin", "D": "alteplase"},
                        "answer": "ABCD"[i % 4],
                        "source": ("medqa", "medmcqa")[i % 2],
                        "subject": ("cardiology", "neurology", "nephrology")[i % 3],
                    }
                )
                + "\n"
            )
    return path


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "support" / "fake_openai.py"), "--latency", str(LATENCY)],
        stdout=subprocess.PIPE,
        text=True,
    )
    port = int(proc.stdout.readline().split()[1])
    return proc, f"http://127.0.0.1:{port}/v1"


def _cpu_seconds() -> float:
    """CPU of this process and of its reaped children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


async def time_score(url: str, bank: Path, out: Path, concurrency: int) -> tuple[float, float]:
    from alphamed_client import AsyncAlphaMed
    from alphamed_client.scoring import ScoreJob, score_bank

    async with AsyncAlphaMed(base_url=url, model="fake-model", max_connections=concurrency) as client:
        await client.check_server()
        cpu, start = _cpu_seconds(), time.perf_counter()
        await score_bank(client, ScoreJob(bank=bank, out=out, concurrency=concurrency, resume=False))
        return time.perf_counter() - start, _cpu_seconds() - cpu


async def time_bare_sdk(url: str, count: int, concurrency: int) -> float:
    import openai

    from alphamed.prompts import build_messages
    from alphamed.schema import Question

    client = openai.AsyncOpenAI(
        base_url=url,
        api_key="EMPTY",
        timeout=600.0,
        http_client=openai.DefaultAsyncHttpxClient(limits=_limits(concurrency)),
    )
    q = Question(id="q", question="First-line drug?", options={"A": "a", "B": "b", "C": "c", "D": "d"})
    messages = build_messages(q)
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await client.chat.completions.create(model="fake-model", messages=messages, temperature=0.0)

    await one()  # connect
    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    elapsed = time.perf_counter() - start
    await client.close()
    return elapsed


async def time_raw_http(url: str, count: int, concurrency: int) -> float:
    """The same requests from a minimal keep-alive loop (no SDK, responses not parsed)."""
    from urllib.parse import urlsplit

    from alphamed.prompts import build_messages
    from alphamed.schema import Question

    parts = urlsplit(url)
    q = Question(id="q", question="First-line drug?", options={"A": "a", "B": "b", "C": "c", "D": "d"})
    body = json.dumps({"model": "fake-model", "messages": build_messages(q), "temperature": 0.0}).encode()
    request = (
        f"POST {parts.path}/chat/completions HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    left = [count]

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        while left[0] > 0:
            left[0] -= 1
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - start


def _limits(size: int):
    try:
        import httpx2 as http
    except ImportError:
        import httpx as http
    return http.Limits(max_connections=size, max_keepalive_connections=size)


def _cell(count: int, seconds: float, ideal: float) -> str:
    return f"{count / seconds:.0f} ({count / seconds / ideal:.0%})"


def throughput_table(url: str, work: Path, rounds: int) -> list[str]:
    rows = [
        "| concurrency | questions | ideal q/s | `score` q/s (of ideal) | "
        "bare openai SDK | raw HTTP loop (ceiling) | client CPU ms/question |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in CONCURRENCIES:
        count = c * rounds
        bank = write_bank(work / f"bank-{c}.jsonl", count)
        one, cpu_one = asyncio.run(time_score(url, bank, work / f"out-{c}.jsonl", c))
        bare = asyncio.run(time_bare_sdk(url, count, c))
        raw = asyncio.run(time_raw_http(url, count, c))
        ideal = c / LATENCY
        rows.append(
            f"| {c} | {count} | {ideal:.0f} | {_cell(count, one, ideal)} | "
            f"{_cell(count, bare, ideal)} | {_cell(count, raw, ideal)} | {1000 * cpu_one / count:.2f} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def memory_child(url: str, bank: Path, out: Path) -> None:
    """Resume-score ``bank`` into ``out``; print peak RSS and sampled RSS as JSON."""
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        start = time.perf_counter()
        while not stop.wait(1.0):
            with open("/proc/self/status") as status:
                kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
            samples.append((time.perf_counter() - start, kb / 1024))

    threading.Thread(target=sample, daemon=True).start()
    from alphamed_client import AsyncAlphaMed
    from alphamed_client.scoring import ScoreJob, score_bank

    async def score() -> Any:
        async with AsyncAlphaMed(base_url=url, model="fake-model", max_connections=256) as client:
            # the prefilled rows stand for an earlier run that left no run header: append to them anyway
            return await score_bank(client, ScoreJob(bank=bank, out=out, concurrency=256, force_resume=True))

    start = time.perf_counter()
    report = asyncio.run(score())
    stop.set()
    print(
        json.dumps(
            {
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "seconds": time.perf_counter() - start,
                "rows": report.rows,
                "samples": samples,
            }
        )
    )


def memory_row(url: str, work: Path, total: int, done: int) -> list[str]:
    bank = write_bank(work / "bank-100k.jsonl", total)
    out = work / "out-100k.jsonl"
    with out.open("w") as handle:  # the first `done` questions were answered by an earlier run
        for i in range(done):
            gold = "ABCD"[i % 4]
            handle.write(
                json.dumps(
                    {
                        "id": f"q{i}",
                        "source": ("medqa", "medmcqa")[i % 2],
                        "gold": gold,
                        "predicted": "A",
                        "correct": gold == "A",
                        "method": "boxed",
                        "latency": LATENCY,
                        "model": "fake-model",
                    }
                )
                + "\n"
            )
    result = subprocess.run(
        [sys.executable, __file__, "--memory-child", url, str(bank), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    rss = [mb for _, mb in data["samples"]]
    quarter = rss[len(rss) // 4] if rss else 0.0
    return [
        "| bank | already done | scored now | seconds | peak RSS MB | RSS at 25% of run -> last sample MB |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {total} | {done} | {total - done} | {data['seconds']:.0f} | {data['peak_rss_mb']:.0f} | "
        f"{quarter:.0f} -> {rss[-1] if rss else 0:.0f} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and a 20k bank")
    parser.add_argument("--memory-child", nargs=3, metavar=("URL", "BANK", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        url, bank, out = args.memory_child
        memory_child(url, Path(bank), Path(out))
        return
    server, url = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            rows = throughput_table(url, work, rounds=4 if args.quick else 10)
            total = 20_000 if args.quick else 100_000
            mem = memory_row(url, work, total, total - total // 10)
    finally:
        server.kill()
        server.wait()
    print(
        f"fake server latency {LATENCY * 1000:.0f} ms; machine: {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}\n"
    )
    print("\n".join(rows) + "\n\n" + "\n".join(mem))


if __name__ == "__main__":
    main()
