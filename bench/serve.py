"""Serving benchmarks, one command: ``.venv/bin/python bench/serve.py [--quick]``.

1. Gateway overhead. A fake OpenAI-compatible engine (its own process; plain asyncio by default,
   ``--engine fastapi`` for a FastAPI + uvicorn one) streams ``--tokens`` tokens per request with
   ``--token-delay`` seconds between tokens. The same load (1 and 256 concurrent streams) runs
   straight against the engine and through ``alphamed_serve``'s gateway (its own process, fronting
   the engine over HTTP with the production ``openai`` upstream backend), alternating. Reported:
   tokens/s ratio (gateway / direct) and the p50 time-to-first-token added. Tokens are counted in
   the streamed text, and every stream's text must equal the engine's (the gateway may merge
   deltas into fewer events when it is behind). ``--skip-batching`` runs only this part.
2. Batching. The embedded transformers backend on the tiny model: k = 1, 4, 16 requests issued
   together vs the same k requests one at a time; ratio of generated tokens/s.

Prints Markdown tables (paste into README "Serving").
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
from fastapi import Request  # resolved at module level: the route annotation needs it

# ---------------------------------------------------------------- fake engine (own process)


def engine_app(tokens: int, delay: float):
    """An OpenAI-compatible engine that streams ``tokens`` tokens, ``delay`` s apart."""
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse

    app = FastAPI()

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": "fake", "object": "model", "max_model_len": 1 << 20}]}

    @app.post("/v1/completions")
    async def completions(request: Request):
        body = await request.json()
        n = int(body.get("max_tokens") or tokens)

        async def events() -> AsyncIterator[str]:
            for i in range(n):
                await asyncio.sleep(delay)
                last = i == n - 1
                chunk = {
                    "id": "cmpl-x",
                    "object": "text_completion",
                    "model": "fake",
                    "choices": [
                        {"index": 0, "text": f" tok{i}", "logprobs": None, "finish_reason": "length" if last else None}
                    ],
                }
                yield f"data: {json.dumps(chunk)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


@functools.lru_cache(maxsize=4096)
def _chunk_event(i: int, last: bool) -> bytes:
    """One SSE event of the fake engine as an HTTP/1.1 chunk (the same JSON as ``engine_app``)."""
    chunk = {
        "id": "cmpl-x",
        "object": "text_completion",
        "model": "fake",
        "choices": [{"index": 0, "text": f" tok{i}", "logprobs": None, "finish_reason": "length" if last else None}],
    }
    data = f"data: {json.dumps(chunk)}\n\n".encode()
    return b"%x\r\n%s\r\n" % (len(data), data)


async def _asyncio_engine_connection(reader, writer, tokens: int, delay: float) -> None:
    """Serve keep-alive HTTP/1.1 requests on one connection: the routes of ``engine_app``."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path = request_line.split(" ")[:2]
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
            body = await reader.readexactly(int(headers.get("content-length", 0)))
            close = headers.get("connection", "").lower() == "close"
            if method == "POST" and path == "/v1/completions":
                n = int(json.loads(body).get("max_tokens") or tokens)
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
                    b"transfer-encoding: chunked\r\n\r\n"
                )
                for i in range(n):
                    await asyncio.sleep(delay)
                    writer.write(_chunk_event(i, i == n - 1))
                done = b"data: [DONE]\n\n"
                writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(done), done))
            else:
                payload = (
                    json.dumps({"status": "ok"})
                    if path == "/health"
                    else json.dumps(
                        {"object": "list", "data": [{"id": "fake", "object": "model", "max_model_len": 1 << 20}]}
                    )
                )
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                    % (len(payload), payload.encode())
                )
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def asyncio_engine(port: int, tokens: int, delay: float) -> None:
    """The fake engine on plain asyncio (no FastAPI): far less CPU per event, like a GPU engine's
    API server that is not the bottleneck; same routes, same bytes on the wire."""
    server = await asyncio.start_server(
        lambda r, w: _asyncio_engine_connection(r, w, tokens, delay), "127.0.0.1", port, backlog=4096
    )
    async with server:
        await server.serve_forever()


class HTTPEngineBackend:
    """Minimal gateway backend streaming from the fake engine over HTTP (bench only)."""

    name = "bench-http"

    def __init__(self, url: str) -> None:
        from alphamed_serve.backend import ModelInfo

        self.url = url
        self.info = ModelInfo(id="fake", context_length=1 << 20, max_n=1)
        self.client = None

    async def start(self) -> None:
        import httpx

        self.client = httpx.AsyncClient(
            base_url=self.url, timeout=None, limits=httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
        )

    async def stop(self) -> None:
        await self.client.aclose()

    def model_info(self):
        return self.info

    async def health(self):
        from alphamed_serve.backend import Health

        return Health(ok=True)

    def count_tokens(self, request) -> None:
        return None

    def count_text_tokens(self, text) -> None:
        return None

    def stream_batches(self, request):
        from alphamed_serve.collector import DeltaCollector

        return DeltaCollector(self.stream(request)).batches()

    async def generate(self, request):
        raise NotImplementedError("the bench streams only")

    async def stream(self, request):
        from alphamed_serve.backend import StreamDelta

        body = {"prompt": request.prompt or "x", "max_tokens": request.max_tokens, "stream": True}
        async with self.client.stream("POST", "/v1/completions", json=body) as resp:
            async for line in resp.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                choice = json.loads(line[6:])["choices"][0]
                yield StreamDelta(0, choice["text"], finish_reason=choice["finish_reason"])


