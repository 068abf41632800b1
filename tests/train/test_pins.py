"""`alphamed-train[vllm]` pins a vLLM that the installed TRL declares it supports (so a TRL upgrade that moves
its window fails here instead of at the first rollout)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = Path(__file__).parents[2] / "train" / "pyproject.toml"


def _extra(name: str) -> dict[str, Requirement]:
    reqs = [Requirement(r) for r in tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"][name]]
    return {r.name: r for r in reqs}


def trl_vllm_window() -> tuple[Version, Version]:
    """The vLLM versions TRL supports, read from TRL's own ``is_vllm_available``."""
    import importlib

    source = inspect.getsource(importlib.import_module("trl.import_utils").is_vllm_available)
    found = re.search(r'Version\("([\d.]+)"\)\s*<=\s*\w+\s*<=\s*Version\("([\d.]+)"\)', source)
    assert found, "TRL's is_vllm_available no longer states a version window; re-check the vllm pin by hand"
    return Version(found[1]), Version(found[2])


def test_vllm_pin_lies_inside_trls_window() -> None:
    pytest.importorskip("trl")
    low, high = trl_vllm_window()
    spec = _extra("vllm")["vllm"].specifier
    pinned = [s for s in spec if s.operator == "=="]
    assert pinned, f"pin vllm exactly (got {spec})"
    version = Version(pinned[0].version)
    assert low <= Version(version.base_version) <= high, f"vllm {version} is outside TRL's window {low}-{high}"


def test_vllm_extra_bounds_transformers_and_trl_agrees() -> None:
    from importlib.metadata import requires

    pytest.importorskip("trl")
    ours = _extra("vllm")["transformers"].specifier
    assert any(s.operator in ("<", "<=") for s in ours), "the vllm extra must cap transformers (vLLM pins it)"
    trl_needs = next(Requirement(r) for r in requires("trl") if Requirement(r).name == "transformers").specifier
    highest_ok = max(Version(s.version) for s in ours if s.operator in (">", ">="))
    assert highest_ok in trl_needs, f"TRL needs transformers {trl_needs}; the vllm extra allows {ours}"
