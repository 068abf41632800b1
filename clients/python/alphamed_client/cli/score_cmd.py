"""``alphamed score BANK``: score a question bank against an OpenAI-compatible server."""

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
    run_options,
    sampling_options,
    server_options,
    server_record,
)


async def _score(client, job, progress_total: int | None) -> object:
    from alphamed_client.scoring import score_bank

    progress = Progress(progress_total, "scoring")
    try:
        async with client:
            await client.check_server()
            job.server = await server_record(client)
            return await score_bank(client, job, on_result=progress)
    finally:
        progress.close()


@click.command(name="score")
@click.argument("bank", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@server_options
@sampling_options
@run_options
@click.option(
    "--n",
    "n",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Samples per question; > 1 is a majority vote (ties give no answer).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("results.jsonl"),
    show_default=True,
    help="Results JSONL, appended as questions complete.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the full report here (.md, .json or .html by extension).",
)
@click.option(
    "--resume/--no-resume",
    default=True,
    show_default=True,
    help="Skip questions already answered in --out (errors are retried); --no-resume starts --out afresh.",
)
@one_line_errors
def score(
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
    n: int,
    out: Path,
    report_path: Path | None,
    resume: bool,
    seed: int,
    permutations: int,
    force_resume: bool,
) -> None:
    """Score BANK (JSONL questions) and print accuracy; resumable, safe to kill."""
    from alphamed_client.bank import count_lines
    from alphamed_client.cli.report_cmd import write_report
    from alphamed_client.render import summary_markdown
    from alphamed_client.results import done_ids
    from alphamed_client.scoring import ScoreJob

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
    todo = count_lines(bank) * permutations - (len(done_ids(out)) if resume else 0)
    job = ScoreJob(
        bank=bank,
        out=out,
        concurrency=concurrency,
        resume=resume,
        n=n,
        temperature=temperature,
        max_tokens=max_tokens,
        prompt_style=prompt_style,
        seed=seed,
        permutations=permutations,
        force_resume=force_resume,
    )
    result = run_async(_score(client, job, max(todo, 0)))
    for bad in result.bad_lines:
        click.echo(f"skipped {bad}", err=True)
    click.echo(summary_markdown(result))
    if result.bad_lines:
        click.echo(
            f"{job.bank}: {len(result.bad_lines)} problem(s) in lines that were skipped, not scored (listed above)",
            err=True,
        )
    if report_path is not None:
        write_report(result, report_path, fmt=None)
    if result.errors:
        click.echo(
            f"{result.errors} question(s) failed and are recorded in {out}; run the same command again to retry them",
            err=True,
        )
        sys.exit(EXIT_FAILED_QUESTIONS)
