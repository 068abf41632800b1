"""Fixtures for the gateway tests: an app around the scripted FakeBackend."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")


@pytest.fixture
def make_client():
    """``make_client(backend=None, **settings) -> TestClient`` (lifespan run, closed at teardown)."""
    from alphamed_serve.app import Settings, create_app
    from fake_backend import FakeBackend
    from fastapi.testclient import TestClient

    clients = []

    def _make(backend=None, raise_server_exceptions=True, **settings):
        app = create_app(backend or FakeBackend(), Settings(**settings))
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        clients.append(client)
        return client

    yield _make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()
