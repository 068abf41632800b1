"""Shared helpers of the client tests: small question banks and scripted responders."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fake_openai import Reply, Responder, boxed

LETTERS = "ABCD"


def gold_of(i: int) -> str:
    """The gold letter of question ``q<i>`` in :func:`write_bank` banks."""
    return LETTERS[i % 4]


def question_record(i: int, **extra: object) -> dict:
    record = {
        "id": f"q{i}",
        "question": f"[id:q{i}] Which first-line drug, case {i}?",
        "options": {"A": "alpha", "B": "beta", "C": "gamma", "D": "delta"},
        "answer": gold_of(i),
        "source": ("medqa", "medmcqa")[i % 2],
        "subject": ("cardiology", "neurology", "nephrology")[i % 3],
    }
    record.update(extra)
    return record


def write_bank(path: Path, count: int, *, extra_lines: dict[int, str] | None = None) -> Path:
    """A bank of ``count`` questions q0..q{count-1}; ``extra_lines`` inserts raw lines after index i."""
    with path.open("w") as handle:
        for i in range(count):
            handle.write(json.dumps(question_record(i)) + "\n")
            if extra_lines and i in extra_lines:
                handle.write(extra_lines[i] + "\n")
    return path


def right_when(predicate: Callable[[int], bool], delay: float = 0.0) -> Responder:
    """Answer q<i> correctly when ``predicate(i)``, else with the next letter."""

    def respond(key: str | None, attempt: int, body: dict) -> Reply:
        i = int(key[1:]) if key else 0
        letter = gold_of(i) if predicate(i) else LETTERS[(i + 1) % 4]
        return Reply(boxed(letter), delay=delay)

    return respond


class BankScorer:
    """``score(bank, out=..., **job)`` against one server: :func:`score_bank` with a fresh client."""

    def __init__(self, base_url: str, **client_options: Any) -> None:
        self.base_url = base_url
        self.client_options = {"model": "fake-model", "max_retries": 2, **client_options}

    def score(self, bank: Path, *, on_result: Callable | None = None, **job: Any) -> Any:
        from alphamed_client import AsyncAlphaMed
        from alphamed_client.scoring import ScoreJob, score_bank

        async def run() -> Any:
            async with AsyncAlphaMed(base_url=self.base_url, **self.client_options) as client:
                await client.check_server()
                return await score_bank(client, ScoreJob(bank=Path(bank), **job), on_result=on_result)

        return asyncio.run(run())


def client_for(server: Any, **client_options: Any) -> BankScorer:
    """A :class:`BankScorer` for a fake server (two retries unless told otherwise)."""
    return BankScorer(server.base_url, **client_options)
