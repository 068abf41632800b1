"""`alphamed data copymatch`: write the copy/match transfer measures as a question-bank JSONL.

The questions are the ones ``alphamed train RECIPE --transfer`` scores in-process
(:func:`alphamed_train.transfer.measure_sets`), one ``subject`` per measure (``as_trained``,
``reordered``, ``heldout``), so ``alphamed score`` + ``alphamed report --by subject`` measure the same
through a server.
"""

from __future__ import annotations

import click


@click.command("copymatch")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Output JSONL bank.")
@click.option(
    "--recipe",
    default=None,
    help="Take the copy/match settings (data.copymatch) from this recipe (a path or a bundled name).",
)
@click.option("--seed", type=int, default=None, help="Name / split seed (default: the recipe's, else 0).")
@click.option("--orders", type=click.IntRange(1, 5), default=None, help="Option orders per question (default 3).")
@click.option(
    "--max-per-measure",
    type=click.IntRange(min=1),
    default=None,
    help="Keep the first N questions of each measure (each in all its orders).",
)
def copymatch(out: str, recipe: str | None, seed: int | None, orders: int | None, max_per_measure: int | None) -> None:
    """Write the copy/match measures (subjects as_trained, reordered, heldout) to OUT."""
    from alphamed.data import write_bank
    from alphamed_train.copymatch import CopyMatchBank
    from alphamed_train.recipe import CopyMatchConfig, RecipeError, load_recipe
    from alphamed_train.transfer import measure_sets

    settings = CopyMatchConfig()
    if recipe:
        from alphamed_train.cli import resolve_recipe

        try:
            settings = load_recipe(resolve_recipe(recipe)).data.copymatch
        except RecipeError as exc:
            raise click.ClickException(str(exc).replace("\n", "; ")) from None
    given = {"seed": seed, "orders": orders}
    settings = settings.model_copy(update={k: v for k, v in given.items() if v is not None})
    sets = measure_sets(CopyMatchBank.from_settings(settings), settings.orders)
    questions = [
        q.model_copy(update={"subject": name})
        for name, lists in sets.items()
        for qs in lists
        for q in qs[:max_per_measure]
    ]
    try:
        count = write_bank(questions, out)
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or out}: {exc.strerror or exc}") from None
    click.echo(f"wrote {count} questions to {out}")
