"""`alphamed tiny-model OUT_DIR`."""

from __future__ import annotations

import click


@click.command("tiny-model")
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same model).")
def tiny_model(out_dir: str, seed: int) -> None:
    """Build the tiny offline test model and tokenizer into OUT_DIR."""
    try:
        from alphamed.tiny_model import build_tiny_model
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise click.ClickException(f"{exc}; install with: pip install 'alphamed[tiny]'") from exc
    try:
        path = build_tiny_model(out_dir, seed=seed)
    except ImportError as exc:
        raise click.ClickException(f"{exc}; install with: pip install 'alphamed[tiny]'") from exc
    click.echo(str(path))
