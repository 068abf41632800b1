"""Fixtures for the core tests."""

from __future__ import annotations

import pytest

from alphamed.extract.engine import extract as extract_raising


@pytest.fixture
def extract():
    """``extract_answer`` that raises on bugs instead of logging them (a bug must fail the test)."""
    return extract_raising
