"""`alphamed train` from the command line: one-line errors, launch commands."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
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
    result = _invoke(
        "alphamed-8b-llama",
        "--accelerate-config",
        "zero3",
        "--num-processes",
        "8",
        "--num-machines",
        "2",
        "--main-process-ip",
        "10.0.0.1",
        "--print-launch",
        "--generation.vllm_mode",
        "server",
        "--generation.vllm_server_base_url",
        "http://10.0.0.9:8000",
    )
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


def test_misspelt_or_ill_typed_trl_field_fails_in_one_line_before_any_model_loads(tmp_path: Path) -> None:
    out = tmp_path / "run"
    for args, expected in [
        (("--grpo.epsilon_hgh", "0.28"), "--grpo.epsilon_hgh is not a recipe setting"),
        (("--grpo.mask_truncated_completions", "sometimes"), "--grpo.mask_truncated_completions input"),
        (("--generation.vllm_max_model_length", "[1]"), "--generation.vllm_max_model_length input"),
    ]:
        result = _invoke("tiny-cpu", "--checkpointing.output_dir", str(out), *args)
        assert result.exit_code != 0
        assert result.output.startswith("Error: " + expected) and result.output.count("\n") == 1, result.output
    assert not out.exists()  # nothing built, no model loaded


def test_flash_attention_without_flash_attn_is_refused_before_the_model_builds(tmp_path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("flash_attn"):
        pytest.skip("flash-attn is installed here")
    out = tmp_path / "run"
    result = _invoke(
        "tiny-cpu", "--checkpointing.output_dir", str(out), "--model.attn_implementation", "flash_attention_2"
    )
    assert result.exit_code != 0
    assert result.output.startswith(
        "Error: --model.attn_implementation flash_attention_2 needs the flash-attn package"
    )
    assert "--model.attn_implementation sdpa" in result.output and result.output.count("\n") == 1
    assert not (out / "base-model").exists()
