"""/v1/mcqa: prompt building, sampling and the majority vote."""

from __future__ import annotations

import pytest
from fake_backend import FakeBackend

Q = {"question": "First-line drug for type 2 diabetes?", "options": ["Insulin", "Metformin", "Warfarin"]}


def boxed(letters):
    return lambda req, i: (
        f"<think>step {i}</think>The final answer is: $\\boxed{{{letters[i]}}}$"
        if letters[i]
        else "<think>unsure</think>I cannot tell."
    )


def test_mcqa_votes_over_samples(make_client):
    fake = FakeBackend(boxed(["B", "B", "A", None]))
    c = make_client(fake)
    body = c.post("/v1/mcqa", json={**Q, "n": 4, "temperature": 0.7, "max_tokens": 64}).json()
    assert body["answer"] == "B" and body["answer_text"] == "Metformin"
    assert body["votes"] == {"A": 1, "B": 2} and body["abstained"] == 1
    assert body["agreement"] == 0.5
    assert [s["answer"]["letter"] for s in body["samples"]] == ["B", "B", "A", None]
    assert body["samples"][0]["reasoning"] == "step 0"
    req = fake.requests[-1]
    assert (req.n, req.temperature, req.max_tokens) == (4, 0.7, 64)
    prompt = req.messages[-1]["content"]
    assert "Metformin" in prompt and "First-line drug" in prompt


def test_mcqa_tie_is_reported_not_guessed(make_client):
    c = make_client(FakeBackend(boxed(["A", "C"])))
    body = c.post("/v1/mcqa", json={**Q, "n": 2}).json()
    assert body["answer"] is None and body["tied"] == ["A", "C"] and body["answer_text"] is None


def test_mcqa_letter_map_options_and_context(make_client):
    fake = FakeBackend(boxed(["A"]))
    c = make_client(fake)
    body = c.post(
        "/v1/mcqa",
        json={"question": "Is it?", "options": {"A": "yes", "B": "no", "C": "maybe"}, "context": "A trial abstract."},
    ).json()
    assert body["answer"] == "A" and body["answer_text"] == "yes"
    assert "A trial abstract." in fake.requests[-1].messages[-1]["content"]


@pytest.mark.parametrize(
    "body,param",
    [
        ({"question": "q", "options": ["only one"]}, "options"),
        ({"question": "q", "options": {"A": "x", "C": "y"}}, "options"),
        ({"question": "q", "options": ["x", ""]}, "options"),
        ({"question": "", "options": ["x", "y"]}, "question"),
        ({"question": "   ", "options": ["x", "y"]}, "question"),
        ({"question": "q", "options": "A or B"}, "options"),
        ({"question": "q", "options": ["x", "y"], "n": 0}, "n"),
        ({"question": "q", "options": ["x", "y"], "n": 100}, "n"),
        ({"question": "q", "options": ["x", "y"], "prompt_style": "nope"}, "prompt_style"),
        ({"question": "q", "options": ["x", "y"], "model": "nope"}, "model"),
    ],
)
def test_mcqa_bad_input(client, body, param):
    r = client.post("/v1/mcqa", json=body)
    assert 400 <= r.status_code < 500
    assert r.json()["error"]["param"] == param
