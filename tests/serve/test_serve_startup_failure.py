"""A model that does not load is a one-line error and a non-zero exit, never a traceback."""

import subprocess
import sys


def test_unloadable_model_folder_is_one_line_error(tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    proc = subprocess.run(
        [sys.executable, "-m", "alphamed", "serve", str(broken), "--backend", "transformers", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: cannot start the transformers backend:")
