"""GPU smoke test: serving and training on random-weight models in the real 7-8B shapes, one command, offline.

    python bench/gpu_smoke.py --out gpu-smoke.json             # one GPU (an H200: under 10 minutes)
    python bench/gpu_smoke.py --shrink --out smoke.json         # CPU, the same architectures shrunk (CI)

Stages, each one command of this project in a subprocess:

1. ``build``: random weights in the shapes of Llama-3.1-8B, Qwen2.5-7B and Qwen2.5-1.5B (bf16 on the GPU;
   ``--shrink``: 2 layers, head_dim 32, float32), with the project's own tokenizer
   (``alphamed.tiny_model.build_tokenizer``) and the vocabulary resized to it. Nothing is downloaded.
2. ``serve``: ``alphamed serve DIR --backend vllm`` (the gateway starts the engine as its child), then the same
   streamed chat load straight to that engine and through the gateway, alternating rounds
   (``bench/serve_vllm.one_round``): completion tokens/s and median time to first token, per shape (the 8B and
   7B shapes; ``--shrink`` serves the 8B one, as each engine start costs ~45 s on 2 cores; ``--serve`` chooses).
3. ``lora``: ``alphamed train`` on a recipe generated from ``train/recipes/alphamed-8b-llama-lora.yaml`` on the
   8B shape (LoRA, vLLM colocated), 5 GRPO steps.
4. ``zero2``: ``alphamed train`` on a recipe generated from ``train/recipes/alphamed-7b-qwen.yaml`` on the 1.5B
   shape (full fine-tuning, DeepSpeed ZeRO-2 in one process, transformers rollouts), 5 GRPO steps.

Per training step: wall seconds and the trainer process's peak memory (``memory/peak_gib``:
``torch.cuda.max_memory_allocated`` on the GPU, peak RSS on CPU; ``alphamed_train.report.StepStats``).
Prints a summary table and writes everything as JSON (``--out``). A failed stage prints one line
``gpu smoke: STAGE failed: WHY (log: PATH)`` on stderr, the other stages still run, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "train" / "recipes"
STAGES = ("build", "serve", "lora", "zero2")
LLAMA3_ROPE = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}


@dataclass(frozen=True)
class Shape:
    """A decoder's shape; the vocabulary is always the project tokenizer's."""

    arch: str  # llama | qwen2
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    rope_theta: float
    tied: bool
    max_positions: int


# The real shapes (their config.json files), and the same architectures shrunk for CPU: 2 layers, the head
# ratios kept, head_dim 32 (the smallest vLLM's CPU backend accepts), the MLP ratio kept.
FULL = {
    "llama8b": Shape("llama", 4096, 32, 32, 8, 14336, 500000.0, False, 131072),
    "qwen7b": Shape("qwen2", 3584, 28, 28, 4, 18944, 1000000.0, False, 32768),
    "qwen1.5b": Shape("qwen2", 1536, 28, 12, 2, 8960, 1000000.0, True, 32768),
}
SHRUNK = {
    "llama8b": Shape("llama", 128, 2, 4, 1, 448, 500000.0, False, 131072),
    "qwen7b": Shape("qwen2", 224, 2, 7, 1, 1184, 1000000.0, False, 32768),
    "qwen1.5b": Shape("qwen2", 192, 2, 6, 1, 1120, 1000000.0, True, 32768),
}


class StageError(RuntimeError):
    """A stage failed; the message is one line."""


# ---------------------------------------------------------------------------------------------- 1. build


def write_model(shape: Shape, out: Path, device: str, dtype: str) -> dict[str, Any]:
    """Random weights in ``shape`` with the project tokenizer, saved as a Hugging Face folder (in this process)."""
    import torch
    from transformers import AutoModelForCausalLM, GenerationConfig, LlamaConfig, Qwen2Config

    from alphamed.tiny_model import build_tokenizer

    stamp = out / "gpu_smoke_shape.json"
    wanted = {**asdict(shape), "dtype": dtype}
    if stamp.exists() and json.loads(stamp.read_text()).get("shape") == wanted:
        return json.loads(stamp.read_text())
    tokenizer = build_tokenizer(seed=0)
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    common = dict(
        vocab_size=len(tokenizer),
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        num_key_value_heads=shape.kv_heads,
        intermediate_size=shape.intermediate,
        max_position_embeddings=shape.max_positions,
        rope_theta=shape.rope_theta,
        tie_word_embeddings=shape.tied,
        eos_token_id=eos,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    config = LlamaConfig(**common, rope_scaling=LLAMA3_ROPE) if shape.arch == "llama" else Qwen2Config(**common)
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype))
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=tokenizer.pad_token_id)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    info = {"shape": wanted, "parameters": model.num_parameters(), "vocab": len(tokenizer)}
    stamp.write_text(json.dumps(info))
    return info


def build_models(shapes: dict[str, Shape], work: Path, device: str, dtype: str) -> dict[str, Any]:
    """Every shape's folder under ``work/models``; also returns the device's name."""
    import torch

    infos = {name: write_model(shape, work / "models" / name, device, dtype) for name, shape in shapes.items()}
    name = torch.cuda.get_device_name(0) if device == "cuda" else f"cpu ({os.cpu_count()} cores)"
    return {"device": name, "models": infos}


# ---------------------------------------------------------------------------------------------- 2. serve


def last_error_line(log: Path) -> str:
    """The line of a log that best says why a process failed: the last error-looking line, else the last line."""
    lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()] if log.exists() else []
    pattern = re.compile(r"^(error:|Error:)|^[\w.]*(Error|Exception)\b|\b(ERROR|CRITICAL)\b")
    found = [ln for ln in lines if pattern.search(ln)]
    return ((found or lines or ["(no output)"])[-1])[:300]


def engine_endpoint(gateway_pid: int) -> tuple[str, dict[str, str], int]:
    """URL, auth header and pid of the vLLM engine that ``alphamed serve`` started as its child.

    The gateway gives its engine a private loopback port and a generated API key, both on the engine's command
    line; reading them from ``/proc`` lets the load reach the very same engine directly (Linux only, like vLLM).
    """
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            argv = [a.decode() for a in (stat.parent / "cmdline").read_bytes().split(b"\0") if a]
        except (OSError, ValueError, IndexError):
            continue
        if ppid != gateway_pid or "vllm.entrypoints.openai.api_server" not in argv:
            continue
        port = argv[argv.index("--port") + 1]
        keys = [a.split("=", 1)[1] for a in argv if a.startswith("--api-key=")]
        auth = {"Authorization": f"Bearer {keys[0]}"} if keys else {}
        return f"http://127.0.0.1:{port}", auth, int(stat.parent.name)
    raise StageError(f"no vLLM engine process found under the gateway (pid {gateway_pid})")


def stop(proc: subprocess.Popen, engine_pid: int | None, grace: float = 60) -> None:
    """SIGTERM to the gateway's process group (the gateway stops its engine), SIGKILL after ``grace`` seconds;
    then whatever is left of the engine's own process group, so the next stage gets the device's memory back."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if engine_pid is not None:
        try:
            os.killpg(engine_pid, signal.SIGKILL)  # the gateway starts it in its own session
        except ProcessLookupError:
            pass


