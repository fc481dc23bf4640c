"""A lean OpenAI-compatible Chat Completions server for benchmarks: every answer after a fixed,
real delay (asyncio timer), so a benchmark measures the harness rather than the stand-in.

Why not `tests/model_adapters/openai_test_server.py`: that one is a ThreadingHTTPServer (one
thread and a blocking sleep per connection, request log, scripted replies) and, on 2 cores
shared with the client, its own per-request cost and thread wake-ups were part of the figures.
This one is a single asyncio.Protocol: HTTP/1.1 keep-alive, only the request line, headers
and Content-Length are parsed, the JSON body is parsed (to answer with the requested model and
echo the prompt, like a real server would read it), and the reply is a complete
`chat.completion` object.

    python3 benchmarks/delay_server.py --delay 0.1 --port 0   # prints the base URL on stdout

Control endpoints (same port): `GET /stats` -> {"requests", "max_in_flight", "cpu_s", "mean_gap_ms"
(mean time from an answer to the next request on the same connection), "mean_held_ms"
(request read -> answer written), "first_request_at", "max_in_flight_at", "last_answer_at" (wall clock, time.time())},
`POST /reset` zeroes the counters.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import urllib.request

# The chat-message reading is the test server's (stdlib only), not a second copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "model_adapters"))
from openai_test_server import last_text  # noqa: E402

_HEADER_END = b"\r\n\r\n"


class Counters:
    def __init__(self) -> None:
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        # Time from writing an answer to having the next request on that connection: how long a
        # client slot sat without a call in flight (the harness's share of each cycle).
        self.gap_s = 0.0
        self.gaps = 0
        # Wall-clock (time.time) marks, comparable with the client's on this machine: when the
        # first request came, when the in-flight count last rose to its maximum (every slot busy),
        # and when the last answer went out. They split a run into ramp-up, steady state, wind-down.
        self.held_s = 0.0  # sum of (answer written - request read): the stand-in model's real latency,
        self.held = 0  # the nominal delay plus the timer's lateness
        self.first_request_at: float | None = None
        self.max_in_flight_at: float | None = None
        self.last_answer_at: float | None = None

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


def _response(status: int, payload: bytes) -> bytes:
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "Error")
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n").encode("ascii") + payload


def _completion(body: Any) -> bytes:
    model = body.get("model", "delay-server") if isinstance(body, dict) else "delay-server"
    text = f"echo: {last_text(body)[-200:]}" or "echo"
    return json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }).encode()


class DelayProtocol(asyncio.Protocol):
    """One connection; requests on it are answered in order (HTTP/1.1 without pipelining)."""

    def __init__(self, delay_s: float, counters: Counters) -> None:
        self._delay_s = delay_s
        self._counters = counters
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._busy = False  # a request is waiting for its delay; parse the next one after it
        self._answered_at: float | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:  # answer segments go out at once (no Nagle + delayed-ACK stalls)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._busy:
            self._next_request()

    def _next_request(self) -> None:
        end = self._buffer.find(_HEADER_END)
        if end < 0:
            return
        head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        method, path = head[0].split(" ")[:2]
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        start = end + len(_HEADER_END)
        if len(self._buffer) < start + length:
            return  # wait for the rest of the body
        raw = bytes(self._buffer[start:start + length])
        del self._buffer[:start + length]
        self._handle(method, path, raw)

    def _handle(self, method: str, path: str, raw: bytes) -> None:
        arrived = time.perf_counter()  # the whole request is here; parsing it is the server's time
        counters = self._counters
        if path == "/stats":
            payload = json.dumps({"requests": counters.requests, "max_in_flight": counters.max_in_flight,
                                  "cpu_s": time.process_time(),
                                  "mean_gap_ms": 1000 * counters.gap_s / max(counters.gaps, 1),
                                  "mean_held_ms": 1000 * counters.held_s / max(counters.held, 1),
                                  "first_request_at": counters.first_request_at,
                                  "max_in_flight_at": counters.max_in_flight_at,
                                  "last_answer_at": counters.last_answer_at}).encode()
            self._reply(_response(200, payload))
            return
        if path == "/reset":
            counters.reset()
            self._reply(_response(200, b"{}"))
            return
        if method != "POST" or path.rstrip("/") != "/v1/chat/completions":
            self._reply(_response(404, json.dumps({"error": {"message": f"no route {method} {path}"}}).encode()))
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._reply(_response(400, b'{"error": {"message": "invalid JSON body"}}'))
            return
        counters.requests += 1
        if counters.first_request_at is None:
            counters.first_request_at = time.time()
        if self._answered_at is not None:
            counters.gap_s += arrived - self._answered_at
            counters.gaps += 1
        counters.in_flight += 1
        if counters.in_flight > counters.max_in_flight:
            counters.max_in_flight, counters.max_in_flight_at = counters.in_flight, time.time()
        self._busy = True
        asyncio.get_running_loop().call_later(self._delay_s, self._answer, body, arrived)

    def _answer(self, body: Any, received_at: float) -> None:
        self._counters.in_flight -= 1
        self._busy = False
        self._reply(_response(200, _completion(body)))
        self._answered_at = time.perf_counter()
        self._counters.held_s += self._answered_at - received_at
        self._counters.held += 1
        self._counters.last_answer_at = time.time()

    def _reply(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)
        if self._buffer and not self._busy:
            self._next_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


async def serve(delay_s: float, port: int) -> None:
    counters = Counters()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: DelayProtocol(delay_s, counters), "127.0.0.1", port, backlog=512)
    host, bound_port = server.sockets[0].getsockname()[:2]
    print(f"http://{host}:{bound_port}/v1", flush=True)
    async with server:
        await server.serve_forever()


class DelayServerProcess:
    """This server in a child process (its own core and GIL), stopped by `stop()`."""

    def __init__(self, delay_s: float) -> None:
        self._process = subprocess.Popen([sys.executable, __file__, "--delay", str(delay_s)],
                                         stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        self.base_url = self._process.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            self.stop()
            raise RuntimeError(f"delay server did not start (printed {self.base_url!r})")
        self._control_url = self.base_url.removesuffix("/v1")

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(self._control_url + "/stats", timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        request = urllib.request.Request(self._control_url + "/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(10)

    def __enter__(self) -> "DelayServerProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds before every answer")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.delay, args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
