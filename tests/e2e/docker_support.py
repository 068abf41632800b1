"""Build and run the project's Docker images against a real daemon (`make test-docker`), checked from the host."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE = os.environ.get("ALPHAMED_DOCKER_BASE", "local/debian:bookworm")
ENV = {**os.environ, "DOCKER_BUILDKIT": "0"}
TIMINGS: dict[str, float] = {}


def record(stage: str, seconds: float) -> float:
    """Keep and print (visible with -s, as make test-docker runs) how long a stage took."""
    TIMINGS[stage] = round(seconds, 1)
    print(f"\ndocker timing: {stage}: {TIMINGS[stage]} s", flush=True)
    return TIMINGS[stage]


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, env=ENV)
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args[:3])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def require_docker(base: str = BASE) -> None:
    """Skip without a daemon, unless ALPHAMED_REQUIRE_DOCKER=1 (make test-docker): then fail."""
    ok = shutil.which("docker") and docker("info", timeout=30, check=False).returncode == 0
    if not ok:
        if os.environ.get("ALPHAMED_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker daemon answers (DOCKER_HOST?) although ALPHAMED_REQUIRE_DOCKER=1")
        pytest.skip("no Docker daemon (make test-docker starts one)")
    if docker("image", "inspect", base, check=False).returncode != 0:
        pytest.fail(f"base image {base} missing: scripts/docker_env.sh start makes it")


def build(dockerfile: str, tag: str, *build_args: str, timeout: float = 1500) -> str:
    """`docker build` from the repository root (``build_args``: ``KEY=VALUE``); the seconds go to TIMINGS."""
    started = time.monotonic()
    args = ["build", "--network=host", "-f", f"docker/{dockerfile}", "-t", tag]
    for arg in build_args:
        args += ["--build-arg", arg]
    docker(*args, str(ROOT), timeout=timeout)
    record(f"build {dockerfile}", time.monotonic() - started)
    return tag


def readable_copy(src: Path, dst: Path) -> Path:
    """A copy any container user can read (pytest's temporary folders are 0700)."""
    shutil.copytree(src, dst, symlinks=True)
    for path in [dst, *dst.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return dst


class Container:
    """`docker run -d --network=host` of an image; the server listens on a free host port (ALPHAMED_PORT)."""

    def __init__(self, image: str, *args: str, run: tuple[str, ...] = (), port: int) -> None:
        self.name = f"alphamed-test-{uuid.uuid4().hex[:8]}"
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        docker(
            "run",
            "-d",
            "--name",
            self.name,
            "--network=host",
            "-e",
            f"ALPHAMED_PORT={port}",
            "--health-interval=2s",
            "--health-timeout=5s",
            *run,
            image,
            *args,
        )

    def inspect(self) -> dict:
        return json.loads(docker("inspect", self.name).stdout)[0]

    def wait_healthy(self, timeout: float = 300) -> float:
        """Seconds until `docker inspect` says healthy (the image's own HEALTHCHECK command)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            state = self.inspect()["State"]
            if not state["Running"]:
                raise AssertionError(f"container exited ({state['ExitCode']}):\n{self.logs()[-3000:]}")
            if state.get("Health", {}).get("Status") == "healthy":
                return time.monotonic() - started
            time.sleep(1)
        raise AssertionError(f"not healthy after {timeout} s:\n{self.logs()[-3000:]}")

    def logs(self) -> str:
        done = docker("logs", self.name, check=False)
        return done.stdout + done.stderr

    def stop(self, timeout: int = 30) -> tuple[int, float]:
        """SIGTERM (docker stop), then SIGKILL after ``timeout`` s: (exit code, seconds it took)."""
        started = time.monotonic()
        docker("stop", "-t", str(timeout), self.name, timeout=timeout + 30)
        return self.inspect()["State"]["ExitCode"], time.monotonic() - started

    def remove(self) -> None:
        docker("rm", "-f", self.name, check=False)


def readable_hf_cache(model_dir: Path, hf_home: Path, repo_id: str) -> Path:
    """``model_dir`` laid out as ``repo_id`` in a Hugging Face cache at ``hf_home`` that any user can read."""
    from hf_cache import lay_out_hf_cache

    lay_out_hf_cache(model_dir, hf_home, repo_id, "b" * 40)
    for path in [hf_home, *hf_home.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return hf_home


def chat_answer(url: str, model: str) -> dict:
    """One chat completion through the official openai SDK; the choice as a dict."""
    import openai

    client = openai.OpenAI(base_url=url + "/v1", api_key="none", max_retries=0, timeout=120)
    reply = client.chat.completions.create(
        model=model, max_tokens=16, temperature=0, messages=[{"role": "user", "content": "Which drug? A. x B. y"}]
    )
    return reply.choices[0].model_dump()


def health(url: str) -> int:
    return httpx.get(url + "/health", timeout=10).status_code
