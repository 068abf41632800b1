"""`alphamed demo --model DIR`: answer a few sample questions end to end and print a table."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("demo")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Model folder (e.g. from `alphamed tiny-model DIR`).",
)
@click.option("--n", default=5, show_default=True, type=click.IntRange(min=1), help="Questions to answer.")
@click.option(
    "--max-new-tokens",
    default=64,
    show_default=True,
    type=click.IntRange(min=1),
    help="Generation budget per question.",
)
@click.option(
    "--style",
    default="alphamed",
    show_default=True,
    type=click.Choice(["alphamed", "think-answer", "plain"]),
    help="Prompt style.",
)
def demo(model_dir: str, n: int, max_new_tokens: int, style: str) -> None:
    """Run the core pipeline (prompt, generate, split reasoning, extract answer) on sample questions."""
    if not (Path(model_dir) / "config.json").is_file():
        raise click.ClickException(
            f"{model_dir}: not a model folder (no config.json); build one with `alphamed tiny-model DIR`"
        )
    try:
        from alphamed.demo import run_demo

        rows = run_demo(model_dir, n=n, max_new_tokens=max_new_tokens, style=style)
    except ImportError as exc:
        raise click.ClickException(f"{exc}; install with: pip install 'alphamed[tiny]'") from None
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{model_dir}: cannot load the model: {exc}") from None
    click.echo(f"{'id':<12} {'gold':<5} {'extracted':<10} method")
    for row in rows:
        click.echo(f"{row.id:<12} {row.gold or '-':<5} {row.extracted or '-':<10} {row.method or '-'}")
    correct = sum(1 for r in rows if r.extracted and r.extracted == r.gold)
    answered = sum(1 for r in rows if r.extracted)
    click.echo(f"{answered}/{len(rows)} answered, {correct}/{len(rows)} correct")
