"""`alphamed data ...` commands of the core (convert, validate, mix, split, filter)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
