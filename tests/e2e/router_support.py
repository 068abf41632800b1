"""Real processes for the router tests and benchmark: ``alphamed serve`` replicas behind
sglang-router on loopback, plus a tiny model taught to answer with reasoning.

Every process starts in its own session so that :func:`stop` ends it and its children
(the router renames itself ``sglang::router``; never look processes up by name).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from ports import free_port  # the suite's one helper (tests/support)

REPLY = "<think>Fever and cough suggest pneumonia.</think>The final answer is: $\\boxed{B}$"
REASONING, ANSWER_LETTER = "Fever and cough suggest pneumonia.", "B"
FREE_TEXT_REPLY = "Fever and cough suggest pneumonia. The final answer is: $\\boxed{B}$"  # AlphaMed: no tags
_PROMPTS = [
    "hi",
    "Which drug is first-line?",
    "A 45-year-old man presents with fever and cough.",
    "Question: which is most likely?\nA. x\nB. y\nC. z\nD. w",
    "Answer the question",
]


def teach_reasoning(src: Path, dst: Path, *, steps: int = 50, lr: float = 3e-3, reply: str = REPLY) -> Path:
    """Copy the tiny model to ``dst`` and overfit it to always answer ``reply`` (greedy).

    A random tiny model never emits ``<think>...</think>``; this one does, so the gateway's
    reasoning split and answer extraction have something real to carry through the router.

    Args:
        src: the tiny model folder.
        dst: where to write the taught copy.
        steps: AdamW steps on five chat prompts (about 5-20 s on 2 busy cores).
        lr: learning rate.
        reply: the answer it learns (default :data:`REPLY`, think tags; :data:`FREE_TEXT_REPLY` is
            the released AlphaMed format).

    Returns:
        ``dst``.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    shutil.copytree(src, dst, dirs_exist_ok=True)
    tok = AutoTokenizer.from_pretrained(dst)
    model = AutoModelForCausalLM.from_pretrained(dst)
    target = tok(reply + "<|im_end|>", add_special_tokens=False)["input_ids"]
    rows = []
    for prompt in _PROMPTS:
        ids = list(
            tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=True)[
                "input_ids"
            ]
        )
        rows.append((ids + target, [-100] * len(ids) + target))
    width = max(len(ids) for ids, _ in rows)
    x = torch.tensor([ids + [tok.pad_token_id] * (width - len(ids)) for ids, _ in rows])
    y = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in rows])
    mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in rows])
    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: more threads only contend on a busy machine
    try:
        for _ in range(steps):
            model(input_ids=x, attention_mask=mask, labels=y).loss.backward()
            opt.step()
            opt.zero_grad()
    finally:
        torch.set_num_threads(threads)
    model.save_pretrained(dst)
    return dst


def _popen(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115 (the child owns it)
    try:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env
        )
    finally:
        out.close()


def start_replica(model: Path, port: int, log: Path, *extra: str, threads: int = 1) -> subprocess.Popen:
    """``alphamed serve MODEL --backend transformers`` on ``127.0.0.1:port`` (not waited for).

    ``threads`` CPU threads for torch (one replica per core, as one replica per GPU).
    """
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="false")
    return _popen(
        [
            sys.executable,
            "-m",
            "alphamed",
            "serve",
            str(model),
            "--backend",
            "transformers",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            *extra,
        ],
        log,
        env,
    )


def start_router(
    worker_urls: list[str], port: int, log: Path, *extra: str, metrics_port: int | None = None
) -> subprocess.Popen:
    """sglang-router (round robin) on ``127.0.0.1:port`` with fast health checks, metrics on loopback.

    ``metrics_port``: where its Prometheus metrics listen (see :func:`router_selections`); any free port if None.
    """
    cmd = [
        sys.executable,
        "-m",
        "sglang_router.launch_router",
        "--worker-urls",
        *worker_urls,
        "--policy",
        "round_robin",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--prometheus-host",
        "127.0.0.1",
        "--prometheus-port",
        str(metrics_port or free_port()),
        "--health-check-interval-secs",
        "1",
        "--health-failure-threshold",
        "2",
        "--log-level",
        "warn",
        *extra,
    ]
    return _popen(cmd, log)


def wait_until(
    check, *, timeout: float, what: str, procs: tuple[subprocess.Popen, ...] = (), logs: tuple[Path, ...] = ()
) -> None:
    """Poll ``check()`` until true; fail with the logs' tails if a process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"process exited ({proc.returncode}) before {what}:\n{_tails(logs)}")
        with contextlib.suppress(httpx.HTTPError, ValueError):
            if check():
                return
        time.sleep(0.25)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}:\n{_tails(logs)}")


def _tails(logs: tuple[Path, ...]) -> str:
    return "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-1500:]}" for p in logs if p.exists())


def healthy(url: str) -> bool:
    """Whether ``url/health`` answers 200."""
    return httpx.get(url + "/health", timeout=2).status_code == 200


def router_workers(router: str) -> list[dict]:
    """The router's worker list (``GET /workers``): url, model_id, is_healthy, ..."""
    return httpx.get(router + "/workers", timeout=5).json()["workers"]


def router_selections(metrics_url: str) -> int:
    """How many times the router has picked a worker for a request (retries included), from its metrics."""
    text = httpx.get(metrics_url + "/metrics", timeout=5).text
    return sum(
        int(float(m)) for m in re.findall(r"^smg_worker_selection_total\{[^}]*\} ([0-9.e+]+)$", text, flags=re.M)
    )


def served_chats(url: str) -> int:
    """Chat completions a replica answered with 200, from its ``/metrics``."""
    text = httpx.get(url + "/metrics", timeout=5).text
    pattern = r'^alphamed_requests_total\{route="/v1/chat/completions",status="200"\} ([0-9.e+]+)$'
    return sum(int(float(m)) for m in re.findall(pattern, text, flags=re.M))


def stop(proc: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """End ``proc``'s session (``sig``, then SIGKILL after ``timeout``) and reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
