"""The fast request builder must build exactly the request the openai SDK builds."""

import openai
import pytest

from alphamed_client.fast_requests import fast_async_openai

BODY = {"model": "m", "messages": [{"role": "user", "content": "Which drug? [id:q1]"}], "temperature": 0.0, "n": 1}


def options(**fields):
    from openai._models import FinalRequestOptions

    return FinalRequestOptions.construct(method="post", url="/chat/completions", json_data=BODY, **fields)


def wire(request):
    """What goes on the wire, and the timeouts the transport applies."""
    return (request.method, str(request.url), list(request.headers.multi_items()), request.read(),
            request.extensions["timeout"])


def pair(**client_kwargs):
    settings = dict(base_url="http://127.0.0.1:9/v1", api_key="k", timeout=30.0, **client_kwargs)
    fast_class = fast_async_openai()
    assert fast_class is not None, "the installed openai SDK should support the fast builder"
    return (openai.AsyncOpenAI(http_client=openai.DefaultAioHttpClient(), **settings),
            fast_class(http_client=openai.DefaultAioHttpClient(), **settings))


@pytest.mark.parametrize("case", [
    {},
    {"timeout": 2.5},
    {"idempotency_key": "stainless-python-retry-abc"},
    {"headers": {"X-Trace": "1"}},
    {"params": {"api-version": "2024"}},  # falls back to the SDK
    {"extra_json": {"seed": 1}},  # falls back to the SDK
], ids=["plain", "timeout", "idempotency", "headers", "params", "extra-json"])
@pytest.mark.parametrize("retries_taken", [0, 2])
def test_requests_are_the_sdks(case, retries_taken):
    stock, fast = pair(default_headers={"X-Org": "ward-7"})
    assert wire(fast._build_request(options(**case), retries_taken=retries_taken)) == \
        wire(stock._build_request(options(**case), retries_taken=retries_taken))


def test_client_level_query_and_a_new_base_url_are_honoured():
    stock, fast = pair(default_query={"api-version": "2024"})
    assert wire(fast._build_request(options())) == wire(stock._build_request(options()))
    assert "api-version=2024" in str(fast._build_request(options()).url)
    stock, fast = pair()
    fast._build_request(options())
    stock.base_url = fast.base_url = "http://127.0.0.1:10/other/v1"
    assert str(fast._build_request(options()).url) == "http://127.0.0.1:10/other/v1/chat/completions"
    assert wire(fast._build_request(options())) == wire(stock._build_request(options()))
