"""Throughput at the same load: one `alphamed serve` replica direct vs sglang-router + 2 replicas.

The tiny model (built offline), one `alphamed serve --backend transformers` process per replica
with one CPU thread each (one replica per core, as one per GPU), the Rust router in round robin.
The same chat requests (sample-bank questions in the AlphaMed prompt, greedy, `--max-tokens`)
at the same concurrency go first to replica A directly, then through the router to A and B.
One run each, after a warm-up. Prints a Markdown table for the README.

    .venv/bin/python bench/router.py [--requests 128] [--concurrency 16] [--max-tokens 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from router_support import (  # noqa: E402  (the same process helpers as the e2e test)
    free_port,
    healthy,
    router_workers,
    start_replica,
    start_router,
    stop,
    wait_until,
)


def _requests(count: int) -> list[list[dict]]:
    """``count`` chat message lists: the sample bank's questions in the AlphaMed prompt, cycled."""
    from alphamed.data import QuestionBank, sample_bank_path
    from alphamed.prompts import build_messages

    questions = list(QuestionBank(sample_bank_path()))
    return [build_messages(questions[i % len(questions)], "alphamed") for i in range(count)]


async def _drive(
    base_url: str, model: str, messages: list[list[dict]], concurrency: int, max_tokens: int
) -> dict[str, float]:
    """Send every request with at most ``concurrency`` in flight; wall time, tokens, latencies."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url + "/v1", api_key="unused", max_retries=0, timeout=600)
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    tokens = 0

    async def one(msgs: list[dict]) -> None:
        nonlocal tokens
        async with gate:
            start = time.perf_counter()
            resp = await client.chat.completions.create(
                model=model, messages=msgs, temperature=0, max_tokens=max_tokens
            )
            latencies.append(time.perf_counter() - start)
            tokens += resp.usage.completion_tokens

    start = time.perf_counter()
    await asyncio.gather(*(one(m) for m in messages))
    wall = time.perf_counter() - start
    await client.close()
    latencies.sort()
    return {
        "wall": wall,
        "req_s": len(messages) / wall,
        "tok_s": tokens / wall,
        "tokens": tokens,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
    }


def _table(rows: list[tuple[str, dict[str, float]]], args: argparse.Namespace) -> str:
    base = rows[0][1]
    lines = [
        f"{args.requests} chat requests, concurrency {args.concurrency}, greedy, max_tokens "
        f"{args.max_tokens}; tiny model; one CPU thread per replica; {os.cpu_count()} cores.",
        "",
        "| setup | wall s | requests/s | tokens/s | p50 latency s | p95 latency s | throughput vs direct |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['wall']:.1f} | {r['req_s']:.2f} | {r['tok_s']:.0f} | {r['p50']:.2f} | "
            f"{r['p95']:.2f} | {r['req_s'] / base['req_s']:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=128)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=32)
    args = parser.parse_args()
    os.environ.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    from alphamed.tiny_model import build_tiny_model

    with tempfile.TemporaryDirectory(prefix="bench-router-") as tmp:
        work = Path(tmp)
        model = build_tiny_model(work / "tiny", seed=0)
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        procs = [start_replica(model, p, work / f"replica-{i}.log") for i, p in enumerate(ports)]
        try:
            wait_until(lambda: all(healthy(u) for u in urls), timeout=300, what="replicas", procs=tuple(procs))
            router_url = f"http://127.0.0.1:{free_port()}"
            procs.append(start_router(urls, int(router_url.rsplit(":", 1)[1]), work / "router.log"))
            wait_until(
                lambda: sum(w["is_healthy"] for w in router_workers(router_url)) == 2,
                timeout=60,
                what="router",
                procs=(procs[-1],),
            )
            messages = _requests(args.requests)
            for url in (urls[0], router_url):  # warm-up: first requests pay one-time costs
                asyncio.run(_drive(url, "tiny", messages[:8], 8, args.max_tokens))
            rows = [
                (
                    "1 replica, direct",
                    asyncio.run(_drive(urls[0], "tiny", messages, args.concurrency, args.max_tokens)),
                ),
                (
                    "sglang-router + 2 replicas",
                    asyncio.run(_drive(router_url, "tiny", messages, args.concurrency, args.max_tokens)),
                ),
            ]
        finally:
            for proc in procs:
                stop(proc)
    print(_table(rows, args))


if __name__ == "__main__":
    main()
