"""Prometheus metrics, one registry per app (so tests and several apps never collide)."""

from __future__ import annotations

import time
from typing import Any


class GatewayMetrics:
    """Counters and histograms the gateway updates; :meth:`render` gives the exposition text."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "alphamed_requests", "HTTP requests by route and status", ["route", "status"], registry=r
        )
        self.latency = Histogram(
            "alphamed_request_latency_seconds",
            "Time from request to the last byte of the response",
            ["route"],
            registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
        )
        self.ttft = Histogram(
            "alphamed_time_to_first_token_seconds",
            "Time to the first streamed token",
            registry=r,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.prompt_tokens = Counter("alphamed_prompt_tokens", "Prompt tokens processed", registry=r)
        self.completion_tokens = Counter("alphamed_completion_tokens", "Tokens generated", registry=r)
        self.in_flight = Gauge("alphamed_requests_in_flight", "Requests holding a generation slot", registry=r)
        self.queued = Gauge("alphamed_requests_queued", "Requests waiting for a slot", registry=r)
        self.rejected = Counter("alphamed_requests_rejected", "Requests refused with 429", registry=r)
        self.answers = Counter("alphamed_answers", "Choices by answer extraction outcome", ["outcome"], registry=r)

    def record_answer(self, answer: dict[str, Any]) -> None:
        """Count one choice as ``extracted`` or ``abstained``."""
        self.answers.labels("extracted" if answer.get("letter") else "abstained").inc()

    def record_usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.prompt_tokens.inc(prompt_tokens)
        self.completion_tokens.inc(completion_tokens)

    def render(self) -> tuple[bytes, str]:
        """Exposition body and content type."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


ENGINE_PREFIXES = ("vllm:", "sglang:")


def engine_families(text: str) -> str:
    """The engine's own metric families (``vllm:*``, ``sglang:*``) out of its exposition ``text``, with their
    HELP/TYPE lines; its process/python collectors are left out (they describe the engine process, and would
    read as the gateway's).

    >>> print(engine_families("# TYPE vllm:num_requests_running gauge\\nvllm:num_requests_running 2.0\\n"
    ...                       "python_gc_objects_collected_total 5.0\\n"), end="")
    # TYPE vllm:num_requests_running gauge
    vllm:num_requests_running 2.0
    """
    kept = []
    for line in text.splitlines():
        name = line.split()[2] if line.startswith("# ") and len(line.split()) > 2 else line
        if name.startswith(ENGINE_PREFIXES):
            kept.append(line)
    return "\n".join(kept) + ("\n" if kept else "")


class MetricsMiddleware:
    """Pure ASGI middleware: counts requests by route template and status, timing to the last byte."""

    def __init__(self, app, metrics: GatewayMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def _send(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(name, str(status["code"])).inc()
            self.metrics.latency.labels(name).observe(time.perf_counter() - start)
