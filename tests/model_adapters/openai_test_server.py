"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks (a stand-in for a
model server, not a mock of the client: the adapter talks to it over TCP like to vLLM).

It records every request it receives, counts calls in flight, and answers from a script of
planned replies (429 with Retry-After, 500, 400 with a JSON error, malformed JSON, empty
content, delays) before falling back to a default reply that echoes the prompt text.

    with OpenAITestServer(default=Reply.ok(delay_s=0.1)) as server:
        server.plan(Reply.error(429, "slow down", headers={"Retry-After": "1"}))
        ... base_url=server.base_url ...
        server.requests[0].body["messages"]
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One planned answer. `text=None` with status 200 echoes the request's last text part."""

    status: int = 200
    text: str | None = None
    raw_body: bytes | None = None  # sent verbatim instead of a JSON body (malformed-JSON tests)
    error_message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    @classmethod
    def ok(cls, text: str | None = None, delay_s: float = 0.0) -> "Reply":
        return cls(text=text, delay_s=delay_s)

    @classmethod
    def error(cls, status: int, message: str, headers: dict[str, str] | None = None,
              delay_s: float = 0.0) -> "Reply":
        return cls(status=status, error_message=message, headers=dict(headers or {}), delay_s=delay_s)

    @classmethod
    def raw(cls, body: bytes, status: int = 200) -> "Reply":
        return cls(status=status, raw_body=body)

    @classmethod
    def empty(cls) -> "Reply":
        return cls(text="")


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when the body was not JSON
    received_at: float  # time.monotonic()


def last_text(body: Any) -> str:
    """The text of the last user message: a string content or its last text part."""
    try:
        content = body["messages"][-1]["content"]
    except (KeyError, IndexError, TypeError):
        return ""
    if isinstance(content, str):
        return content
    texts = [part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"]
    return texts[-1] if texts else ""


def completion_body(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


class OpenAITestServer:
    """`POST /v1/chat/completions` on a free port of 127.0.0.1, scripted replies, request log."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply.ok()
        self.api_key: str | None = None  # when set, a request without `Bearer <api_key>` gets 401
        self.get_requests: list[str] = []  # paths of GET requests (the adapter's /models check)
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._planned: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def plan(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order (then the default)."""
        with self._lock:
            self._planned.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._planned.clear()
            self.max_in_flight = 0

    def start(self) -> "OpenAITestServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="openai-test-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> "OpenAITestServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Called from handler threads.
    def _begin(self, recorded: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self._planned.popleft() if self._planned else self.default

    def _end(self) -> None:
        with self._lock:
            self.in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmarks open 16+ connections at once
    owner: OpenAITestServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers
    # TCP_NODELAY like uvicorn & co: otherwise Nagle + delayed ACK add ~40 ms per response.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _refused(self) -> bool:
        key = self.server.owner.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return False
        self._send(401, json.dumps({"error": {"message": "Incorrect API key provided"}}).encode(), {})
        return True

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.server.owner.get_requests.append(self.path)
        if self._refused():
            return
        if self.path.rstrip("/") != "/v1/models":
            self._send(404, json.dumps({"error": {"message": f"no route {self.path}"}}).encode(), {})
            return
        self._send(200, json.dumps({"object": "list", "data": [{"id": "test-model", "object": "model"}]}).encode(), {})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        owner = self.server.owner
        if self._refused():
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = owner._begin(RecordedRequest(self.path, headers, body, time.monotonic()))
        try:
            time.sleep(reply.delay_s)
        finally:
            owner._end()  # before answering, so a client's next call never overlaps this one's count
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, json.dumps({"error": {"message": f"no route {self.path}"}}).encode(), {})
            return
        self._send(reply.status, self._payload(reply, body), reply.headers)

    @staticmethod
    def _payload(reply: Reply, body: Any) -> bytes:
        if reply.raw_body is not None:
            return reply.raw_body
        if reply.status >= 400:
            error = {"message": reply.error_message or "error", "type": "invalid_request_error", "code": reply.status}
            return json.dumps({"error": error}).encode()
        text = reply.text if reply.text is not None else f"echo: {last_text(body)}"
        model = body.get("model", "test-model") if isinstance(body, dict) else "test-model"
        return json.dumps(completion_body(text, model)).encode()

    def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests); nothing to answer