def serve_stage(model: Path, args: argparse.Namespace, log: Path) -> dict[str, Any]:
    """Start ``alphamed serve --backend vllm`` on ``model``; the load direct to its engine vs through it."""
    from alphamed_serve.backends.supervisor import free_port
    from serve_vllm import model_id, one_round, wait_healthy

    port = free_port()
    argv = [sys.executable, "-m", "alphamed", "serve", str(model), "--backend", "vllm", "--port", str(port)]
    argv += ["--engine-python", args.engine_python, "--max-model-len", "1024", "--max-concurrency", "0"]
    argv += ["--engine-start-timeout", str(args.stage_timeout), "--log-level", "info"]
    if not args.shrink:
        argv += ["--dtype", "bfloat16", "--gpu-memory-utilization", "0.85"]
    if args.eager:
        argv += ["--", "--enforce-eager"]
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    engine_pid = None
    try:
        gateway = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(gateway, proc, args.stage_timeout)
        except (RuntimeError, TimeoutError) as exc:
            raise StageError(f"alphamed serve did not become healthy ({exc}): {last_error_line(log)}") from None
        ready = time.monotonic() - started
        direct, headers, engine_pid = engine_endpoint(proc.pid)
        targets = {"direct": (direct, headers), "gateway": (gateway, None)}
        models = {name: model_id(url, headers=h) for name, (url, h) in targets.items()}
        load = argparse.Namespace(requests=args.requests, concurrency=args.concurrency, max_tokens=args.max_tokens)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for round_ in range(args.rounds + 1):  # round 0 warms both paths up and is not counted
            for name, (url, h) in targets.items():
                result = asyncio.run(one_round(url, models[name], load, True, headers=h))
                if round_:
                    runs[name].append(result)
    finally:
        stop(proc, engine_pid)
    out: dict[str, Any] = {"ready_seconds": round(ready, 1)}
    for name, rows in runs.items():
        out[name] = {
            "tokens_per_s": round(statistics.median(r["tps"] for r in rows), 2),
            "requests_per_s": round(statistics.median(r["rps"] for r in rows), 3),
            "ttft_p50_s": round(statistics.median(r.get("ttft", float("nan")) for r in rows), 4),
            "latency_p50_s": round(statistics.median(r["p50"] for r in rows), 3),
        }
    out["gateway_over_direct"] = round(out["gateway"]["tokens_per_s"] / out["direct"]["tokens_per_s"], 3)
    out["load"] = vars(load) | {"rounds": args.rounds, "stream": True, "ignore_eos": True}
    return out


