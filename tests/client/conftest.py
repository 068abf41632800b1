"""Fixtures of the client tests: scripted fake servers and small question banks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fake_openai import FakeServer, Responder


@pytest.fixture
def fake_server() -> Iterator[Callable[..., FakeServer]]:
    """Start fake servers with ``fake_server(responder, **options)``; all are stopped afterwards."""
    started: list[FakeServer] = []

    def start(responder: Responder | None = None, **options: object) -> FakeServer:
        server = FakeServer(responder, **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
