import subprocess
import sys

from click.testing import CliRunner

from alphamed.cli import main


def test_help_lists_every_part_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("serve", "train", "score", "report", "data", "tiny-model"):
        assert name in result.output


def test_help_does_not_import_torch():
    code = "import sys; from alphamed.cli import main\ntry:\n main(['--help'])\nexcept SystemExit: pass\nprint('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")
