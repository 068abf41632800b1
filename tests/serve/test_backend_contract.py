"""Every backend implements the whole declared :class:`Backend` protocol: the gateway finds no
optional method by ``getattr``."""

from __future__ import annotations

import importlib

import pytest
from alphamed_serve.backend import Backend
from alphamed_serve.backends import BACKENDS
from fake_backend import FakeBackend

MEMBERS = sorted(
    {n for n, v in vars(Backend).items() if callable(v) and not n.startswith("_")} | set(Backend.__annotations__)
)


def _backend_class(target: str) -> type:
    module_name, _, cls_name = target.partition(":")
    return getattr(importlib.import_module(module_name), cls_name)


def test_the_protocol_declares_what_the_gateway_calls():
    assert {"count_text_tokens", "stream_batches", "count_tokens", "stream", "generate"} <= set(MEMBERS)


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_each_backend_implements_every_member(name):
    cls = _backend_class(BACKENDS[name])
    assert [m for m in MEMBERS if not hasattr(cls, m)] == []


def test_the_test_double_implements_every_member():
    assert isinstance(FakeBackend(), Backend)
