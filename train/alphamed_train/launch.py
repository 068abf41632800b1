"""Launching several processes or nodes through ``accelerate launch`` (DeepSpeed configs in ``accelerate/``).

``alphamed train RECIPE --num-processes 2`` runs ``accelerate launch`` here;
``--print-launch`` prints, for each node, the exact command to paste (and the ``trl vllm-serve``
command when the recipe uses vLLM server mode).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_DIR = Path(__file__).parent / "accelerate"


@dataclass
class LaunchPlan:
    """What to launch.

    Args:
        recipe: recipe path.
        overrides: ``--section.field value`` pairs.
        resume: add ``--resume``.
        config: ``zero2``, ``zero3``, ``ddp`` or an accelerate config path.
        num_processes: processes per node.
        num_machines: nodes.
        main_process_ip: rank-0 node address.
        main_process_port: rank-0 port.
    """

    recipe: Path
    overrides: list[str] = field(default_factory=list)
    resume: bool = False
    config: str = "zero2"
    num_processes: int = 1
    num_machines: int = 1
    main_process_ip: str = "MAIN_NODE_IP"
    main_process_port: int = 29500


def config_path(name: str) -> Path:
    """The accelerate config file for ``name`` (a bundled name or a path)."""
    bundled = CONFIG_DIR / f"{name}.yaml"
    if bundled.exists():
        return bundled
    path = Path(name)
    if not path.exists():
        raise FileNotFoundError(
            f"--accelerate-config {name}: no such file (bundled: {', '.join(p.stem for p in sorted(CONFIG_DIR.glob('*.yaml')))})"
        )
    return path


def node_command(plan: LaunchPlan, machine_rank: int, *, use_cpu: bool = False) -> list[str]:
    """The ``accelerate launch`` argv for one node.

    Args:
        plan: the launch plan.
        machine_rank: this node's rank.
        use_cpu: CPU ranks (no mixed precision).

    Returns:
        The argv.
    """
    cmd = [
        "accelerate",
        "launch",
        "--config_file",
        str(config_path(plan.config)),
        "--num_processes",
        str(plan.num_processes * plan.num_machines),
        "--num_machines",
        str(plan.num_machines),
    ]
    if plan.num_machines > 1:
        cmd += [
            "--machine_rank",
            str(machine_rank),
            "--main_process_ip",
            plan.main_process_ip,
            "--main_process_port",
            str(plan.main_process_port),
        ]
    else:
        cmd += ["--main_process_port", str(plan.main_process_port)]
    if use_cpu:
        cmd += ["--mixed_precision", "no"]
    cmd += ["-m", "alphamed_train.run", str(plan.recipe), *plan.overrides]
    return cmd + (["--resume"] if plan.resume else [])


def vllm_server_command(recipe: Any) -> list[str] | None:
    """``trl vllm-serve`` argv for a recipe in vLLM server mode, else None."""
    gen = recipe.generation
    if gen.backend != "vllm" or gen.vllm_mode != "server":
        return None
    from urllib.parse import urlparse

    url = urlparse(gen.vllm_server_base_url or "http://0.0.0.0:8000")
    revision = ["--revision", recipe.model.revision] if recipe.model.revision else []
    return [
        "trl",
        "vllm-serve",
        "--model",
        recipe.model.name_or_path,
        *revision,
        "--tensor_parallel_size",
        str(gen.vllm_tensor_parallel_size),
        "--host",
        "0.0.0.0",
        "--port",
        str(url.port or 8000),
    ]


def describe(plan: LaunchPlan, recipe: Any) -> str:
    """Shell lines to paste: the vLLM server (if any) and one ``accelerate launch`` per node."""
    lines = []
    server = vllm_server_command(recipe)
    if server:
        lines += ["# vLLM rollout server (on its own GPUs, e.g. CUDA_VISIBLE_DEVICES=7):", shlex.join(server)]
    for rank in range(plan.num_machines):
        lines += [
            f"# node {rank} of {plan.num_machines}:",
            shlex.join(node_command(plan, rank, use_cpu=recipe.grpo.use_cpu)),
        ]
    return "\n".join(lines)


def run_local(plan: LaunchPlan, recipe: Any) -> int:
    """Run ``accelerate launch`` on this machine and return its exit status.

    On CPU, DeepSpeed needs ``DS_ACCELERATOR=cpu`` (set here unless already set).
    """
    if plan.num_machines > 1:
        raise SystemExit("multi-node: run the commands from --print-launch on each node")
    env = dict(os.environ)
    if recipe.grpo.use_cpu:
        env.setdefault("DS_ACCELERATOR", "cpu")
    cmd = node_command(plan, 0, use_cpu=recipe.grpo.use_cpu)
    cmd = [sys.executable, "-m", "accelerate.commands.launch", *cmd[2:]]
    return subprocess.call(cmd, env=env)
