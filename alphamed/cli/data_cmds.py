"""`alphamed data ...` commands of the core: convert, validate, mix, split, filter.

Each command parses its arguments and calls :mod:`alphamed.data`; bad input ends with a
one-line message and a non-zero exit, never a traceback. Outputs are written atomically.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import click

# The names of alphamed.data.formats.FORMATS, kept here so `alphamed --help` does not import
# the data package (pydantic models); tests check the two lists agree.
FORMAT_NAMES = ("alphamed", "gpqa", "medmcqa", "medqa", "medxpertqa", "mmlu", "mmlu-pro", "pubmedqa")
FORMAT_CHOICE = click.Choice(FORMAT_NAMES, case_sensitive=False)


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn expected failures (bad input, bad options, unreadable files) into a one-line ``ClickException``."""
    try:
        yield
    except ValueError as exc:  # BankFormatError and MissingDifficultyError are ValueErrors
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None


def _format_options(medical_only: bool, cop_base: str | None, shuffle_seed: int | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if medical_only:
        options["medical_only"] = True
    if cop_base is not None:
        options["cop_base"] = cop_base
    if shuffle_seed is not None:
        options["seed"] = shuffle_seed
    return options


@click.command("convert")
@click.option("--format", "fmt", required=True, type=FORMAT_CHOICE, help="Format of the input file.")
@click.argument("src", type=click.Path(dir_okay=False))
@click.argument("dst", type=click.Path(dir_okay=False))
@click.option("--medical-only", is_flag=True, help="Keep the medical subset (mmlu, mmlu-pro, gpqa).")
@click.option("--cop-base", type=click.Choice(["auto", "0", "1"]), help="medmcqa: cop numbering (default auto).")
@click.option("--shuffle-seed", type=int, help="gpqa: seed of the option shuffle (default 0).")
@click.option("--skip-invalid", is_flag=True, help="Leave bad records out (listed on stderr) instead of failing.")
def convert(
    fmt: str,
    src: str,
    dst: str,
    medical_only: bool,
    cop_base: str | None,
    shuffle_seed: int | None,
    skip_invalid: bool,
) -> None:
    """Convert SRC from a public format to AlphaMed JSONL at DST (nothing is written on failure)."""
    from alphamed.data import QuestionBank, convert_bank, write_bank

    options = _format_options(medical_only, cop_base, shuffle_seed)
    with one_line_errors():
        if skip_invalid:
            skipped: list = []
            bank = QuestionBank(src, format=fmt, on_error="skip", errors=skipped, **options)
            count = write_bank(bank, dst)
            for problem in skipped:
                click.echo(f"skipped {problem}", err=True)
        else:
            count = convert_bank(src, dst, fmt, **options)
    click.echo(f"wrote {count} questions to {dst}")


@click.command("validate")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="alphamed", show_default=True, type=FORMAT_CHOICE, help="Bank format.")
def validate(path: str, fmt: str) -> None:
    """Check every record of PATH; print each problem as FILE:LINE: FIELD: MESSAGE (exit 1 if any)."""
    from alphamed.data import validate_bank

    with one_line_errors():
        report = validate_bank(path, format=fmt)
    for problem in report.errors:
        click.echo(str(problem))
    if not report.ok:
        click.echo(f"{path}: {len(report.errors)} problem(s); {report.questions} valid question(s)", err=True)
        raise SystemExit(1)
    click.echo(f"{path}: OK, {report.questions} questions")


@click.command("mix")
@click.argument("sources", nargs=-1, required=True)
@click.option("--size", required=True, type=click.IntRange(min=1), help="Questions in the mix.")
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same mix).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Output JSONL.")
def mix(sources: tuple[str, ...], size: int, seed: int, output: str) -> None:
    """Mix banks given as PATH:WEIGHT (e.g. a.jsonl:0.7 b.jsonl:0.3) into one bank of --size questions."""
    from alphamed.data import mix_banks, parse_source, write_bank

    with one_line_errors():
        mixed = mix_banks([parse_source(s) for s in sources], size, seed=seed)
        count = write_bank(mixed, output)
    click.echo(f"wrote {count} questions to {output}")


@click.command("split")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--ratios", required=True, help="Part proportions summing to 1, e.g. 0.9,0.1.")
@click.option("--names", help="Part names, e.g. train,test (default train,test or train,val,test).")
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same parts).")
@click.option("-o", "--output-prefix", "prefix", required=True, help="Writes PREFIX-NAME.jsonl per part.")
def split(path: str, ratios: str, names: str | None, seed: int, prefix: str) -> None:
    """Split a bank into parts of exact sizes (e.g. train/test)."""
    from alphamed.data import parse_ratios, split_bank

    with one_line_errors():
        parts = split_bank(
            path,
            parse_ratios(ratios),
            prefix,
            seed=seed,
            names=[n.strip() for n in names.split(",")] if names else None,
        )
    for out, count in parts.items():
        click.echo(f"wrote {count} questions to {out}")


@click.command("filter")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--min-pass", default=0.0, show_default=True, type=float, help="Lowest pass rate kept.")
@click.option("--max-pass", default=1.0, show_default=True, type=float, help="Highest pass rate kept.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Output JSONL.")
def filter_cmd(path: str, min_pass: float, max_pass: float, output: str) -> None:
    """Keep questions whose difficulty (a pass rate in [0, 1]) is within [--min-pass, --max-pass]."""
    from alphamed.data import QuestionBank, filter_by_pass_rate, write_bank

    with one_line_errors():
        count = write_bank(filter_by_pass_rate(QuestionBank(path), min_pass, max_pass), output)
    click.echo(f"wrote {count} questions to {output}")


filter_cmd.name = "filter"

COMMANDS: list[click.Command] = [convert, validate, mix, split, filter_cmd]
