"""The lean HTTP/1.1 client behind `ChatCompletionsClient` (model_adapters/openai_http1.py): answer
framings arriving piece by piece, content codings, keep-alive rules, redirects, malformed answers,
TLS, and when aiohttp is used instead. Servers run on 127.0.0.1 and are started by the tests."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from emer_bench.errors import ConfigError
from emer_bench.model_adapters import openai_http
from emer_bench.model_adapters.openai_http import ChatCompletionsClient, ChatResult, _lean_target
from emer_bench.model_adapters.openai_retry import RetryPolicy

sys.path.insert(0, str(Path(__file__).parent))
from openai_test_server import completion_body  # noqa: E402
from raw_http import received_requests  # noqa: E402

BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
PAYLOAD = json.dumps(completion_body("Calm.", "m")).encode()


@dataclass
class Answer:
    raw: bytes
    piece: int = 0  # > 0: sent in pieces of this many bytes, 2 ms apart
    close: bool = False  # close the connection after it


def ok(head: str = "", body: bytes = PAYLOAD, piece: int = 0, close: bool = False) -> Answer:
    raw = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body
    return Answer(raw, piece, close)


def chunked_answer() -> bytes:
    a, b = PAYLOAD[:10], PAYLOAD[10:]
    return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"%x;ext=1\r\n" % len(a) + a + b"\r\n"
            + b"%X\r\n" % len(b) + b + b"\r\n0\r\nX-Trailer: yes\r\n\r\n")


class ScriptedServer:
    """Answers the n-th request with answers[n] (the last one repeats); keeps the raw requests."""

    def __init__(self, *answers: Answer, context: ssl.SSLContext | None = None) -> None:
        owner = self
        self.answers = list(answers)
        self.connections = 0
        self.requests: list[bytes] = []

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner.connections += 1
                sock: socket.socket = self.request
                for request in received_requests(sock):
                    owner.requests.append(request)
                    answer = owner.answers[min(len(owner.requests), len(owner.answers)) - 1]
                    step = answer.piece or len(answer.raw) or 1
                    for start in range(0, len(answer.raw), step):
                        sock.sendall(answer.raw[start:start + step])
                        if answer.piece:
                            time.sleep(0.002)
                    if answer.close:
                        return

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if context is not None:
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def url(self, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def complete(base_url: str, n: int = 1, max_retries: int = 0, timeout_s: float = 5.0) -> list[ChatResult]:
    async def run() -> list[ChatResult]:
        client = ChatCompletionsClient(base_url, "key", timeout_s, 2, RetryPolicy(max_retries=max_retries,
                                                                                       backoff_base=0.001))
        try:
            results = [await client.complete(BODY) for _ in range(n)]
            assert client._session is None  # every call took the lean client, not aiohttp
            return results
        finally:
            await client.aclose()

    return asyncio.run(run())


CALM = [("Calm.", None)]


@pytest.mark.parametrize("answer", [ok(piece=7), Answer(chunked_answer(), piece=5), Answer(chunked_answer())],
                         ids=["content-length", "chunked-in-pieces", "chunked-at-once"])
def test_answers_arriving_in_pieces_are_read_and_the_connection_is_reused(answer: Answer) -> None:
    with ScriptedServer(answer) as server:
        results = complete(server.url(), n=3)
    assert [(r.text, r.error) for r in results] == CALM * 3 and server.connections == 1


def bare_lf(raw: bytes) -> bytes:
    """The same answer as a lenient server writes it: lines end with LF alone (RFC 9112 2.2)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.replace(b"\r\n", b"\n") + b"\n\n" + body


def bare_lf_chunked() -> bytes:
    a, b = PAYLOAD[:10], PAYLOAD[10:]
    return (b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n" + b"%x\n" % len(a) + a + b"\n"
            + b"%x\r\n" % len(b) + b + b"\n0\n\n")


@pytest.mark.parametrize("answer", [Answer(bare_lf(ok().raw)), Answer(bare_lf(ok().raw), piece=3),
                                    Answer(bare_lf_chunked()), Answer(bare_lf_chunked(), piece=4)],
                         ids=["content-length", "content-length-in-pieces", "chunked", "chunked-in-pieces"])
def test_lines_ended_by_a_bare_line_feed_are_read(answer: Answer) -> None:
    with ScriptedServer(answer) as server:
        results = complete(server.url(), n=2)
    assert [(r.text, r.error) for r in results] == CALM * 2 and server.connections == 1


def test_a_bare_line_feed_head_ends_at_its_empty_line_not_at_a_crlf_pair_in_the_body() -> None:
    body = b"{\r\n\r\n" + PAYLOAD[1:]  # JSON allows CR/LF between tokens
    assert json.loads(body) == json.loads(PAYLOAD)
    with ScriptedServer(Answer(bare_lf(ok(body=body).raw))) as server:
        results = complete(server.url(), n=2)
    assert [(r.text, r.error) for r in results] == CALM * 2 and server.connections == 1


def test_the_request_carries_the_headers_of_the_aiohttp_path() -> None:
    with ScriptedServer(ok()) as server:
        complete(server.url())
    [raw] = server.requests
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    assert lines[0] == "POST /v1/chat/completions HTTP/1.1"
    assert headers["host"] == server.url().split("//")[1].removesuffix("/v1")
    assert headers["authorization"] == "Bearer key" and headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body) and json.loads(body) == BODY


@pytest.mark.parametrize("coding, body", [("gzip", gzip.compress(PAYLOAD)), ("deflate", zlib.compress(PAYLOAD)),
                                          ("deflate", zlib.compress(PAYLOAD)[2:-4])], ids=["gzip", "zlib", "raw"])
