"""``alphamed serve MODEL``: parse flags, build the backend and the gateway, run uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import click

logger = logging.getLogger(__name__)

BACKEND_CHOICES = ["auto", "transformers", "vllm", "sglang", "openai"]


def choose_backend(name: str, upstream: str | None, engine_python: str | None = None) -> str:
    """Resolve ``auto``: ``openai`` with --upstream; else vllm if installed and a GPU is present,
    sglang likewise, else transformers (see :mod:`alphamed_serve.backends.auto`).

    >>> choose_backend("transformers", None)
    'transformers'
    >>> choose_backend("auto", "http://127.0.0.1:30000")
    'openai'
    """
    if name != "auto":
        return name
    if upstream:
        return "openai"
    from alphamed_serve.backends.auto import resolve_auto_backend

    return resolve_auto_backend(engine_python)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("model")
@click.argument("engine_args", nargs=-1, type=click.UNPROCESSED)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option(
    "--port",
    envvar="ALPHAMED_PORT",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (env ALPHAMED_PORT).",
)
@click.option(
    "--backend",
    "backend_name",
    type=click.Choice(BACKEND_CHOICES),
    default="auto",
    show_default=True,
    help="Engine: auto = openai with --upstream, else vllm if installed and a GPU is present, "
    "else sglang likewise, else transformers.",
)
@click.option(
    "--upstream",
    default=None,
    help="URL of an engine or router already running (OpenAI-compatible); "
    "the gateway fronts it instead of starting one.",
)
@click.option("--served-model-name", default=None, help="Model name clients use (default: the folder's basename).")
@click.option(
    "--api-key",
    envvar="ALPHAMED_API_KEY",
    default=None,
    help="Require `Authorization: Bearer KEY` on /v1/* (env ALPHAMED_API_KEY). /health stays open.",
)
@click.option(
    "--max-concurrency",
    default=64,
    show_default=True,
    type=click.IntRange(0),
    help="Requests generating at once (0: unlimited).",
)
@click.option(
    "--max-queue",
    default=256,
    show_default=True,
    type=click.IntRange(0),
    help="Requests allowed to wait for a slot; beyond it: 429 with Retry-After.",
)
@click.option(
    "--max-request-bytes",
    default=4 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(0),
    help="Largest request body accepted; a larger one gets a 413 before it is parsed (0: no limit).",
)
@click.option(
    "--reasoning-field",
    type=click.Choice(["reasoning", "reasoning_content", "both"]),
    default="reasoning",
    show_default=True,
    help="Name of the reasoning field in messages and deltas (vLLM: reasoning; SGLang/DeepSeek: reasoning_content).",
)
@click.option(
    "--untagged-text",
    type=click.Choice(["reasoning", "content"]),
    default="reasoning",
    show_default=True,
    help="Where free text with no <think>/## Thinking marker goes: reasoning (AlphaMed models reason "
    "in free text; only their final-answer sentence is content, and reasoning streams as it is "
    "generated) or content (models that answer directly).",
)
@click.option(
    "--allowed-origins",
    multiple=True,
    default=(),
    help="Origin a browser page may call the API from (CORS; repeat the flag, or * for any). Off by default.",
)
@click.option(
    "--prompt-style",
    default="alphamed",
    show_default=True,
    help="Default prompt style of /v1/mcqa (alphamed, think-answer, plain).",
)
@click.option("--device", default="auto", show_default=True, help="transformers: cpu, cuda, cuda:N or auto.")
@click.option("--dtype", default="auto", show_default=True, help="Weights dtype: auto, float32, bfloat16, float16.")
@click.option(
    "--max-model-len", default=None, type=click.IntRange(1), help="Context length in tokens (default: the model's)."
)
@click.option(
    "--max-batch-size",
    default=16,
    show_default=True,
    type=click.IntRange(1),
    help="transformers: most sequences decoding together.",
)
@click.option(
    "--tensor-parallel-size",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="vLLM/SGLang: GPUs per replica (tensor parallel).",
)
@click.option(
    "--pipeline-parallel-size",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="vLLM: pipeline-parallel stages.",
)
@click.option(
    "--gpu-memory-utilization",
    default=None,
    type=click.FloatRange(0.0, 1.0, min_open=True),
    help="vLLM/SGLang: share of GPU memory the engine may use.",
)
@click.option("--enable-prefix-caching", is_flag=True, help="vLLM/SGLang: reuse KV cache across shared prefixes.")
@click.option(
    "--reasoning-parser",
    default=None,
    help="vLLM/SGLang: the engine's reasoning parser (e.g. deepseek_r1); the gateway then does not split again.",
)
@click.option(
    "--revision",
    default=None,
    help="Branch, tag or commit of a Hugging Face hub id (default: main). The hub id resolves like "
    "from_pretrained: HF_HOME, HF_TOKEN, HF_HUB_OFFLINE=1.",
)
@click.option(
    "--engine-start-timeout",
    default=900.0,
    show_default=True,
    type=click.FloatRange(1),
    help="vLLM/SGLang: seconds the engine may take to become healthy (on each (re)start); the "
    "images' HEALTHCHECK start period is the same.",
)
@click.option("--engine-python", default=None, help="Python interpreter that runs the child engine (its own venv).")
@click.option(
    "--graceful-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds in-flight requests get to finish after SIGTERM; those still running then end "
    "with a 503 (streams: an error event and [DONE]), and the server exits 0.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
    help="Log level of the server.",
)
def serve(model: str, engine_args: tuple[str, ...], **flags) -> None:
    """Serve MODEL (a Hugging Face folder or hub id, or a model name for --upstream) behind an OpenAI-compatible
    API.

    Extra engine arguments go after `--`, e.g. `alphamed serve DIR --backend vllm -- --enforce-eager`.
    """
    from alphamed_serve.backend import BackendError, BackendOptions
    from alphamed_serve.backends import create_backend

    logging.basicConfig(
        level=flags["log_level"].upper(), force=True, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    name = choose_backend(flags["backend_name"], flags["upstream"], flags["engine_python"])
    options = BackendOptions(
        model=model,
        served_model_name=flags["served_model_name"],
        upstream=flags["upstream"],
        device=flags["device"],
        dtype=flags["dtype"],
        max_model_len=flags["max_model_len"],
        max_batch_size=flags["max_batch_size"],
        tensor_parallel_size=flags["tensor_parallel_size"],
        pipeline_parallel_size=flags["pipeline_parallel_size"],
        gpu_memory_utilization=flags["gpu_memory_utilization"],
        enable_prefix_caching=flags["enable_prefix_caching"],
        reasoning_parser=flags["reasoning_parser"],
        engine_python=flags["engine_python"],
        engine_args=list(engine_args),
        revision=flags["revision"],
        startup_timeout=flags["engine_start_timeout"],
    )
    try:
        backend = create_backend(name, options)
    except (BackendError, ValueError, ImportError) as exc:
        raise click.ClickException(f"cannot start the {name} backend: {getattr(exc, 'message', exc)}") from None
    run_server(backend, flags)


def run_server(backend, flags: dict) -> None:
    """Build the app and run uvicorn until SIGINT/SIGTERM (in-flight requests finish first)."""
    import uvicorn

    from alphamed_serve.app import Settings, create_app

    settings = Settings(
        served_model_name=flags["served_model_name"],
        api_key=flags["api_key"],
        max_concurrency=flags["max_concurrency"] or None,
        max_queue=flags["max_queue"],
        max_request_bytes=flags["max_request_bytes"] or None,
        reasoning_field=flags["reasoning_field"],
        default_prompt_style=flags["prompt_style"],
        untagged_text=flags["untagged_text"],
        allowed_origins=tuple(o for value in flags["allowed_origins"] for o in value.split(",") if o),
    )
    logger.info("backend %s; api key %s", backend.name, "required" if settings.api_key else "not required")
    from alphamed_serve.postprocess import engine_parser_warning

    warning = engine_parser_warning(flags.get("reasoning_parser"), flags["prompt_style"])
    if warning:
        logger.warning(warning)
    # The backend starts before uvicorn binds (not in the app's lifespan), so a model that does
    # not load is a one-line error and exit 1, not uvicorn's traceback and exit 3.
    app = create_app(backend, settings, manage_backend=False)
    grace = flags["graceful_timeout"]
    # uvicorn's own deadline comes a little later: by then the gateway has ended what still ran
    config = uvicorn.Config(
        app,
        host=flags["host"],
        port=flags["port"],
        log_level=flags["log_level"],
        timeout_graceful_shutdown=grace + _UVICORN_GRACE_MARGIN_S,
        lifespan="on",
    )
    server = _gateway_server(config, app.state.gateway.deadline, grace)
    asyncio.run(_serve(backend, server))
    if getattr(server, "started", True) is False:
        raise click.ClickException("the server failed to start (see the log above)")


_UVICORN_GRACE_MARGIN_S = 5.0


def _gateway_server(config, deadline, grace: float):
    """A uvicorn server that ends the requests still running ``grace`` seconds after the signal
    (see :class:`~alphamed_serve.request_lifetime.ShutdownDeadline`) and, having drained, returns
    normally: the process exits 0, not by re-raising SIGTERM."""
    import signal
    import threading

    import uvicorn

    class GatewayServer(uvicorn.Server):
        async def shutdown(self, sockets=None) -> None:
            timer = asyncio.get_running_loop().call_later(grace, deadline.expire)
            try:
                await super().shutdown(sockets)
            finally:
                timer.cancel()

        @contextlib.contextmanager
        def capture_signals(self):
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return GatewayServer(config)


async def _serve(backend, server) -> None:
    """Start the backend, serve until a signal, then stop the backend (in-flight requests done)."""
    try:
        await backend.start()
    except Exception as exc:  # noqa: BLE001 - any load failure becomes one line
        logger.debug("backend start failed", exc_info=True)
        with contextlib.suppress(Exception):
            await backend.stop()
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        message = " ".join(str(message).split())[:500]
        raise click.ClickException(f"cannot start the {backend.name} backend: {message}") from None
    try:
        await server.serve()
    finally:
        await backend.stop()
