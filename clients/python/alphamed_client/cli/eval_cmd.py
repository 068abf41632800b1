"""``alphamed eval``: the AlphaMed benchmark suite from local files, as a paper-style table."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from alphamed_client.cli.common import (
    EXIT_FAILED_QUESTIONS,
    make_client,
    one_line_errors,
    run_async,
    run_options,
    sampling_options,
    server_options,
    server_record,
)


@click.command(name="eval")
@server_options
@sampling_options
@run_options
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder with the benchmark files in their public formats (medqa.jsonl, gpqa.csv...).",
)
@click.option(
    "--benchmarks",
    default=None,
    help="Comma-separated subset of medqa,medmcqa,pubmedqa,mmlu-pro-med,gpqa-med,medxpertqa "
    "[default: all found]; NAME=PATH or NAME=OWNER/DATASET[:SPLIT] (a Hugging Face dataset) "
    "gives a benchmark's location.",
)
@click.option(
    "--n",
    "n",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Samples per question (majority vote when > 1; pass@k and maj@k reported).",
)
@click.option(
    "--scorer",
    type=click.Choice(("strict", "lenient")),
    default="strict",
    show_default=True,
    help="Scorer of the table (the summary shows both and the gap).",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("eval-results"),
    show_default=True,
    help="Results JSONL and run header per benchmark (resumable), and the summary.",
)
@click.option("--resume/--no-resume", default=True, show_default=True, help="Skip questions already answered.")
@one_line_errors
def eval_cmd(
    base_url: str,
    model: str,
    api_key: str | None,
    api_key_env: str | None,
    timeout: float,
    max_retries: int,
    mcqa: bool | None,
    concurrency: int,
    temperature: float | None,
    max_tokens: int | None,
    prompt_style: str,
    seed: int,
    permutations: int,
    force_resume: bool,
    data_dir: Path | None,
    benchmarks: str | None,
    n: int,
    scorer: str,
    out_dir: Path,
    resume: bool,
) -> None:
    """Run the benchmark suite, print one column per benchmark and the average, write the summary files."""
    from alphamed_client.benchmarks import parse_benchmarks, run_suite
    from alphamed_client.suite_summary import write_summary

    chosen = parse_benchmarks(benchmarks)
    if data_dir is None and any(b.location is None for b in chosen):
        raise click.UsageError("give --data-dir, or a location for every benchmark (--benchmarks NAME=PATH,...)")
    client = make_client(
        base_url=base_url,
        model=model,
        api_key=api_key,
        api_key_env=api_key_env,
        timeout=timeout,
        max_retries=max_retries,
        mcqa=mcqa,
        prompt_style=prompt_style,
        concurrency=concurrency,
    )

    async def run():
        async with client:
            return await run_suite(
                client,
                data_dir,
                chosen,
                out_dir,
                require_all=benchmarks is not None,
                scorer=scorer,
                describe_server=lambda: server_record(client),
                concurrency=concurrency,
                n=n,
                temperature=temperature,
                max_tokens=max_tokens,
                prompt_style=prompt_style,
                resume=resume,
                seed=seed,
                permutations=permutations,
                force_resume=force_resume,
            )

    result = run_async(run())
    click.echo(result.markdown())
    written = write_summary(result, out_dir)
    click.echo("wrote " + ", ".join(str(p) for p in written), err=True)
    if result.errors:
        click.echo(f"{result.errors} question(s) failed (see {out_dir}); run again to retry them", err=True)
        sys.exit(EXIT_FAILED_QUESTIONS)
