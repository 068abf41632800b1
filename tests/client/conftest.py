"""Fixtures of the client tests (helpers live in client_support.py)."""

from __future__ import annotations
import json
from collections.abc import Callable, Iterator
from pathlib import Path
import pytest
from alphamed_client.testing.fake_server import FakeServer, Reply, Responder, boxed

from client_support import LETTERS, gold_of, question_record, right_when, write_bank  # noqa: F401


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
