"""`ChatCompletionsClient` at the HTTP level: proxies, chunked and truncated answers, reuse of
connections, certificates. Servers run on 127.0.0.1 and are started by the tests."""

from __future__ import annotations

import asyncio
import json
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from emer_bench.model_adapters.openai_http import ChatCompletionsClient, ChatResult
from emer_bench.model_adapters.openai_retry import RetryPolicy

sys.path.insert(0, str(Path(__file__).parent))
from openai_test_server import OpenAITestServer, completion_body  # noqa: E402
from raw_http import received_requests  # noqa: E402

BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def complete(base_url: str, n: int = 1, max_retries: int = 0) -> list[ChatResult]:
    async def run() -> list[ChatResult]:
        client = ChatCompletionsClient(base_url, "key", 5.0, 2, RetryPolicy(max_retries=max_retries,
                                                                                  backoff_base=0.001))
        try:
            return [await client.complete(BODY) for _ in range(n)]
        finally:
            await client.aclose()

    return asyncio.run(run())


class RawServer:
    """Answers every request on a connection with the same raw bytes; counts connections."""

    def __init__(self, answer: bytes, close_after: bool = False) -> None:
        owner = self
        self.connections = 0
        self.requests = 0

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner.connections += 1
                sock: socket.socket = self.request
                for _ in received_requests(sock):
                    owner.requests += 1
                    sock.sendall(answer)
                    if close_after:
                        return

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def wrap(self, context: ssl.SSLContext) -> None:
        """Serve TLS: the handshake runs when a connection is accepted (a failed one drops it)."""
        listening = self._server.socket
        self._server.socket = context.wrap_socket(listening, server_side=True, do_handshake_on_connect=True)

    def __enter__(self) -> "RawServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def chunked(payload: bytes) -> bytes:
    half = len(payload) // 2
    parts = [payload[:half], payload[half:]]
    body = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts) + b"0\r\n\r\n"
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body


def test_chunked_answers_are_read_and_the_connection_is_reused() -> None:
    payload = json.dumps(completion_body("Calm.", "m")).encode()
    with RawServer(chunked(payload)) as server:
        results = complete(server.base_url, n=3)
    assert [(r.text, r.error) for r in results] == [("Calm.", None)] * 3
    assert (server.requests, server.connections) == (3, 1)  # keep-alive: one connection for all calls


def test_a_truncated_answer_is_a_retried_connection_error() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"choices\": "
    with RawServer(answer, close_after=True) as server:
        [result] = complete(server.base_url, max_retries=1)
    assert server.requests == 2
    assert result.error is not None and result.error.startswith("ConnectionError: http://127.0.0.1:")
    assert result.error.endswith("(gave up after 2 attempts)")


def test_a_keep_alive_connection_closed_by_the_server_is_replaced_at_once() -> None:
    # The server closes every connection after its answer without saying so (an idle keep-alive
    # timeout racing the next call): each call still succeeds, with no retry budget and no backoff.
    payload = json.dumps(completion_body("Calm.", "m")).encode()
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload
    with RawServer(answer, close_after=True) as server:
        results = complete(server.base_url, n=6, max_retries=0)
    assert [(r.text, r.error) for r in results] == [("Calm.", None)] * 6
    assert all(r.usage["attempts"] in (1, 2) for r in results)


def test_a_server_that_always_hangs_up_is_recorded_after_the_retries() -> None:
    with RawServer(b"", close_after=True) as server:  # reads the request, closes without an answer
        [result] = complete(server.base_url, max_retries=1)
    # One immediate retry on a new connection, then the backoff policy's one retry.
    assert server.requests == 3 and result.usage["attempts"] == 3
    assert result.error is not None and "ServerDisconnectedError" in result.error
    assert result.error.endswith("(gave up after 3 attempts)")


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAITestServer]:
    with OpenAITestServer() as proxy:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url.removesuffix("/v1"))
        yield proxy


def test_http_proxy_from_the_environment_is_used(proxy_env: OpenAITestServer) -> None:
    # The host does not exist: only a proxy can take the call. A proxy receives the absolute URI.
    [result] = complete("http://model-host.invalid:8000/v1")
    [request] = proxy_env.requests
    assert request.path == "http://model-host.invalid:8000/v1/chat/completions"
    assert result.error == "HTTP 404: no route http://model-host.invalid:8000/v1/chat/completions"


@pytest.fixture
def self_signed_https_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate no CA vouches for."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert), "-days", "1"], check=True, capture_output=True)
    payload = json.dumps(completion_body("Calm.", "m")).encode()
    with RawServer(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload) as server:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.wrap(context)
        yield server.base_url.replace("http://", "https://")


def test_an_unverifiable_certificate_is_a_tls_error_not_retried(self_signed_https_server: str) -> None:
    [result] = complete(self_signed_https_server, max_retries=3)
    assert result.error is not None and result.error.startswith("TLSError: https://127.0.0.1:")
    assert "certificate verify failed" in result.error and result.usage["attempts"] == 1
