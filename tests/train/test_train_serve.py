"""The checkpoint a run writes is served, as it is, by `alphamed serve` (official openai client)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.slow  # starts a real server on the trained tiny model


def test_final_checkpoint_serves(short_run: dict[str, Any]) -> None:
    pytest.importorskip("alphamed_serve.cli")
    pytest.importorskip("openai")
    from gateway_process import GatewayProcess

    server = GatewayProcess(
        str(short_run["out"] / "final"),
        "--backend",
        "transformers",
        "--device",
        "cpu",
        "--served-model-name",
        "trained",
        timeout=180,
    )
    try:
        client = server.client(timeout=120)
        assert [m.id for m in client.models.list().data] == ["trained"]
        reply = client.chat.completions.create(
            model="trained",
            max_tokens=8,
            messages=[{"role": "user", "content": "First-line treatment of anaphylaxis?"}],
        )
        assert reply.choices[0].finish_reason in ("stop", "length")
        assert reply.usage.completion_tokens >= 1
    finally:
        server.stop()
