"""`alphamed train RECIPE [--section.field value ...]`: parse, validate, then run or launch."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def resolve_recipe(name: str) -> Path:
    """A recipe path as given, or a bundled recipe by name (``tiny-cpu``, ``alphamed-8b-llama``...)."""
    path = Path(name)
    if path.exists():
        return path
    bundled = Path(__file__).parent / "recipes" / f"{path.stem}.yaml"
    if bundled.exists() and path.parent == Path("."):
        return bundled
    raise click.ClickException(
        f"recipe {name} not found (bundled: {', '.join(p.stem for p in sorted(bundled.parent.glob('*.yaml')))})"
    )


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": ["-h", "--help"]}
)
@click.argument("recipe")
@click.option("--resume", is_flag=True, help="Continue from the last complete checkpoint in the output folder.")
@click.option(
    "--num-processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes (GPUs, or CPU ranks); > 1 runs `accelerate launch`.",
)
@click.option("--accelerate-config", default=None, help="zero2, zero3, ddp, or an accelerate config YAML path.")
@click.option(
    "--num-machines", type=click.IntRange(min=1), default=1, show_default=True, help="Nodes (with --print-launch)."
)
@click.option("--main-process-ip", default="MAIN_NODE_IP", help="Rank-0 node address (multi-node).")
@click.option("--main-process-port", type=int, default=29500, show_default=True, help="Rank-0 port (multi-node).")
@click.option(
    "--print-launch",
    is_flag=True,
    help="Print the launch command for each node (and the vLLM server) instead of running.",
)
@click.option(
    "--transfer",
    "transfer_json",
    default=None,
    type=click.Path(dir_okay=False),
    help="Copy/match recipes: warm start, GRPO once per transfer.seeds, the SFT control; scores to this JSON.",
)
@click.pass_context
def train(
    ctx: click.Context,
    recipe: str,
    resume: bool,
    num_processes: int,
    accelerate_config: str | None,
    num_machines: int,
    main_process_ip: str,
    main_process_port: int,
    print_launch: bool,
    transfer_json: str | None,
) -> None:
    """Train with GRPO and rule rewards from a YAML recipe.

    Override any recipe field with `--section.field value`, e.g.
    `alphamed train tiny-cpu --grpo.max_steps 50 --checkpointing.output_dir runs/x`.
    """
    from alphamed_train.recipe import RecipeError, load_recipe

    path = resolve_recipe(recipe)
    overrides = list(ctx.args)
    try:
        parsed = load_recipe(path, overrides)
    except RecipeError as exc:
        raise click.ClickException(str(exc).replace("\n", "; ")) from None
    if print_launch or num_processes > 1 or accelerate_config or num_machines > 1:
        from alphamed_train import launch

        plan = launch.LaunchPlan(
            recipe=path,
            overrides=overrides,
            resume=resume,
            config=accelerate_config or "zero2",
            num_processes=num_processes,
            num_machines=num_machines,
            main_process_ip=main_process_ip,
            main_process_port=main_process_port,
        )
        if print_launch:
            click.echo(launch.describe(plan, parsed))
            return
        sys.exit(launch.run_local(plan, parsed))
    import logging

    from alphamed_train.run import run

    logging.getLogger("alphamed_train").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    from alphamed.hub import ModelNotFoundError

    try:
        if transfer_json:
            from alphamed_train.transfer import run_transfer

            click.echo(run_transfer(parsed, transfer_json)["sentence"])
            return
        summary = run(parsed, resume=resume)
    except RecipeError as exc:
        raise click.ClickException(str(exc).replace("\n", "; ")) from None
    except ModelNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(summary, indent=1))
