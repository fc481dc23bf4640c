"""Why the `openai` adapter does not speak HTTP through httpx: the adapter's HTTP layer (aiohttp
when this was written, the lean HTTP/1.1 client since: bench_http_lean.py) against a pooled
httpx.AsyncClient (the previous choice), both driven by the same bare asyncio loop with
the same pre-built text bodies, against the fixed-delay server in a child process.

Answers of a fixed-latency server arrive in waves and the event loop handles a wave one call at
a time, so a client's CPU per call turns into queueing delay at high concurrency.

    python3 benchmarks/bench_http_clients.py [--delay 0.1] [--out benchmarks/results/http_clients.md]

httpx is optional: without it only the adapter's client is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

from machine_info import cpu_model  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from delay_server import DelayServerProcess  # noqa: E402

from emer_bench.model_adapters.openai_http import ChatCompletionsClient  # noqa: E402
from emer_bench.model_adapters.openai_retry import RetryPolicy  # noqa: E402

CONCURRENCY_LEVELS = (4, 8, 16)
REQUESTS_PER_SLOT = 30
BODY = {"model": "bench", "messages": [{"role": "user", "content": "Subtitle: hello. Why?"}], "max_tokens": 32}

Call = Callable[[], Awaitable[bool]]


async def adapter_client(base_url: str, concurrency: int) -> tuple[Call, Callable[[], Awaitable[None]]]:
    client = ChatCompletionsClient(base_url, "bench", 60, concurrency, RetryPolicy(max_retries=0))

    async def call() -> bool:
        return (await client.complete(BODY)).error is None

    return call, client.aclose


async def httpx_client(base_url: str, concurrency: int) -> tuple[Call, Callable[[], Awaitable[None]]]:
    import httpx

    client = httpx.AsyncClient(base_url=base_url + "/", headers={"Authorization": "Bearer bench"}, timeout=60,
                               limits=httpx.Limits(max_connections=concurrency))

    async def call() -> bool:
        response = await client.post("chat/completions", content=json.dumps(BODY).encode())
        json.loads(response.content)
        return response.status_code == 200

    return call, client.aclose


async def drive(make: Any, server: DelayServerProcess, concurrency: int) -> tuple[float, float, int]:
    call, close = await make(server.base_url, concurrency)
    await asyncio.gather(*(call() for _ in range(concurrency)))  # warm-up: open the connections
    gate = asyncio.Semaphore(concurrency)

    async def one() -> bool:
        async with gate:
            return await call()

    n = REQUESTS_PER_SLOT * concurrency
    started, cpu = time.perf_counter(), time.process_time()
    oks = await asyncio.gather(*(one() for _ in range(n)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await close()
    return seconds, cpu, sum(not ok for ok in oks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=2, help="runs per row; the fastest is reported")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "http_clients.md")
    args = parser.parse_args()
    clients: list[tuple[str, Any]] = [("emer-bench ChatCompletionsClient", adapter_client)]
    try:
        import httpx  # noqa: F401
        clients.append((f"httpx.AsyncClient {httpx.__version__}, one pooled client", httpx_client))
    except ImportError:
        pass
    load_before = os.getloadavg()[0]
    rows = []
    with DelayServerProcess(args.delay) as server:
        for name, make in clients:
            for c in CONCURRENCY_LEVELS:
                runs = [asyncio.run(drive(make, server, c)) for _ in range(args.repeats)]
                seconds, cpu, failures = min(runs)
                n = REQUESTS_PER_SLOT * c
                rows.append(f"| {name} | {c} | {n} | {seconds:.2f} | {n / seconds:.1f} | "
                            f"{100 * n * args.delay / (c * seconds):.0f}% | {1000 * cpu / n:.2f} | {failures} |")
    lines = [
        "# HTTP clients for the openai adapter", "",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
        f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- server: `benchmarks/delay_server.py` in a child process, every answer after {args.delay * 1000:.0f} ms; "
        f"{REQUESTS_PER_SLOT}xC text requests per row, bare asyncio loop, fastest of {args.repeats} runs",
        "- command: `python3 benchmarks/bench_http_clients.py`", "",
        "| client | C | requests | seconds | req/s | % of C/delay | client CPU ms/req | failures |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *rows, "",
    ]
    text = "\n".join(lines)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
