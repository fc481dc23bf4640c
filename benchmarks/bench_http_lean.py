"""The `openai` adapter's HTTP path: the lean HTTP/1.1 client (model_adapters/openai_http1.py)
against aiohttp and a raw asyncio client, then whole `emer-bench run` processes against the raw
client (the ceiling) and, with --baseline-python, an older checkout, in the same run.

1. Client only (one process, bare asyncio loop, pre-built text bodies, the delay server in a
   child process): CPU per call of `ChatCompletionsClient` through the lean client and through
   aiohttp (the same class with the lean path switched off), and of a raw asyncio-streams client.
2. End to end (each row a fresh process, as in bench_peer.py): throughput as a fraction of the
   raw client's in the same run (best of the repeats), and client CPU per request (marginal: the
   least CPU of the N-request repeats less the least CPU of three 1-request runs, over N - 1;
   emer-bench's includes scoring and files).

    python3 benchmarks/bench_http_lean.py [--baseline-python /venv-of-main-before/bin/python]
        [--requests 640] [--requests-c1 200] [--concurrency 1 16 64] [--repeats 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_peer import ideal_fraction, write_prompts  # noqa: E402
from bench_startup import Run, emer_command, measure, write_text_task  # noqa: E402
from delay_server import DelayServerProcess  # noqa: E402
from machine_info import machine_line  # noqa: E402

from emer_bench.model_adapters.openai_http import ChatCompletionsClient  # noqa: E402
from emer_bench.model_adapters.openai_retry import RetryPolicy  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "http_lean.md"
BODY = json.dumps({"model": "bench", "messages": [{"role": "user", "content": "Subtitle: hello. What does the "
                   "person feel, and why?"}], "max_tokens": 64, "temperature": 0}).encode()
Call = Callable[[], Awaitable[None]]


def adapter_client(lean: bool) -> Callable[[str, int], tuple[Call, Callable[[], Awaitable[None]]]]:
    def make(base_url: str, concurrency: int) -> tuple[Call, Callable[[], Awaitable[None]]]:
        client = ChatCompletionsClient(base_url, "bench", 60, concurrency, RetryPolicy(max_retries=0))
        if not lean:
            client._lean = None  # what a proxy or credentials in the URL select: the aiohttp path

        async def call() -> None:
            result = await client.complete(BODY)
            assert result.error is None, result.error

        return call, client.aclose
    return make


def raw_client(base_url: str, concurrency: int) -> tuple[Call, Callable[[], Awaitable[None]]]:
    """asyncio streams, one pre-built request, Content-Length answers, JSON parsed (raw_chat_client.py's loop)."""
    url = urlsplit(base_url)
    request = (f"POST {url.path}/chat/completions HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json"
               f"\r\nContent-Length: {len(BODY)}\r\n\r\n").encode() + BODY
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def call() -> None:
        reader, writer = idle.pop() if idle else await asyncio.open_connection(url.hostname, url.port)
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        json.loads(await reader.readexactly(length))
        idle.append((reader, writer))

    async def close() -> None:
        for _, writer in idle:
            writer.close()

    return call, close


async def drive(make: Any, base_url: str, concurrency: int, n: int) -> tuple[float, float]:
    call, close = make(base_url, concurrency)
    await asyncio.gather(*(call() for _ in range(concurrency)))  # warm-up: open the connections
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await call()

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one() for _ in range(n)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await close()
    return seconds, cpu


def client_rows(args: argparse.Namespace, server: DelayServerProcess) -> list[str]:
    clients = [("ChatCompletionsClient, lean HTTP/1.1", adapter_client(True)),
               ("ChatCompletionsClient, aiohttp", adapter_client(False)), ("raw asyncio streams", raw_client)]
    rows = []
    for c in args.concurrency:
        n = 40 * c if c > 1 else 200
        for name, make in clients:
            runs = [asyncio.run(drive(make, server.base_url, c, n)) for _ in range(args.repeats)]
            seconds, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            rows.append(f"| {name} | {c} | {n} | {n * args.delay_ms / 1000 / (c * seconds):.3f} | {1000 * cpu / n:.3f} |")
            print(rows[-1], flush=True)
    return rows


def process_rows(args: argparse.Namespace, server: DelayServerProcess, root: Path) -> list[str]:
    (root / "task").mkdir()
    write_text_task(root / "task", max(args.requests, args.requests_c1))
    prompts, _ = write_prompts(root / "task")
    pythons = [("emer-bench (this checkout)", sys.executable)]
    if args.baseline_python:
        pythons.append(("emer-bench (baseline)", args.baseline_python))
    commands: dict[str, Callable[[int, int, str], list[str]]] = {
        "raw asyncio (ceiling)": lambda n, c, tag: [sys.executable, str(ROOT / "benchmarks" / "raw_chat_client.py"),
                                                    server.base_url, str(prompts), "--concurrency", str(c),
                                                    "--limit", str(n)]}
    for name, python in pythons:
        commands[name] = (lambda p: lambda n, c, tag: emer_command(server.base_url, root / "task",
                                                                   root / f"{tag}-{abs(hash(p))}", n, c, p))(python)
    ones = {}
    for name, command in commands.items():
        measure(server, command(1, 1, "warm"), cwd=root)
        ones[name] = min((measure(server, command(1, 1, f"one{i}"), cwd=root) for i in range(3)),
                         key=lambda r: r.cpu_s)
    rows = []
    for c in args.concurrency:
        n = args.requests_c1 if c == 1 else args.requests
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        for i in range(args.repeats):  # interleaved: load changes hit every client alike
            for name, command in commands.items():
                runs[name].append(measure(server, command(n, c, f"c{c}r{i}"), cwd=root))
        best = {name: max(rs, key=lambda r: ideal_fraction(r, n, c, args.delay_ms / 1000) or 0)
                for name, rs in runs.items()}
        ceiling = ideal_fraction(best["raw asyncio (ceiling)"], n, c, args.delay_ms / 1000) or 1.0
        for name, run in best.items():
            fraction = ideal_fraction(run, n, c, args.delay_ms / 1000) or 0.0
            cpu_s = min(r.cpu_s for r in runs[name])  # the least: other jobs on the machine only add
            per_request = 1000 * (cpu_s - ones[name].cpu_s) / (n - 1)
            rows.append(f"| {name} | {c} | {n} | {fraction:.3f} | {fraction / ceiling:.3f} | {cpu_s:.2f} "
                        f"| {ones[name].cpu_s:.2f} | {per_request:.2f} |")
            print(rows[-1], flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline-python", help="an interpreter whose emer_bench is the code before the change")
    parser.add_argument("--requests", type=int, default=640)
    parser.add_argument("--requests-c1", type=int, default=200, help="requests of the C = 1 rows (0.1 s each)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--delay-ms", type=float, default=100.0)
    parser.add_argument("--repeats", type=int, default=2, help="runs per row; the best is reported")
    parser.add_argument("--skip-processes", action="store_true", help="only the client-only table")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    machine = machine_line()
    with DelayServerProcess(args.delay_ms / 1000) as server, tempfile.TemporaryDirectory(prefix="lean-") as tmp:
        clients = client_rows(args, server)
        processes = [] if args.skip_processes else process_rows(args, server, Path(tmp))
    lines = [
        "# The openai adapter's HTTP path: lean HTTP/1.1 client vs aiohttp vs a raw client", "",
        f"- machine: {machine} before the run, {os.getloadavg()[0]:.1f} after (shared with other jobs: compare rows "
        "of one run only); "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- server: benchmarks/delay_server.py in a child process, every answer after {args.delay_ms:.0f} ms; "
        f"{args.repeats} runs per row: the best rate and the least CPU",
        f"- command: `python3 benchmarks/bench_http_lean.py {' '.join(sys.argv[1:])}`", "",
        "## Client only (one process, bare asyncio loop, pre-built bodies, 40 x C calls; 200 at C = 1)", "",
        "| client | C | calls | of ideal rate | CPU ms/call |", "| --- | ---: | ---: | ---: | ---: |", *clients,
    ]
    if processes:
        lines += [
            "", "## End to end (fresh `emer-bench run` processes; text task, label_overlap + rouge_l, 1000 resamples)",
            "", "| client | C | requests | of ideal rate | of the raw client's rate | CPU s | CPU s, 1 request "
            "(least of 3) | client CPU ms/request (marginal) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *processes,
        ]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