def gateway_app(engine_url: str, via: str):
    """The gateway fronting the engine with the production ``openai`` upstream backend, or the
    minimal one above (``via="minimal"``)."""
    from alphamed_serve.app import Settings, create_app
    from alphamed_serve.backend import BackendOptions
    from alphamed_serve.backends import create_backend

    if via == "minimal":
        backend = HTTPEngineBackend(engine_url)
    else:
        backend = create_backend("openai", BackendOptions(model="fake", upstream=engine_url))
    return create_app(backend, Settings(max_concurrency=None, max_queue=0))


# ---------------------------------------------------------------- load generator


def _spawn(role: str, port: int, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--role", role, "--port", str(port), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{role} did not start")


def expected_text(tokens: int) -> str:
    """What the fake engine streams for ``tokens`` tokens."""
    return "".join(f" tok{i}" for i in range(tokens))


async def _one_stream(port: int, tokens: int) -> tuple[float, int, bool]:
    """One streamed completion over a raw HTTP/1.1 connection (a lean client, so the load
    generator costs as little CPU as possible).

    Returns:
        (time to the first non-empty text, tokens delivered, whether the streamed text is
        exactly the engine's). Tokens are counted in the text, not as SSE events: a gateway
        that merges several engine deltas into one event delivers the same tokens.
    """
    body = json.dumps({"model": "fake", "prompt": "x", "max_tokens": tokens, "stream": True}).encode()
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(
        b"POST /v1/completions HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
    )
    ttft, pieces = None, []
    try:
        async for line in reader:  # an SSE event is one `data:` line (HTTP chunk framing lines skipped)
            if line.startswith(b"data: {"):
                text = orjson.loads(line[6:])["choices"][0]["text"]
                if text:
                    pieces.append(text)
                    if ttft is None:
                        ttft = time.perf_counter() - start
            elif line.startswith(b"data: [DONE]"):
                break
    finally:
        writer.close()
    text = "".join(pieces)
    return ttft or float("nan"), text.count(" tok"), text == expected_text(tokens)


async def _load(port: int, concurrency: int, tokens: int) -> dict:
    await _one_stream(port, 2)  # warm the route
    start = time.perf_counter()
    results = await asyncio.gather(*[_one_stream(port, tokens) for _ in range(concurrency)])
    elapsed = time.perf_counter() - start
    total = sum(r[1] for r in results)
    complete = sum(r[2] for r in results)
    if complete != concurrency:
        raise RuntimeError(
            f"{concurrency - complete} of {concurrency} streams on port {port} did not "
            "deliver the engine's text exactly"
        )
    return {"tok_s": total / elapsed, "p50_ttft_ms": 1000 * statistics.median(r[0] for r in results), "tokens": total}


