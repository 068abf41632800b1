"""The ``alphamed`` command line: one click group.

The core registers its own commands here. Commands of the other distributions
(``alphamed-serve``, ``alphamed-train``, ``alphamed-client``) register through the
``alphamed.commands`` entry-point group (``alphamed.data_commands`` for ``alphamed data``
sub-commands) and are only imported when invoked, so ``alphamed --help`` stays instant.
A known command whose package is missing says which package to install.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import click

from alphamed import __version__

# command name -> (distribution that provides it, one-line help)
KNOWN_COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("alphamed-serve", "Serve a model behind an OpenAI-compatible API."),
    "train": ("alphamed-train", "Train with GRPO and rule rewards from a YAML recipe."),
    "score": ("alphamed-client", "Score a question bank against an OpenAI-compatible server."),
    "report": ("alphamed-client", "Report accuracy from a results JSONL file."),
    "eval": ("alphamed-client", "Run the AlphaMed benchmark suite from local files."),
}
KNOWN_DATA_COMMANDS: dict[str, tuple[str, str]] = {
    "difficulty": ("alphamed-client", "Label questions by pass rate over k samples."),
    "factbank": ("alphamed-train", "Write the synthetic clinical fact bank as a question bank."),
}


def _missing_command(name: str, dist: str, help_text: str) -> click.Command:
    @click.command(
        name=name,
        help=f"{help_text} (needs `pip install {dist}`)",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )
    def _cmd() -> None:
        raise click.ClickException(
            f"`alphamed {name}` is provided by the {dist} package, which is not installed: pip install {dist}"
        )

    return _cmd


def _broken_command(name: str, target: str, exc: Exception) -> click.Command:
    @click.command(
        name=name,
        help=f"(unavailable: {target} failed to load)",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )
    def _cmd() -> None:
        raise click.ClickException(f"`alphamed {name}` failed to load ({target}): {exc}")

    return _cmd


class PluginGroup(click.Group):
    """A click group that also lists commands from an entry-point group, loaded lazily."""

    def __init__(self, *args, entry_point_group: str, known: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self._ep_group = entry_point_group
        self._known = known

    def _entry_points(self) -> dict:
        return {ep.name: ep for ep in entry_points(group=self._ep_group)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx)) | set(self._entry_points()) | set(self._known)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            return cmd
        ep = self._entry_points().get(cmd_name)
        if ep is not None:
            try:
                return ep.load()
            except (ImportError, AttributeError) as exc:
                return _broken_command(cmd_name, ep.value, exc)
        if cmd_name in self._known:
            dist, help_text = self._known[cmd_name]
            return _missing_command(cmd_name, dist, help_text)
        return None


@click.group(
    cls=PluginGroup,
    entry_point_group="alphamed.commands",
    known=KNOWN_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="alphamed")
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
def main(verbose: int) -> None:
    """AlphaMed: retrain, serve and score a medical reasoning LLM."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.group(
    cls=PluginGroup,
    entry_point_group="alphamed.data_commands",
    known=KNOWN_DATA_COMMANDS,
)
def data() -> None:
    """Question-bank tools: convert, validate, mix, split, filter."""


def _register_core_commands() -> None:
    from alphamed.cli import data_cmds, demo_cmd, tiny_model_cmd  # light modules: click only

    main.add_command(tiny_model_cmd.tiny_model)
    main.add_command(demo_cmd.demo)
    for cmd in data_cmds.COMMANDS:
        data.add_command(cmd)


_register_core_commands()
