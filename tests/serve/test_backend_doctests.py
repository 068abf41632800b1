"""The docstring examples of the engine backends run (pytest's doctest collection covers only alphamed/)."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["openai_wire", "upstream", "supervisor", "vllm", "sglang", "auto"])
def test_doctests(module):
    mod = importlib.import_module(f"alphamed_serve.backends.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
