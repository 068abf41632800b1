"""`alphamed serve` flags: documented, validated, and a clear one-line error for a bad model."""

from __future__ import annotations

from alphamed_serve.cli import choose_backend, serve
from click.testing import CliRunner


def test_every_flag_has_help_text():
    missing = [p.name for p in serve.params if p.param_type_name == "option" and not p.help]
    assert missing == []
    out = CliRunner().invoke(serve, ["--help"]).output
    for flag in (
        "--backend",
        "--upstream",
        "--api-key",
        "--max-concurrency",
        "--max-queue",
        "--reasoning-field",
        "--max-batch-size",
        "--tensor-parallel-size",
        "--engine-python",
    ):
        assert flag in out


def test_missing_model_folder_is_a_one_line_error(tmp_path):
    r = CliRunner().invoke(serve, [str(tmp_path / "nope"), "--backend", "transformers"])
    assert r.exit_code != 0
    assert "model folder not found" in r.output and "Traceback" not in r.output


def test_bad_flag_values_are_rejected_naming_the_flag():
    r = CliRunner().invoke(serve, ["m", "--port", "99999"])
    assert r.exit_code == 2 and "--port" in r.output
    r = CliRunner().invoke(serve, ["m", "--reasoning-field", "thoughts"])
    assert r.exit_code == 2 and "--reasoning-field" in r.output


def test_auto_backend_with_upstream_is_the_openai_proxy():
    assert choose_backend("auto", "http://127.0.0.1:9") == "openai"
    assert choose_backend("vllm", None) == "vllm"
