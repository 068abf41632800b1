"""sglang-router over two real ``alphamed serve`` replicas on loopback (issue 8, serving).

Two replicas of a tiny model taught to answer with reasoning, the Rust router in front
(round robin, health checks every second), driven with the official ``openai`` client and
with ``alphamed score``; one replica is SIGKILLed mid-run. About a minute on 2 busy cores.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from router_support import (
    ANSWER_LETTER,
    REASONING,
    free_port,
    healthy,
    router_selections,
    router_workers,
    served_chats,
    start_replica,
    start_router,
    stop,
    teach_reasoning,
    wait_until,
)

pytest.importorskip("sglang_router", reason="needs sglang-router (requirements-dev.txt)")
pytest.importorskip("openai")
pytest.importorskip("alphamed_client")

SERVED = "tiny-reason"
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def cluster(tiny_model_dir, tmp_path_factory):
    """Two replicas (a, b) and the router; yields a dict of urls, processes and the log folder."""
    work = tmp_path_factory.mktemp("router")
    model = teach_reasoning(tiny_model_dir, work / SERVED)
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    logs = [work / "replica-a.log", work / "replica-b.log", work / "router.log"]
    replicas = [start_replica(model, p, log) for p, log in zip(ports, logs)]
    procs = list(replicas)
    try:
        wait_until(
            lambda: all(healthy(u) for u in urls),
            timeout=180,
            what="both replicas healthy",
            procs=tuple(replicas),
            logs=tuple(logs),
        )
        router_url, metrics_port = f"http://127.0.0.1:{free_port()}", free_port()
        # a replica that hangs stays in the rotation for a minute (its health probes time out after 60 s):
        # long enough for a test to route questions to a frozen replica whatever the machine's load
        router = start_router(
            urls,
            int(router_url.rsplit(":", 1)[1]),
            logs[2],
            "--health-check-timeout-secs",
            "60",
            # b's first failed send opens its circuit, so the retries of what it held go to a (by default
            # all 5 retries, ~1.5 s of backoff, could land on the dead b under round robin: 1 run in 10)
            "--cb-failure-threshold",
            "1",
            metrics_port=metrics_port,
        )
        procs.append(router)
        wait_until(
            lambda: sum(w["is_healthy"] for w in router_workers(router_url)) == 2,
            timeout=60,
            what="the router to register both replicas",
            procs=(router,),
            logs=(logs[2],),
        )
        yield {
            "router": router_url,
            "router_metrics": f"http://127.0.0.1:{metrics_port}",
            "replicas": urls,
            "procs": replicas,
            "work": work,
            "logs": logs,
        }
    finally:
        for proc in procs:
            stop(proc)


def _openai(cluster):
    from openai import OpenAI

    return OpenAI(base_url=cluster["router"] + "/v1", api_key="unused", max_retries=0, timeout=60)


def test_router_registers_both_replicas_under_the_served_name(cluster):
    workers = router_workers(cluster["router"])
    assert sorted(w["url"] for w in workers) == sorted(cluster["replicas"])
    assert {w["model_id"] for w in workers} == {SERVED}  # from /server_info, not "unknown"
    assert all(w["is_healthy"] for w in workers)
    assert [m.id for m in _openai(cluster).models.list().data] == [SERVED]


def test_chat_through_the_router_carries_reasoning_and_answer(cluster):
    client = _openai(cluster)
    messages = [
        {
            "role": "user",
            "content": "A 30-year-old woman has a fever. Which is most likely?\n"
            "A. flu\nB. pneumonia\nC. asthma\nD. migraine",
        }
    ]
    resp = client.chat.completions.create(model=SERVED, messages=messages, temperature=0, max_tokens=48)
    choice = resp.choices[0]
    assert choice.message.model_extra["reasoning"] == REASONING
    assert choice.model_extra["answer"]["letter"] == ANSWER_LETTER
    assert "boxed{B}" in choice.message.content

    reasoning, content, answers = [], [], []
    for chunk in client.chat.completions.create(
        model=SERVED, messages=messages, temperature=0, max_tokens=48, stream=True
    ):
        for c in chunk.choices:
            reasoning.append((c.delta.model_extra or {}).get("reasoning") or "")
            content.append(c.delta.content or "")
            if (c.model_extra or {}).get("answer"):
                answers.append(c.model_extra["answer"]["letter"])
    assert "".join(reasoning) == REASONING
    assert "".join(content) == choice.message.content
    assert answers == [ANSWER_LETTER]


def _score(cluster, bank, out, *extra):
    return [
        sys.executable,
        "-m",
        "alphamed",
        "score",
        str(bank),
        "--base-url",
        cluster["router"] + "/v1",
        "--model",
        SERVED,
        "--out",
        str(out),
        "--concurrency",
        "8",
        "--max-tokens",
        "48",
        *extra,
    ]


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_killing_a_replica_mid_score_loses_no_question(cluster):
    """``alphamed score`` with client retries OFF: whatever survives the kill is the router's doing.

    Replica b is frozen (SIGSTOP) before the run, so every question the router gives it stays in flight
    there; the test waits until the router has given it one, then SIGKILLs it. No timing is hoped for:
    the kill lands mid-run by construction (the run cannot end while b holds a question).
    """
    from alphamed.data import sample_bank_path

    lines = [line for line in sample_bank_path().read_text().splitlines() if line.strip()][:40]
    bank = cluster["work"] / "bank.jsonl"
    bank.write_text("\n".join(lines) + "\n")
    ids = [json.loads(line)["id"] for line in lines]
    a_url, b_url = cluster["replicas"]
    a_proc, b_proc = cluster["procs"]
    router, metrics = cluster["router"], cluster["router_metrics"]
    served_a = served_chats(a_url)
    out = cluster["work"] / "results.jsonl"
    picked = router_selections(metrics)
    os.killpg(b_proc.pid, signal.SIGSTOP)  # b hangs: it can neither answer nor refuse what it is sent
    try:
        score = subprocess.Popen(
            _score(cluster, bank, out, "--max-retries", "0"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except BaseException:
        os.killpg(b_proc.pid, signal.SIGKILL)
        raise
    try:
        try:
            # round robin over two workers: of any two picks, one is b while b is in the rotation
            wait_until(
                lambda: router_selections(metrics) >= picked + 2,
                timeout=120,
                what="the router to route two of the run's questions",
                procs=(score,),
            )
            in_rotation = {w["url"]: w["is_healthy"] for w in router_workers(router)}  # b cannot come back
            assert in_rotation == {a_url: True, b_url: True}, "b left the rotation before it was given a question"
        finally:
            os.killpg(b_proc.pid, signal.SIGKILL)  # mid-run: b holds at least one question of it
            b_proc.wait(10)
        stdout, stderr = score.communicate(timeout=180)
    finally:
        if score.poll() is None:
            score.kill()
            score.wait()
    rows = _rows(out)
    assert score.returncode == 0, f"{stdout}\n{stderr}\n{[r for r in rows if r['error']][:3]}"
    assert len(rows) == len(ids) and Counter(r["id"] for r in rows) == Counter(ids)  # each id once
    assert not [r for r in rows if r["error"]]
    assert {r["predicted"] for r in rows} == {ANSWER_LETTER}
    assert served_chats(a_url) - served_a == len(ids)  # a answered every question, none twice
    failed_sends = [
        line
        for line in cluster["logs"][2].read_text(errors="replace").splitlines()
        if "Failed to send" in line and b_url in line
    ]
    assert failed_sends, "the router retried the questions b held when it died"

    # the router's health checks take the dead replica out and keep the live one
    wait_until(
        lambda: {w["url"]: w["is_healthy"] for w in router_workers(router)} == {a_url: True, b_url: False},
        timeout=15,
        what="the router to mark the killed replica unhealthy",
    )
    served_a = served_chats(a_url)
    client = _openai(cluster)
    for _ in range(4):  # everything now goes to a
        client.chat.completions.create(
            model=SERVED, messages=[{"role": "user", "content": "hi"}], temperature=0, max_tokens=8
        )
    assert served_chats(a_url) - served_a == 4
    assert a_proc.poll() is None


def test_a_sick_replica_leaves_the_rotation_and_comes_back(tmp_path):
    """/health 503 (engine restarting) takes a live replica out of the router; 200 brings it back."""
    from router_support import _popen

    script = Path(__file__).with_name("sick_gateway.py")
    flags = [tmp_path / "a.sick", tmp_path / "b.sick"]
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    procs = [
        _popen([sys.executable, str(script), "--port", str(p), "--sick-flag", str(f)], tmp_path / f"{i}.log")
        for i, (p, f) in enumerate(zip(ports, flags))
    ]
    try:
        wait_until(lambda: all(healthy(u) for u in urls), timeout=60, what="fake replicas", procs=tuple(procs))
        router_url = f"http://127.0.0.1:{free_port()}"
        procs.append(start_router(urls, int(router_url.rsplit(":", 1)[1]), tmp_path / "router.log"))
        wait_until(
            lambda: sum(w["is_healthy"] for w in router_workers(router_url)) == 2,
            timeout=60,
            what="registration",
            procs=(procs[-1],),
        )
        state = lambda: {w["url"]: w["is_healthy"] for w in router_workers(router_url)}  # noqa: E731
        from openai import OpenAI

        client = OpenAI(base_url=router_url + "/v1", api_key="unused", max_retries=0, timeout=30)

        def chat_counts(n: int) -> list[int]:
            before = [served_chats(u) for u in urls]
            for _ in range(n):
                client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "q"}])
            return [served_chats(u) - b for u, b in zip(urls, before)]

        flags[1].touch()  # b's engine "restarts": its /health is 503 while the process stays up
        assert httpx.get(urls[1] + "/health").status_code == 503
        wait_until(lambda: state() == {urls[0]: True, urls[1]: False}, timeout=15, what="b taken out")
        assert chat_counts(6) == [6, 0]
        flags[1].unlink()
        wait_until(lambda: state() == {urls[0]: True, urls[1]: True}, timeout=15, what="b back")
        assert chat_counts(6) == [3, 3]  # round robin over both again
    finally:
        for proc in procs:
            stop(proc)
