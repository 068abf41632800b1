"""What the client's commands share: server options, one-line errors, the progress bar."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

T = TypeVar("T")
PROMPT_STYLES = ("alphamed", "think-answer", "plain")
EXIT_FAILED_QUESTIONS = 3


def server_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--base-url, --model, --api-key/--api-key-env, --timeout, --max-retries, --mcqa."""
    options = [
        click.option("--base-url", required=True, help="OpenAI base URL, e.g. http://localhost:8000/v1."),
        click.option("--model", required=True, help="Model name to ask for."),
        click.option("--api-key", default=None, help="Bearer API key (prefer --api-key-env)."),
        click.option(
            "--api-key-env", default=None, metavar="VAR", help="Read the API key from this environment variable."
        ),
        click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds per request attempt."),
        click.option(
            "--max-retries",
            type=click.IntRange(min=0),
            default=4,
            show_default=True,
            help="Retries of transient failures (429, 5xx, timeouts, resets), with backoff.",
        ),
        click.option(
            "--mcqa/--no-mcqa", default=None, help="Force or forbid the server's /v1/mcqa (default: detect it)."
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def sampling_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--concurrency, --n, --temperature, --max-tokens, --prompt-style."""
    options = [
        click.option(
            "--concurrency",
            type=click.IntRange(min=1),
            default=64,
            show_default=True,
            help="Questions in flight at once.",
        ),
        click.option(
            "--temperature",
            type=click.FloatRange(min=0),
            default=None,
            help="Sampling temperature [default: 0 for one sample, 0.7 for a vote].",
        ),
        click.option(
            "--max-tokens",
            type=click.IntRange(min=1),
            default=None,
            help="Completion length limit [default: the server's].",
        ),
        click.option(
            "--prompt-style",
            type=click.Choice(PROMPT_STYLES),
            default="alphamed",
            show_default=True,
            help="How questions are asked (client-side prompts).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def run_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--seed, --permutations, --force-resume (recorded in the run header next to the results)."""
    options = [
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="Run seed; each question is sent a seed derived from it and its id.",
        ),
        click.option(
            "--permutations",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Ask each question in K cyclic option orders (accuracy over orders, consistency).",
        ),
        click.option(
            "--force-resume",
            is_flag=True,
            default=False,
            help="Append even when the results' run header records other settings (recorded).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


async def server_record(client: Any) -> dict[str, Any]:
    """What a run header keeps about the server: base URL (never the key) and what it says of itself."""
    return {"base_url": client.settings.base_url, **(await client.describe_server())}


def resolve_api_key(api_key: str | None, api_key_env: str | None) -> str | None:
    """The key from --api-key, or from the variable named by --api-key-env."""
    if api_key_env:
        value = os.environ.get(api_key_env)
        if not value:
            raise click.ClickException(f"--api-key-env: environment variable {api_key_env} is not set")
        return value
    return api_key


def make_client(
    *,
    base_url: str,
    model: str,
    api_key: str | None,
    api_key_env: str | None,
    timeout: float,
    max_retries: int,
    mcqa: bool | None,
    prompt_style: str = "alphamed",
    concurrency: int = 64,
) -> Any:
    """An :class:`AsyncAlphaMed` from the command's options."""
    from alphamed_client.client import AsyncAlphaMed

    return AsyncAlphaMed(
        base_url=base_url,
        model=model,
        api_key=resolve_api_key(api_key, api_key_env),
        prompt_style=prompt_style,
        timeout=timeout,
        max_retries=max_retries,
        mcqa=mcqa,
        max_connections=max(concurrency, 1),
    )


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro``; the client's own errors become one-line CLI errors (non-zero exit; a run
    stopped because the server went away exits 3, like one with failed questions: resume it)."""
    from alphamed_client.errors import AlphaMedClientError, ServerGone

    try:
        return asyncio.run(coro)
    except ServerGone as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_FAILED_QUESTIONS)
    except AlphaMedClientError as exc:
        raise click.ClickException(str(exc)) from None


class Progress:
    """A tqdm bar on stderr: done, accuracy so far, q/s and ETA."""

    def __init__(self, total: int | None, desc: str) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total, desc=desc, unit="q", file=sys.stderr, dynamic_ncols=True, disable=None, smoothing=0.05
        )
        self.graded = self.correct = self.errors = 0

    def __call__(self, row: Any) -> None:
        if row.error is not None:
            self.errors += 1
        elif row.correct is not None:
            self.graded += 1
            self.correct += bool(row.correct)
        self.bar.update(1)
        if self.bar.n % 16 == 0 or self.bar.n == self.bar.total:
            acc = f"{100 * self.correct / self.graded:.1f}%" if self.graded else "-"
            self.bar.set_postfix_str(f"acc {acc} err {self.errors}", refresh=False)

    def close(self) -> None:
        self.bar.close()


def describe_os_error(exc: OSError) -> str:
    """One line for a failed file operation: what failed, on which file, and the hint to act on.

    >>> describe_os_error(OSError(28, "No space left on device", "r.jsonl"))
    'cannot write r.jsonl: No space left on device (errno 28); free space, then run again to resume'
    """
    import errno

    what = f"cannot write {exc.filename}" if exc.filename else "a file operation failed"
    reason = f"{exc.strerror or exc} (errno {exc.errno})" if exc.errno else str(exc)
    hint = {
        errno.ENOSPC: "free space, then run again to resume",
        errno.EDQUOT: "free space, then run again to resume",
        errno.EACCES: "check the permissions",
        errno.EROFS: "choose a writable place",
    }.get(exc.errno)
    return f"{what}: {reason}" + (f"; {hint}" if hint else "")


def one_line_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors a user must fix (bad files, bad values, a full disk) into one-line CLI errors."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from alphamed_client.errors import AlphaMedClientError

        try:
            return fn(*args, **kwargs)
        except (AlphaMedClientError, FileNotFoundError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # disk full, permission denied: not a traceback of chained errors
            raise click.ClickException(describe_os_error(exc)) from None

    return wrapper
