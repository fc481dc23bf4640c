"""A lean HTTP/1.1 keep-alive client for the `openai` adapter's common case: POST to a plain
http:// or https:// URL with no proxy.

Why not aiohttp for this: on the 2-core benchmark machine aiohttp spends ~0.16-0.18 ms of CPU on
the event loop per call (request object, tracing signals, cookie jar, multidicts, timers, a
response object with its own stream), where one asyncio.Protocol that writes prebuilt bytes and
slices the answer out of its buffer spends ~0.05 ms (benchmarks/results/http_lean.md). Answers of
a fixed-latency server arrive in waves handled one call at a time, so that CPU is also queueing
delay before a wave's next requests go out. aiohttp stays the path for proxies and URLs with
credentials (ChatCompletionsClient chooses).

What it speaks: one request at a time per connection (no pipelining), answers framed by
Content-Length, chunked transfer coding or the connection's end, gzip/deflate content coding,
interim 1xx answers skipped. A connection is reused only when the answer said it may be and
ended exactly at its last byte; anything unexpected closes it.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import zlib
from typing import Any, Awaitable, Callable, TypeVar

T = TypeVar("T")

_MAX_HEAD_BYTES = 1 << 16  # a status line and headers larger than this are not an API answer
_SMALL_BODY = 1 << 16  # below this, head and body go out as one write (one send syscall)


class HTTP1Error(Exception):
    """The answer could not be read (the caller records it as a retryable connection error)."""


class ServerDisconnectedError(HTTP1Error):
    """The connection ended before any byte of the answer: typically a keep-alive connection the
    server had closed as idle while it was being reused, so one immediate retry is worth it."""


class ConnectError(HTTP1Error):
    """Connecting failed (DNS, refused, unreachable); `os_error` holds the cause."""

    def __init__(self, os_error: OSError) -> None:
        super().__init__(str(os_error))
        self.os_error = os_error


class TLSError(HTTP1Error):
    """The TLS handshake failed (e.g. a certificate that does not verify): not retryable."""


class Response:
    __slots__ = ("status", "reason", "headers", "body")

    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes) -> None:
        self.status, self.reason, self.headers, self.body = status, reason, headers, body


class _Connection(asyncio.Protocol):
    """One keep-alive connection; reads the answer to the request last written on it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._buffer = bytearray()
        self._waiter: asyncio.Future[Response] | None = None
        self._head: tuple[int, str, dict[str, str], bool] | None = None  # status, reason, headers, keep-alive
        self._framing: str | int = ""  # body length, "chunked" or "close"
        self._position = 0  # where parsing resumes (chunked bodies arrive piece by piece)
        self._chunks: list[bytes] = []
        self.reusable = False

    # --- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():  # nothing asked: the connection is not in a known state
            self.close()
            return
        self._buffer += data
        try:
            response = self._parse()
        except HTTP1Error as exc:
            self._fail(exc)
            return
        if response is not None:
            self._waiter.set_result(response)

    def eof_received(self) -> bool:
        self._connection_ended()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._connection_ended()

    # --- request / answer ------------------------------------------------------------------

    def request(self, head: bytes, body: bytes) -> asyncio.Future[Response]:
        assert self.transport is not None
        self._buffer.clear()
        self._head, self._framing, self._position, self._chunks = None, "", 0, []
        self.reusable = False
        self._waiter = waiter = asyncio.get_running_loop().create_future()
        if len(body) < _SMALL_BODY:
            self.transport.write(head + body)
        else:  # no copy of a large body (video frames)
            self.transport.write(head)
            self.transport.write(body)
        return waiter

    def close(self, abort: bool = False) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort() if abort else self.transport.close()

    def _fail(self, exc: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc)
        self.close(abort=True)

    def _connection_ended(self) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._head is not None and self._framing == "close":  # the end of the connection ends the body
            status, reason, headers, _ = self._head
            body = bytes(self._buffer[self._position:])
            try:
                waiter.set_result(Response(status, reason, headers, _decoded(body, headers)))
            except HTTP1Error as exc:
                waiter.set_exception(exc)
        elif self._head is None and not self._buffer:
            waiter.set_exception(ServerDisconnectedError("the server closed the connection without answering"))
        else:
            waiter.set_exception(HTTP1Error(f"the connection closed in the middle of the answer "
                                            f"({len(self._buffer)} bytes received)"))

    # --- parsing ---------------------------------------------------------------------------

    def _parse(self) -> Response | None:
        buffer = self._buffer
        while self._head is None:
            end, after = _empty_line(buffer, 0)
            if end < 0:
                if len(buffer) > _MAX_HEAD_BYTES:
                    raise HTTP1Error(f"no end of the response head within {_MAX_HEAD_BYTES} bytes")
                return None
            head = _parse_head(bytes(buffer[:end]))
            del buffer[:after]
            if 100 <= head[0] < 200:  # interim answer (100 Continue, 103 Early Hints): the real one follows
                continue
            self._head, self._framing = head, _framing(head[0], head[2])
        status, reason, headers, keep_alive = self._head
        framing = self._framing
        if framing == "close":
            return None  # complete when the connection ends
        if framing == "chunked":
            body = self._parse_chunked()
            if body is None:
                return None
        else:
            assert isinstance(framing, int)
            if len(buffer) < framing:
                return None
            body = bytes(buffer[:framing])
            del buffer[:framing]
        # Reuse only a connection whose answer ended exactly here: stray bytes mean a confused peer.
        self.reusable = keep_alive and not buffer
        return Response(status, reason, headers, _decoded(body, headers))

    def _parse_chunked(self) -> bytes | None:
        buffer = self._buffer
        while True:
            position = self._position  # the start of the first chunk not yet taken
            line_end = buffer.find(b"\n", position)  # CRLF, or a bare LF (RFC 9112 2.2)
            if line_end < 0:
                return None
            size_text = bytes(buffer[position:line_end]).split(b";", 1)[0].strip()
            line_end += 1  # the first byte after the size line
            try:
                size = int(size_text, 16)
            except ValueError:
                raise HTTP1Error(f"bad chunk size {size_text[:40]!r}") from None
            if size == 0:  # the last chunk, then optional trailer fields and an empty line
                _, end = _empty_line(buffer, line_end, at_line_start=True)
                if end < 0:
                    return None
                del buffer[:end]
                return b"".join(self._chunks)
            data_end = line_end + size
            if len(buffer) < data_end + 2:
                return None
            if buffer[data_end:data_end + 2] == b"\r\n":
                after = data_end + 2
            elif buffer[data_end:data_end + 1] == b"\n":
                after = data_end + 1
            else:
                raise HTTP1Error("a chunk does not end where its size says")
            self._chunks.append(bytes(buffer[line_end:data_end]))
            self._position = after


