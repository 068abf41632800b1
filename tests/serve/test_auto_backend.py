"""`--backend auto`: vLLM with a GPU, else SGLang with a GPU, else transformers."""

from __future__ import annotations

import sys

import pytest
from alphamed_serve.backends import auto


@pytest.mark.parametrize(
    ("gpu", "installed", "expected"),
    [
        (True, {"vllm", "sglang"}, "vllm"),
        (True, {"sglang"}, "sglang"),
        (True, set(), "transformers"),
        (False, {"vllm", "sglang"}, "transformers"),  # neither engine runs without a GPU here
    ],
)
def test_resolution_order(monkeypatch, gpu, installed, expected):
    monkeypatch.setattr(auto, "gpu_present", lambda: gpu)
    monkeypatch.setattr(auto, "engine_installed", lambda module, python=None: module in installed)
    assert auto.resolve_auto_backend() == expected


def test_hidden_gpus_count_as_none(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert auto.gpu_present() is False


def test_engine_installed_asks_the_engine_interpreter():
    assert auto.engine_installed("json", sys.executable)
    assert not auto.engine_installed("json", "/nonexistent/python")
    assert not auto.engine_installed("surely_not_installed_module_xyz", sys.executable)
