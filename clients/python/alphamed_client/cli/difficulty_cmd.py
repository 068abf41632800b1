"""``alphamed data difficulty BANK``: label each question by its pass rate over k samples."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from alphamed_client.cli.common import (
    EXIT_FAILED_QUESTIONS,
    Progress,
    make_client,
    one_line_errors,
    run_async,
    sampling_options,
    server_options,
    server_record,
)


@click.command(name="difficulty")
@click.argument("bank", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@server_options
@sampling_options
@click.option(
    "-k", "k", type=click.IntRange(min=1), default=8, show_default=True, help="Sampled answers per question."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Labeled bank (JSONL): each question with difficulty = pass rate.",
)
@click.option(
    "--results",
    "results_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where the per-question samples go (resumable) [default: OUTPUT.results.jsonl].",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Run seed; each question is sent a seed derived from it and its id.",
)
@click.option(
    "--force-resume",
    is_flag=True,
    default=False,
    help="Append to --results even when its run header records other settings (recorded).",
)
@one_line_errors
def difficulty(
    bank: Path,
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
    k: int,
    output: Path,
    results_path: Path | None,
    seed: int,
    force_resume: bool,
) -> None:
    """Label BANK's questions with their pass rate over K samples (resumable)."""
    from alphamed_client.bank import count_lines
    from alphamed_client.difficulty import label_difficulty
    from alphamed_client.results import done_ids

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
    results_path = results_path or output.with_name(output.name + ".results.jsonl")
    progress = Progress(max(count_lines(bank) - len(done_ids(results_path)), 0), f"sampling k={k}")

    async def run():
        async with client:
            await client.check_server()
            server = await server_record(client)
            return await label_difficulty(
                client,
                bank,
                output,
                k=k,
                results_path=results_path,
                concurrency=concurrency,
                temperature=temperature,
                max_tokens=max_tokens,
                prompt_style=prompt_style,
                seed=seed,
                force_resume=force_resume,
                server=server,
                on_result=progress,
            )

    try:
        summary = run_async(run())
    finally:
        progress.close()
    click.echo(summary.describe())
    if summary.failed:
        click.echo(
            f"{summary.failed} question(s) failed and were left out of {output}; "
            "run the same command again to retry them",
            err=True,
        )
        sys.exit(EXIT_FAILED_QUESTIONS)