def _empty_line(buffer: bytearray, start: int, at_line_start: bool = False) -> tuple[int, int]:
    """The first empty line at or after `start`: (where the text before it ends, where what
    follows it starts), or (-1, -1). Lines end with CRLF or, from lenient servers, a bare LF
    (RFC 9112 2.2 lets a recipient accept one). `at_line_start`: `start` begins a line, so an
    empty line may begin right there (the trailer section after a last chunk)."""
    if at_line_start:
        for ending in (b"\r\n", b"\n"):
            if buffer.startswith(ending, start):
                return start, start + len(ending)
    crlf = buffer.find(b"\r\n\r\n", start)
    if crlf >= 0 and buffer.count(b"\n", start, crlf) == buffer.count(b"\r\n", start, crlf):
        return crlf, crlf + 4  # every line before it ends with CRLF: the usual case, in C
    position = start
    while True:
        newline = buffer.find(b"\n", position)
        if newline < 0:
            return -1, -1
        for ending in (b"\r\n", b"\n"):
            if buffer.startswith(ending, newline + 1):
                text_end = newline - 1 if newline > start and buffer[newline - 1] == 0x0D else newline
                return text_end, newline + 1 + len(ending)
        position = newline + 1


def _parse_head(raw: bytes) -> tuple[int, str, dict[str, str], bool]:
    lines = [line.removesuffix("\r") for line in raw.decode("latin-1").split("\n")]
    version, _, rest = lines[0].partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise HTTP1Error(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise HTTP1Error(f"malformed header line {line[:80]!r}")
        key, value = name.lower(), value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value  # repeated fields join (RFC 9110 5.3)
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    return int(code), reason, headers, keep_alive


def _framing(status: int, headers: dict[str, str]) -> str | int:
    """How the body ends (RFC 9112 6.3): its length, "chunked", or "close" (the connection's end)."""
    if status in (204, 304):
        return 0
    coding = headers.get("transfer-encoding")
    if coding is not None:
        return "chunked" if coding.lower().rsplit(",", 1)[-1].strip() == "chunked" else "close"
    length = headers.get("content-length")
    if length is None:
        return "close"
    values = {value.strip() for value in length.split(",")}
    if len(values) != 1 or not next(iter(values)).isdigit():
        raise HTTP1Error(f"bad Content-Length {length[:40]!r}")
    return int(values.pop())


def _decoded(body: bytes, headers: dict[str, str]) -> bytes:
    coding = headers.get("content-encoding", "identity").lower().strip()
    if coding in ("identity", ""):
        return body
    if coding in ("gzip", "x-gzip", "deflate"):
        try:  # wbits 47: a gzip or zlib header, detected; some servers send raw deflate instead
            return zlib.decompress(body, 47)
        except zlib.error:
            if coding != "deflate":
                raise HTTP1Error("the gzip body does not decompress") from None
        try:
            return zlib.decompress(body, -15)
        except zlib.error:
            raise HTTP1Error("the deflate body does not decompress") from None
    raise HTTP1Error(f"unsupported Content-Encoding {coding!r}")


async def _within(seconds: float, make: Callable[[], Awaitable[T]]) -> T:
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await make()
    return await asyncio.wait_for(make(), seconds)  # pragma: no cover - Python 3.10


class HTTP1Pool:
    """POSTs to one URL over up to `max_connections` keep-alive connections (most recently used
    first). Create and use it on one event loop; `timeout_s` bounds a whole call (waiting for a
    connection, connecting, sending, reading the answer)."""

    def __init__(self, scheme: str, host: str, port: int, target: str, headers: dict[str, str],
                 max_connections: int, timeout_s: float, ssl_context: ssl.SSLContext | None) -> None:
        self._host, self._port, self._timeout_s = host, port, timeout_s
        self._ssl = ssl_context if scheme == "https" else None
        lines = [f"POST {target} HTTP/1.1"] + [f"{name}: {value}" for name, value in headers.items()]
        self._head_prefix = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max(1, max_connections))

    async def post(self, body: bytes) -> Response:
        """The answer; raises TimeoutError, HTTP1Error (and subclasses) or asyncio.CancelledError."""
        return await _within(self._timeout_s, lambda: self._post(body))

    async def _post(self, body: bytes) -> Response:
        async with self._slots:
            connection = self._take_idle() or await self._connect()
            try:
                response = await connection.request(self._head_prefix + b"%d\r\n\r\n" % len(body), body)
            except BaseException:  # error, timeout, cancellation: never reuse a half-read connection
                connection.close(abort=True)
                raise
            if connection.reusable and not connection.closed:
                self._idle.append(connection)
            else:
                connection.close()
            return response

    def _take_idle(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and connection.transport is not None and not connection.transport.is_closing():
                return connection
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        extra: dict[str, Any] = {"ssl": self._ssl, "server_hostname": self._host} if self._ssl else {}
        try:
            _, connection = await loop.create_connection(_Connection, self._host, self._port,
                                                         happy_eyeballs_delay=0.25, **extra)
        except ssl.SSLError as exc:  # before OSError: SSLError is one
            raise TLSError(str(exc)) from None
        except OSError as exc:
            raise ConnectError(exc) from None
        return connection

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
