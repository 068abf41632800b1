"""The two extraction engines: the pure-Python rules and their mypyc-compiled copy.

``extract_answer`` runs the compiled engine when it is installed and was built from the sources
installed next to it; the results of both are the same (the labeled set and the ~9,300 seeded
variants run on both: ``test_extract_labeled.py``, ``test_extract_differential.py``).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alphamed.extract as E
from alphamed.extract import build

AF = ["Aspirin", "Heparin", "Warfarin", "Clopidogrel"]
PIECES = st.sampled_from(
    ["The answer is", "Answer:", "\\boxed{", "}", "<answer>", "</answer>", "(", ")", "C", "A", "B", "or", "not ", "**",
     "\n", " ", "final answer", "Option", "is correct", "Therefore,", "→", "答案", "Ответ", "Ｃ", "С", "warfarin", "heparin",
     "yes", "$", ".", "If ", "either", "İ", "ſ", "\xa0"]
)


def _engine_of(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "ALPHAMED_EXTRACT_ENGINE"} | env
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=60)


def test_the_compiled_engine_is_installed_where_expected() -> None:
    """``make test`` sets ALPHAMED_EXPECT_COMPILED=1: a build that silently fell back fails here."""
    if not os.environ.get("ALPHAMED_EXPECT_COMPILED"):
        pytest.skip("ALPHAMED_EXPECT_COMPILED is not set")
    assert E.ENGINE == "compiled"
    assert Path(E.engines()["compiled"].__file__).suffix in (".so", ".pyd")


def test_the_environment_variable_chooses_the_engine() -> None:
    code = "import alphamed.extract as e; print(e.ENGINE, e.extract_answer('Answer: B', ['x', 'y']).letter)"
    assert _engine_of(code, ALPHAMED_EXTRACT_ENGINE="python").stdout.split() == ["python", "B"]
    wrong = _engine_of(code, ALPHAMED_EXTRACT_ENGINE="fast")
    assert wrong.returncode != 0 and "ALPHAMED_EXTRACT_ENGINE must be auto, python or compiled" in wrong.stderr
    if "compiled" in E.engines():
        assert _engine_of(code, ALPHAMED_EXTRACT_ENGINE="compiled").stdout.split() == ["compiled", "B"]


def test_a_compiled_engine_built_from_other_sources_is_not_used(monkeypatch, caplog) -> None:
    if "compiled" not in E.engines():
        pytest.skip("the compiled extractor is not installed here")
    monkeypatch.setattr(E, "source_digest", lambda folder: "0" * 64)  # as if a source changed since the build
    with caplog.at_level(logging.WARNING, logger="alphamed.extract"):
        assert E._compiled_engine() is None
    assert "built from other sources" in caplog.text
    monkeypatch.setenv("ALPHAMED_EXTRACT_ENGINE", "compiled")
    with pytest.raises(ImportError, match="stale"):
        E._choose_engine()


def test_the_build_copies_the_engine_with_its_imports_renamed_and_its_digest(tmp_path) -> None:
    source = Path(E.__file__).parent
    paths = build.write_sources(source, tmp_path)
    assert sorted(Path(p).stem for p in paths) == sorted(build.MODULES)
    for path in map(Path, paths):
        text = path.read_text(encoding="utf-8")
        imports = [line for line in text.splitlines() if line.startswith(("from alphamed", "import alphamed"))]
        assert all(line.startswith("from alphamed._compiled.") for line in imports), (path.name, imports)
    engine = (tmp_path / "alphamed" / "_compiled" / "engine.py").read_text(encoding="utf-8")
    assert f"SOURCE_DIGEST = {build.source_digest(source)!r}" in engine
    assert build.source_digest(tmp_path / "missing") is None


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(PIECES, max_size=40), options=st.sampled_from([AF, ["yes", "no", "maybe"], None, {"a": "x", "(C)": "y"}]))
def test_both_engines_give_the_same_result_on_marker_soup(pieces: list[str], options: object) -> None:
    if len(E.engines()) < 2:
        pytest.skip("the compiled extractor is not installed here: nothing to compare")
    text = "".join(pieces)
    results = {name: E.extractor(name)(text, options) for name in E.engines()}
    assert len(set(results.values())) == 1, results


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_both_engines_give_the_same_result_on_any_text(text: str) -> None:
    if len(E.engines()) < 2:
        pytest.skip("the compiled extractor is not installed here: nothing to compare")
    results = {name: E.extractor(name)(text, AF) for name in E.engines()}
    assert len(set(results.values())) == 1, results


def test_the_build_is_skipped_on_request_and_without_mypyc(monkeypatch, capsys) -> None:
    """No compiled extractor is no failed install: setup.py gets no extensions and says why."""
    root = Path(E.__file__).resolve().parents[2]
    monkeypatch.setenv("ALPHAMED_NO_COMPILE", "1")
    assert build.extensions(root) == []
    monkeypatch.delenv("ALPHAMED_NO_COMPILE")
    monkeypatch.setitem(sys.modules, "mypyc.build", None)  # as if mypy were not installed
    assert build.extensions(root) == []
    assert "mypyc is not installed; installing the pure-Python answer extractor" in capsys.readouterr().err
