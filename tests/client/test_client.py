"""The SDK against the scripted fake server: detection, retries, fail-fast checks."""

import asyncio
import socket

import pytest
from alphamed_client import AlphaMed, AsyncAlphaMed, AuthenticationFailed, ModelNotFound, ServerUnreachable
from fake_openai import Fail, Reply, Reset, boxed

OPTIONS = ["aspirin", "heparin", "warfarin", "alteplase"]


def scripted(*actions):
    """Answer attempt i with actions[i] (the last one repeats)."""
    return lambda key, attempt, body: actions[min(attempt, len(actions) - 1)]


def test_plain_server_is_asked_through_chat_with_client_side_extraction(fake_server):
    server = fake_server(scripted(Reply(boxed("C"))))
    with AlphaMed(base_url=server.base_url, model="fake-model") as client:
        assert client.uses_mcqa() is False
        ans = client.answer("[id:k] Which?", options=OPTIONS)
    assert (ans.letter, ans.text, ans.via) == ("C", "warfarin", "chat")
    assert [r.path for r in server.log] == ["/v1/chat/completions"]  # the probe generates nothing


def test_our_server_is_asked_through_mcqa(fake_server):
    server = fake_server(scripted(Reply("x", choices=(boxed("B"), boxed("B"), boxed("D")))), mcqa=True)

    async def run():
        async with AsyncAlphaMed(base_url=server.base_url, model="fake-model") as client:
            return await client.answer("[id:k] Which?", options=OPTIONS, n=3)

    ans = asyncio.run(run())
    assert (ans.letter, ans.via, ans.votes) == ("B", "mcqa", {"B": 2, "D": 1})
    assert ans.agreement == pytest.approx(2 / 3)
    assert server.log[-1].path == "/v1/mcqa"


def ask(url, twin, **settings):
    """Answer the question tagged ``k`` with the sync client or the async one (aiohttp transport)."""
    if twin == "sync":
        with AlphaMed(base_url=url, model="fake-model", mcqa=False, **settings) as client:
            return client.answer("[id:k] Which?", options=OPTIONS)

    async def run():
        async with AsyncAlphaMed(base_url=url, model="fake-model", mcqa=False, **settings) as client:
            return await client.answer("[id:k] Which?", options=OPTIONS)

    return asyncio.run(run())


TWINS = pytest.mark.parametrize("twin", ["sync", "async"])


@TWINS
def test_429_with_retry_after_is_retried_after_the_servers_delay(fake_server, twin):
    server = fake_server(scripted(Fail(429, retry_after=0.6), Reply(boxed("A"))))
    ans = ask(server.base_url, twin)
    first, second = server.requests_for("k")
    assert ans.letter == "A" and first.status == 429 and second.status == 200
    assert second.time - first.time >= 0.6


@TWINS
@pytest.mark.parametrize("failure", [Fail(500), Fail(503), Reset()], ids=["500", "503", "reset"])
def test_transient_failures_are_retried(fake_server, failure, twin):
    server = fake_server(scripted(failure, failure, Reply(boxed("D"))))
    assert ask(server.base_url, twin).letter == "D"
    assert len(server.requests_for("k")) == 3


@TWINS
def test_a_timeout_is_retried(fake_server, twin):
    server = fake_server(scripted(Reply(boxed("B"), delay=3.0), Reply(boxed("B"))))
    ans = ask(server.base_url, twin, timeout=0.5)
    assert ans.letter == "B" and server.state.attempts["k"] == 2


@TWINS
def test_a_failure_that_outlasts_the_retries_raises(fake_server, twin):
    import openai

    server = fake_server(scripted(Fail(503)))
    with pytest.raises(openai.InternalServerError):
        ask(server.base_url, twin, max_retries=2)
    assert len(server.requests_for("k")) == 3


def test_unreachable_server_fails_fast_with_the_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/v1"
    with AlphaMed(base_url=url, model="m", max_retries=0) as client:
        with pytest.raises(ServerUnreachable, match=f"127.0.0.1:{port}"):
            client.check_server()

    async def run():
        async with AsyncAlphaMed(base_url=url, model="m", max_retries=0) as client:
            await client.check_server()

    with pytest.raises(ServerUnreachable, match=f"127.0.0.1:{port}"):
        asyncio.run(run())


def test_wrong_api_key_is_one_clear_error(fake_server):
    server = fake_server(api_key="right")
    with AlphaMed(base_url=server.base_url, model="fake-model", api_key="wrong") as client:
        with pytest.raises(AuthenticationFailed, match="rejected the API key"):
            client.check_server()
    with AlphaMed(base_url=server.base_url, model="fake-model", api_key="right") as client:
        assert client.check_server() == ["fake-model"]


def test_unknown_model_is_named(fake_server):
    server = fake_server()
    with AlphaMed(base_url=server.base_url, model="other") as client:
        with pytest.raises(ModelNotFound, match="'other'.*fake-model"):
            client.check_server()


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        AlphaMed("http://x/v1", "m")  # type: ignore[misc]