def test_compressed_answers_are_decoded(coding: str, body: bytes) -> None:
    with ScriptedServer(ok(f"Content-Encoding: {coding}\r\n", body)) as server:
        assert [(r.text, r.error) for r in complete(server.url())] == CALM


@pytest.mark.parametrize("answer", [
    Answer(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + PAYLOAD, close=True),  # no length
    ok("Connection: close\r\n", close=True),
    Answer(ok().raw.replace(b"HTTP/1.1", b"HTTP/1.0"), close=True),  # 1.0 without keep-alive
    Answer(ok().raw + b"stray"),  # bytes after the answer: a confused peer
], ids=["read-to-close", "connection-close", "http-1.0", "stray-bytes"])
def test_a_connection_that_may_not_be_reused_is_not(answer: Answer) -> None:
    with ScriptedServer(answer) as server:
        results = complete(server.url(), n=2)
    assert [(r.text, r.error) for r in results] == CALM * 2
    assert server.connections == 2 and all(r.usage["attempts"] == 1 for r in results)


def test_an_interim_answer_is_skipped() -> None:
    with ScriptedServer(Answer(b"HTTP/1.1 100 Continue\r\n\r\n" + ok().raw)) as server:
        assert [(r.text, r.error) for r in complete(server.url(), n=2)] == CALM * 2


def test_a_redirect_is_recorded_with_its_target_redacted() -> None:
    answer = Answer(b"HTTP/1.1 308 Permanent Redirect\r\nLocation: https://u:secret@api.example/v1/chat/completions"
                    b"?key=abc\r\nContent-Length: 0\r\n\r\n")
    with ScriptedServer(answer) as server:
        [result] = complete(server.url(), max_retries=2)
    assert result.error == ("HTTP 308: Permanent Redirect (redirected to https://api.example/v1/chat/completions; "
                            "use that URL as base_url)") and result.usage["attempts"] == 1


@pytest.mark.parametrize("raw, message", [
    (b"SPDY/3 200 OK\r\n\r\n", "HTTP1Error: not an HTTP/1.x status line"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n{}", "HTTP1Error: bad Content-Length"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP1Error: bad chunk size"),
    (b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}", "unsupported Content-Encoding"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"cho", "the connection closed in the middle of the answer"),
])
def test_a_malformed_answer_is_a_retried_connection_error(raw: bytes, message: str) -> None:
    with ScriptedServer(Answer(raw, close=True)) as server:
        [result] = complete(server.url(), max_retries=1)
    assert result.error is not None and result.error.startswith(f"ConnectionError: {server.url()}/chat/completions: ")
    assert message in result.error and result.usage["attempts"] == 2


def test_a_refused_connection_names_the_cause_and_is_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    [result] = complete(f"http://127.0.0.1:{port}/v1", max_retries=1)
    assert result.error == (f"ConnectionError: http://127.0.0.1:{port}/v1/chat/completions: cannot connect "
                            f"(Connection refused) (gave up after 2 attempts)")


def test_a_slow_answer_times_out_and_the_connection_is_not_reused() -> None:
    # The first answer stops after 30 bytes and never completes; the second comes in two pieces.
    with ScriptedServer(Answer(ok().raw[:30]), Answer(ok().raw, piece=len(ok().raw) // 2 + 1)) as server:
        results = complete(server.url(), n=2, timeout_s=0.3)
    assert results[0].error is not None and results[0].error.startswith("Timeout: no complete answer from")
    assert (results[1].text, results[1].error, server.connections) == ("Calm.", None, 2)


@pytest.fixture
def trusted_https(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ssl.SSLContext]:
    """A server certificate for 127.0.0.1 that the client trusts (SSL_CERT_FILE)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert), "-days", "1"],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    openai_http._shared_ssl_context.cache_clear()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    yield context
    openai_http._shared_ssl_context.cache_clear()


def test_https_answers_over_one_verified_connection(trusted_https: ssl.SSLContext) -> None:
    with ScriptedServer(Answer(chunked_answer()), context=trusted_https) as server:
        results = complete(server.url("https"), n=3)
    assert [(r.text, r.error) for r in results] == CALM * 3 and server.connections == 1


def test_the_lean_client_serves_plain_urls_and_aiohttp_the_rest() -> None:
    headers = {"Content-Type": "application/json"}
    scheme, host, port, target, sent = _lean_target("https://api.example/v1/chat/completions?v=2", headers, None)
    assert (scheme, host, port, target, sent["Host"]) == ("https", "api.example", 443, "/v1/chat/completions?v=2",
                                                          "api.example")
    assert _lean_target("http://[::1]:8000/v1/chat/completions", headers, None)[1:3] == ("::1", 8000)
    assert _lean_target("http://h/my models/v1%2F/chat/completions", headers, None)[2:4] == (
        80, "/my%20models/v1%2F/chat/completions")
    assert _lean_target("http://h:1/v1/chat/completions", headers, "http://proxy:3128") is None
    assert _lean_target("http://user:pw@h:1/v1/chat/completions", headers, None) is None
    assert _lean_target("http://h:1/v1/chat/completions", {"Authorization": "Bearer k\r\nX: y"}, None) is None


def test_aiohttp_is_imported_only_for_the_calls_that_need_it(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = ("import sys; import emer_bench.model_adapters.openai_api; "
             "print('aiohttp' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"  # ~0.1 s of start-up saved
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # as if the api extra were not installed
    with pytest.raises(ConfigError, match=r"need aiohttp: pip install 'emer-bench\[api\]'"):
        ChatCompletionsClient("http://user:pw@h:1/v1", None, 5, 1, RetryPolicy())
