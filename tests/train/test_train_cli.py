"""`alphamed train` from the command line: one-line errors, launch commands."""

from __future__ import annotations

import shlex
from pathlib import Path

from click.testing import CliRunner

from alphamed.cli import main


def _invoke(*args: str):
    return CliRunner().invoke(main, ["train", *args])


def test_bad_override_exits_nonzero_naming_the_flag() -> None:
    result = _invoke("tiny-cpu", "--grpo.learning_rate", "-3")
    assert result.exit_code != 0
    assert "--grpo.learning_rate must be > 0" in result.output
    assert "Traceback" not in result.output


def test_unknown_recipe_lists_the_bundled_ones(tmp_path: Path) -> None:
    result = _invoke(str(tmp_path / "nope.yaml"))
    assert result.exit_code != 0 and "tiny-cpu" in result.output


def test_print_launch_multi_node_with_vllm_server() -> None:
    result = _invoke("alphamed-8b-llama", "--accelerate-config", "zero3", "--num-processes", "8", "--num-machines", "2",
                     "--main-process-ip", "10.0.0.1", "--print-launch", "--generation.vllm_mode", "server",
                     "--generation.vllm_server_base_url", "http://10.0.0.9:8000")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line and not line.startswith("#")]
    server, node0, node1 = (shlex.split(line) for line in lines)
    assert server[:2] == ["trl", "vllm-serve"] and server[server.index("--port") + 1] == "8000"
    for rank, cmd in enumerate((node0, node1)):
        assert cmd[:2] == ["accelerate", "launch"]
        assert Path(cmd[cmd.index("--config_file") + 1]).name == "zero3.yaml"
        assert cmd[cmd.index("--num_processes") + 1] == "16"
        assert cmd[cmd.index("--machine_rank") + 1] == str(rank)
        assert cmd[cmd.index("--main_process_ip") + 1] == "10.0.0.1"
        assert cmd[cmd.index("-m") + 1] == "alphamed_train.run"
        assert "--generation.vllm_mode" in cmd
