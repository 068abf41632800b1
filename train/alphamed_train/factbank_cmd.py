"""`alphamed data factbank`: write the synthetic clinical fact bank as a question-bank JSONL.

The questions are the ones a ``tiny-cpu`` run measures before and after GRPO
(:func:`alphamed_train.evaluate.score_factbank`), one ``subject`` per measure, so
``alphamed score`` + ``alphamed report --by subject`` give the same three numbers through a server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # `alphamed data --help` must not import pydantic
    from alphamed.schema import Question

MEASURES = ("rl_as_trained", "rl_reordered", "heldout")


def factbank_questions(bank: object) -> list[Question]:
    """The fact-bank MCQs of the three measures, each labelled with its measure as ``subject``.

    Args:
        bank: a :class:`~alphamed_train.factbank.FactBank`.

    Returns:
        RL questions as trained (variant 0), the same facts with the gold letter moved
        (variants 1 and 2), and held-out facts (variants 0 and 1).

    >>> from alphamed_train.factbank import FactBank
    >>> qs = factbank_questions(FactBank.generate(0))
    >>> [sum(q.subject == m for q in qs) for m in MEASURES]
    [16, 32, 16]
    >>> len({q.id for q in qs}) == len(qs)
    True
    """
    sets = {
        "rl_as_trained": bank.questions("rl"),
        "rl_reordered": bank.questions("rl", variant=1) + bank.questions("rl", variant=2),
        "heldout": bank.questions("heldout") + bank.questions("heldout", variant=1),
    }
    return [q.model_copy(update={"subject": name}) for name, qs in sets.items() for q in qs]


@click.command("factbank")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Output JSONL bank.")
@click.option(
    "--recipe",
    default=None,
    help="Take the fact-bank settings (data.factbank) from this recipe (a path or a bundled name such as tiny-cpu).",
)
@click.option("--seed", type=int, default=None, help="Split / distractor seed (default: the recipe's, else 0).")
@click.option("--num-options", type=click.IntRange(2, 5), default=None, help="Options per question (default 4).")
@click.option("--num-rl", type=click.IntRange(min=1), default=None, help="Facts GRPO trains on (default 16).")
@click.option("--num-heldout", type=click.IntRange(min=1), default=None, help="Held-out facts (default 8).")
def factbank(
    out: str,
    recipe: str | None,
    seed: int | None,
    num_options: int | None,
    num_rl: int | None,
    num_heldout: int | None,
) -> None:
    """Write the synthetic fact bank (subjects rl_as_trained, rl_reordered, heldout) to OUT."""
    from alphamed.data import write_bank
    from alphamed_train.factbank import FactBank
    from alphamed_train.recipe import FactBankConfig, RecipeError, load_recipe

    settings = FactBankConfig()
    if recipe:
        from alphamed_train.cli import resolve_recipe

        try:
            settings = load_recipe(resolve_recipe(recipe)).data.factbank
        except RecipeError as exc:
            raise click.ClickException(str(exc).replace("\n", "; ")) from None
    given = {"seed": seed, "num_options": num_options, "num_rl": num_rl, "num_heldout": num_heldout}
    settings = settings.model_copy(update={k: v for k, v in given.items() if v is not None})
    try:
        bank = FactBank.from_settings(settings)
        count = write_bank(factbank_questions(bank), out)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or out}: {exc.strerror or exc}") from None
    click.echo(f"wrote {count} questions to {out}")