# ---------------------------------------------------------------------------------------------- 3-4. train


def smoke_recipe(base: str, model: Path, out: Path, args: argparse.Namespace, **sections: Any) -> dict[str, Any]:
    """A bundled GPU recipe, pointed at ``model`` and the built-in fact bank, cut to ``args.steps`` short steps."""
    import yaml

    recipe = yaml.safe_load((RECIPES / f"{base}.yaml").read_text())
    recipe["model"]["name_or_path"] = str(model)
    recipe["data"] = {"source": "factbank", "style": "alphamed"}
    recipe["grpo"] |= {
        "max_steps": args.steps,
        "max_completion_length": 8 if args.shrink else 128,
        "num_generations": 4 if args.shrink else 8,
        "per_device_train_batch_size": 8,
        "gradient_accumulation_steps": 2,
    }
    recipe["checkpointing"] = {"output_dir": str(out), "save_steps": 10_000, "save_total_limit": 2}
    recipe["logging"] = {"report_to": ["none"], "logging_steps": 1, "log_completions": False}
    recipe["evaluation"] = {"factbank": False}
    recipe.update(sections)  # whole sections replaced
    if args.shrink:  # the CPU settings the recipe checks ask for (docs/training.md, vLLM rollouts on CPU)
        recipe["model"]["dtype"] = "float32"
        recipe["grpo"] |= {"use_cpu": True, "bf16": False}
        if recipe["generation"].get("backend") == "vllm":
            recipe["generation"] |= {
                "cpu_weight_sync": True,
                "vllm_enable_sleep_mode": False,
                "vllm_max_model_length": 256,
            }
    return recipe


def wait_child(proc: subprocess.Popen, timeout: float) -> tuple[int, float]:
    """Wait for ``proc`` (killing its group after ``timeout`` s); returns its status and peak RSS in GiB."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, round(usage.ru_maxrss * 1024 / 2**30, 3)
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise StageError(f"timed out after {timeout:.0f} s")
        time.sleep(0.5)


def train_stage(recipe: dict[str, Any], args: argparse.Namespace, log: Path) -> dict[str, Any]:
    """``alphamed train`` on ``recipe``; per-step wall seconds and peak memory from its ``metrics.jsonl``."""
    import yaml

    out = Path(recipe["checkpointing"]["output_dir"])
    path = log.with_suffix(".yaml")
    path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    rendezvous = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")  # the run sets its own
    env = {k: v for k, v in os.environ.items() if k not in rendezvous}
    proc = subprocess.Popen(
        [sys.executable, "-m", "alphamed", "train", str(path)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    try:
        code, peak_rss = wait_child(proc, args.stage_timeout)
    except StageError as exc:
        raise StageError(f"alphamed train {exc}: {last_error_line(log)}") from None
    if code:
        raise StageError(f"alphamed train exited with {code}: {last_error_line(log)}")
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in rows if "loss" in r and "step_seconds" in r]
    summary = next((r for r in rows if "train_runtime" in r), {})
    if len(steps) != recipe["grpo"]["max_steps"]:
        raise StageError(f"alphamed train logged {len(steps)} of {recipe['grpo']['max_steps']} steps ({out})")
    return {
        "steps": len(steps),
        "step_seconds": [r["step_seconds"] for r in steps],
        "trl_step_time": [round(r.get("step_time", float("nan")), 3) for r in steps],
        "peak_memory_gib": [r["memory/peak_gib"] for r in steps],
        "peak_rss_gib": peak_rss,
        "train_runtime": round(summary.get("train_runtime", float("nan")), 1),
        "recipe": str(path),
    }


# ---------------------------------------------------------------------------------------------- run


class DevicePeak(threading.Thread):
    """Polls ``nvidia-smi`` once a second for GPU 0's used memory (every process: engine, trainer, vLLM's
    sleep-mode pool); ``peak_gib`` is the highest seen, None when nvidia-smi is missing or fails."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mib: float | None = None
        self.done = threading.Event()

    def run(self) -> None:
        query = ["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits", "-i", "0"]
        while not self.done.is_set():
            try:
                used = float(subprocess.run(query, capture_output=True, text=True, timeout=10).stdout.split()[0])
            except (OSError, ValueError, IndexError, subprocess.SubprocessError):
                return
            self.peak_mib = max(self.peak_mib or 0.0, used)
            self.done.wait(1.0)

    @property
    def peak_gib(self) -> float | None:
        return None if self.peak_mib is None else round(self.peak_mib / 1024, 2)