def _best(runs: list[dict]) -> dict:
    """The median run by throughput (runs alternate direct/gateway to share the machine's noise)."""
    return sorted(runs, key=lambda r: r["tok_s"])[len(runs) // 2]


def bench_gateway(args) -> list[dict]:
    from alphamed_serve.backends.supervisor import free_port

    eport, gport = free_port(), free_port()
    engine = _spawn(
        "engine", eport, "--tokens", str(args.tokens), "--token-delay", str(args.token_delay), "--engine", args.engine
    )
    gateway = _spawn("gateway", gport, "--engine-url", f"http://127.0.0.1:{eport}", "--via", args.via)
    rows = []
    try:
        for conc in args.streams:
            runs: dict[int, list[dict]] = {eport: [], gport: []}
            for _ in range(args.repeats):
                for port in (eport, gport):
                    runs[port].append(asyncio.run(_load(port, conc, args.tokens)))
            direct, through = _best(runs[eport]), _best(runs[gport])
            rows.append(
                {
                    "streams": conc,
                    "direct": direct,
                    "gateway": through,
                    "ratio": through["tok_s"] / direct["tok_s"],
                    "added_ttft_ms": through["p50_ttft_ms"] - direct["p50_ttft_ms"],
                }
            )
    finally:
        for p in (gateway, engine):
            p.terminate()
            p.wait(10)
    return rows


# ---------------------------------------------------------------- transformers batching


async def _batching(model_dir: str, ks: list[int], max_tokens: int, repeats: int) -> list[dict]:
    from alphamed_serve.backend import BackendOptions, GenerationRequest
    from alphamed_serve.backends import create_backend

    backend = create_backend("transformers", BackendOptions(model=model_dir, max_batch_size=max(ks)))
    await backend.start()

    def req(i: int) -> GenerationRequest:
        return GenerationRequest(
            messages=[{"role": "user", "content": f"Case {i}: fever and cough"}],
            max_tokens=max_tokens,
            temperature=1.0,
            seed=i,
        )

    async def timed(coro_factory) -> tuple[float, int]:
        start = time.perf_counter()
        results = await coro_factory()
        return time.perf_counter() - start, sum(o.completion_tokens for r in results for o in r.outputs)

    rows = []
    try:
        await backend.generate(req(0))  # warm-up
        for k in ks:
            seq, con = [], []
            for _ in range(repeats):  # alternate, so both modes see the same machine noise
                s_, t_ = await timed(lambda k=k: _sequential(backend, [req(i) for i in range(k)]))
                seq.append(t_ / s_)
                s_, t_ = await timed(lambda k=k: asyncio.gather(*[backend.generate(req(i)) for i in range(k)]))
                con.append(t_ / s_)
            seq_tps, con_tps = statistics.median(seq), statistics.median(con)
            rows.append({"k": k, "sequential_tok_s": seq_tps, "concurrent_tok_s": con_tps, "ratio": con_tps / seq_tps})
    finally:
        await backend.stop()
    return rows


async def _sequential(backend, reqs):
    return [await backend.generate(r) for r in reqs]


# ---------------------------------------------------------------- main


def _print_tables(gw: list[dict], tb: list[dict], args) -> None:
    print(
        f"\nGateway overhead (fake engine on {args.engine}: {args.tokens} tokens/stream, "
        f"{args.token_delay * 1000:.0f} ms apart; gateway backend: {args.via})\n"
    )
    print("| streams | direct tok/s | gateway tok/s | ratio | p50 TTFT direct ms | p50 TTFT gateway ms | added ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in gw:
        print(
            f"| {r['streams']} | {r['direct']['tok_s']:.0f} | {r['gateway']['tok_s']:.0f} | {r['ratio']:.3f} | "
            f"{r['direct']['p50_ttft_ms']:.1f} | {r['gateway']['p50_ttft_ms']:.1f} | {r['added_ttft_ms']:.1f} |"
        )
    if not tb:
        return
    print(f"\nTransformers backend, tiny model, {args.max_tokens} tokens/request (tokens/s)\n")
    print("| concurrent requests | one at a time | together | ratio |")
    print("|---:|---:|---:|---:|")
    for r in tb:
        print(f"| {r['k']} | {r['sequential_tok_s']:.0f} | {r['concurrent_tok_s']:.0f} | {r['ratio']:.2f}x |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small settings for a smoke run")
    p.add_argument("--tokens", type=int, default=64, help="tokens per fake-engine stream")
    p.add_argument("--token-delay", type=float, default=0.02, help="seconds between fake-engine tokens")
    p.add_argument("--streams", type=int, nargs="+", default=[1, 256], help="concurrent streams to test")
    p.add_argument("--repeats", type=int, default=3, help="alternating runs per setting (median reported)")
    p.add_argument("--ks", type=int, nargs="+", default=[1, 4, 16], help="concurrent transformers requests")
    p.add_argument("--skip-batching", action="store_true", help="run only the gateway-overhead part")
    p.add_argument("--max-tokens", type=int, default=64, help="tokens per transformers request")
    p.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="torch intra-op threads for the transformers part (1 is steadier on a busy small machine)",
    )
    p.add_argument("--model", default=None, help="model folder (default: build the tiny model)")
    p.add_argument("--json", default=None, help="also write the raw results here")
    p.add_argument(
        "--via",
        choices=["openai", "minimal"],
        default="openai",
        help="gateway backend to the engine: the production `openai` upstream backend, or a "
        "minimal httpx streamer (bench only)",
    )
    p.add_argument(
        "--engine",
        choices=["asyncio", "fastapi"],
        default="asyncio",
        help="fake engine server: plain asyncio (cheap, so the machine's CPU goes to the gateway "
        "under test, as a GPU engine's would) or FastAPI + uvicorn (costs as much CPU per "
        "event as the gateway itself)",
    )
    p.add_argument("--role", choices=["engine", "gateway"], help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--engine-url", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.role == "engine" and args.engine == "asyncio":
        import uvloop

        uvloop.run(asyncio_engine(args.port, args.tokens, args.token_delay))
        return
    if args.role:
        import uvicorn

        app = (
            engine_app(args.tokens, args.token_delay)
            if args.role == "engine"
            else gateway_app(args.engine_url, args.via)
        )
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="error", backlog=4096)
        return
    if args.quick:
        args.tokens, args.streams, args.ks, args.max_tokens, args.repeats = 16, [1, 32], [1, 4], 16, 1
    gw = bench_gateway(args)
    if args.skip_batching:
        _print_tables(gw, [], args)
        return
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if model is None:
            from alphamed.tiny_model import build_tiny_model

            model = str(build_tiny_model(Path(tmp) / "tiny", seed=0))
        tb = asyncio.run(_batching(model, args.ks, args.max_tokens, args.repeats))
    _print_tables(gw, tb, args)
    if args.json:
        Path(args.json).write_text(json.dumps({"gateway": gw, "transformers": tb}, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
