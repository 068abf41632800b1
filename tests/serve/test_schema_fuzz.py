"""Schemathesis against the gateway's own OpenAPI schema (in-process ASGI, scripted backend):
no generated request may get a 5xx, an undocumented status, or a body that breaks the schema."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from alphamed_serve.app import Settings, create_app  # noqa: E402
from fake_backend import FakeBackend  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)


def _app():
    fake = FakeBackend(context_length=64)
    fake.started = True
    return create_app(fake, Settings(max_concurrency=4, max_queue=4), manage_backend=False)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    case.call_and_validate(checks=CHECKS)