def run_stage(report: dict[str, Any], name: str, work: Path, fn: Any, *fn_args: Any) -> None:
    """Run one stage: its result (with ``seconds``; on a GPU the device's peak used memory) or its one-line
    failure goes into ``report``."""
    log = work / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"gpu smoke: {name} ... (log: {log})", file=sys.stderr, flush=True)
    device = DevicePeak() if report["mode"] == "gpu" else None
    if device:
        device.start()
    started = time.monotonic()
    try:
        result = fn(*fn_args, log)
        entry = {"ok": True, "seconds": round(time.monotonic() - started, 1), **result}
    except Exception as exc:  # any failure is reported in one line; the next stage still runs
        message = " ".join(str(exc).split()) if isinstance(exc, StageError) else f"{type(exc).__name__}: {exc}"
        entry = {"ok": False, "seconds": round(time.monotonic() - started, 1), "error": message}
        report["failed"].append(f"gpu smoke: {name} failed: {' '.join(message.split())[:400]} (log: {log})")
    if device:
        device.done.set()
        device.join(15)
        entry["device_peak_used_gib"] = device.peak_gib
    report["stages"][name] = entry


def build_stage(shapes: dict[str, Shape], work: Path, device: str, dtype: str, log: Path) -> dict[str, Any]:
    """Models built in a fresh process, so this one never holds GPU memory."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(build_models, shapes, work, device, dtype).result()


def _count(n: int) -> str:
    return f"{n / 1e9:.2f} B" if n >= 1e8 else f"{n / 1e6:.2f} M"


def summary_table(report: dict[str, Any]) -> str:
    """The report as a Markdown table, one row per stage."""
    lines = ["| stage | ok | seconds | result |", "| --- | --- | ---: | --- |"]
    for name, st in report["stages"].items():
        if not st["ok"]:
            result = st["error"][:160]
        elif "gateway" in st:
            d, g = st["direct"], st["gateway"]
            result = (
                f"tokens/s direct {d['tokens_per_s']:.1f}, gateway {g['tokens_per_s']:.1f} "
                f"({st['gateway_over_direct']:.2f}x); TTFT p50 direct {1000 * d['ttft_p50_s']:.0f} ms, "
                f"gateway {1000 * g['ttft_p50_s']:.0f} ms; engine ready after {st['ready_seconds']} s"
            )
        elif "step_seconds" in st:
            result = (
                f"{st['steps']} steps, s/step {' '.join(f'{s:.2f}' for s in st['step_seconds'])}; "
                f"peak memory {max(st['peak_memory_gib'], default=float('nan')):.2f} GiB "
                f"({'GPU allocated' if report['mode'] == 'gpu' else 'RSS'}), process RSS {st['peak_rss_gib']:.2f} GiB"
            )
        else:
            result = f"{report.get('device', '')}; " + ", ".join(
                f"{n} {_count(m['parameters'])} parameters" for n, m in st.get("models", {}).items()
            )
        if st.get("device_peak_used_gib") is not None:
            result += f"; GPU 0 used at most {st['device_peak_used_gib']} GiB (nvidia-smi)"
        lines.append(f"| {name} | {'yes' if st['ok'] else 'FAILED'} | {st['seconds']} | {result} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shrink", action="store_true", help="CPU: the same architectures shrunk (CI)")
    parser.add_argument("--out", type=Path, default=None, help="write the report as JSON here")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "gpu-smoke", help="models, runs and logs")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {','.join(STAGES)}")
    parser.add_argument("--steps", type=int, default=5, help="GRPO steps per training stage")
    parser.add_argument("--engine-python", default=sys.executable, help="interpreter of the vLLM engine")
    parser.add_argument("--stage-timeout", type=float, default=None, help="seconds per stage (GPU 420, CPU 900)")
    parser.add_argument("--eager", action=argparse.BooleanOptionalAction, default=None, help="vLLM --enforce-eager")
    parser.add_argument("--requests", type=int, default=None, help="streamed chats per round (GPU 64, CPU 8)")
    parser.add_argument("--concurrency", type=int, default=None, help="concurrent streams (GPU 16, CPU 4)")
    parser.add_argument("--max-tokens", type=int, default=None, help="tokens per chat (GPU 128, CPU 16)")
    parser.add_argument("--rounds", type=int, default=None, help="measured rounds per path (GPU 3, CPU 2)")
    parser.add_argument(
        "--serve", default=None, help="shapes to serve (GPU llama8b,qwen7b; CPU llama8b: each engine start is ~45 s)"
    )
    args = parser.parse_args(argv)
    defaults = {
        "stage_timeout": (900, 420),
        "eager": (True, False),
        "requests": (8, 64),
        "concurrency": (4, 16),
        "max_tokens": (16, 128),
        "rounds": (2, 3),
        "serve": ("llama8b", "llama8b,qwen7b"),
    }
    for key, (cpu, gpu) in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, cpu if args.shrink else gpu)
    for key, known in (("stages", STAGES), ("serve", tuple(FULL))):
        setattr(args, key, [s.strip() for s in getattr(args, key).split(",") if s.strip()])
        unknown = set(getattr(args, key)) - set(known)
        if unknown:
            parser.error(f"--{key}: unknown {', '.join(sorted(unknown))} (choose from {', '.join(known)})")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    for key in ("HF_HUB_OFFLINE", "VLLM_NO_USAGE_STATS", "DO_NOT_TRACK"):  # nothing leaves the machine
        os.environ.setdefault(key, "1")
    if args.shrink:
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    else:
        import torch

        if not torch.cuda.is_available():
            print("gpu smoke: no CUDA GPU here; run with --shrink for the CPU mode", file=sys.stderr)
            return 2
    shapes = SHRUNK if args.shrink else FULL
    work = args.work.resolve()
    models = work / "models"
    report: dict[str, Any] = {"mode": "cpu-shrunk" if args.shrink else "gpu", "stages": {}, "failed": []}
    started = time.monotonic()
    device, dtype = ("cpu", "float32") if args.shrink else ("cuda", "bfloat16")
    if "build" in args.stages or not all((models / n / "gpu_smoke_shape.json").exists() for n in shapes):
        run_stage(report, "build", work, build_stage, shapes, work, device, dtype)
        report["device"] = report["stages"]["build"].pop("device", None)
    if report["failed"]:
        args.stages = []  # nothing to serve or train
    if "serve" in args.stages:
        for name in args.serve:
            run_stage(report, f"serve-{name}", work, serve_stage, models / name, args)
    if "lora" in args.stages:
        recipe = smoke_recipe("alphamed-8b-llama-lora", models / "llama8b", work / "runs" / "lora", args)
        run_stage(report, "grpo-lora-llama8b", work, train_stage, recipe, args)
    if "zero2" in args.stages:
        recipe = smoke_recipe(
            "alphamed-7b-qwen",
            models / "qwen1.5b",
            work / "runs" / "zero2",
            args,
            generation={"backend": "transformers"},
            distributed={"deepspeed": "zero2"},
        )
        run_stage(report, "grpo-zero2-qwen1.5b", work, train_stage, recipe, args)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    print(summary_table(report))
    print(f"total {report['total_seconds']} s ({report['mode']})")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))
    for line in report["failed"]:
        print(line, file=sys.stderr)
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
