"""Fixtures for the core tests: the extraction engines."""

from __future__ import annotations

import pytest

from alphamed.extract import engines, extractor


@pytest.fixture(params=["python", "compiled"])
def extract(request: pytest.FixtureRequest):
    """``extract_answer`` on each engine: the pure-Python rules and their mypyc-compiled copy."""
    if request.param not in engines():
        pytest.skip("the compiled extractor is not installed here (pip install -e . builds it with a C compiler)")
    return extractor(request.param)
