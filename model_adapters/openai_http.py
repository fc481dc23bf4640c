"""One Chat Completions call with retries, against any OpenAI-compatible server.

Why a plain POST rather than the `openai` SDK: the adapter owns the retry policy (full jitter,
Retry-After as a floor) and must record the server's own status and message verbatim; the SDK
would add a second, hidden retry layer, and its typed response models are stricter or looser
than the many "compatible" servers (vLLM, Ollama, SGLang, LM Studio, Gemini) in version-dependent
ways. A plain POST with explicit JSON handling keeps every failure visible and attributable.

Why a lean HTTP/1.1 client of our own (openai_http1.py) for plain http(s) URLs without a proxy,
and aiohttp for the rest (proxies, user:password@ in the URL): answers of a fixed-latency server
arrive in waves and the event loop handles a wave one call at a time, so the client's CPU per
call becomes queueing delay before the wave's next requests go out. On the 2-core benchmark
machine a call costs ~2.1-2.3 ms of CPU through httpx, ~0.16-0.18 ms through aiohttp (C parser,
O(1) pool) and ~0.09 ms through the lean client, whose remainder is mostly the send syscall
(benchmarks/results/http_clients.md, http_lean.md). The lean client follows no redirects (a 3xx
is recorded with its target); aiohttp's would turn a POST into a GET on 301/302 anyway.
Proxies come from HTTP(S)_PROXY / NO_PROXY, looked up once per client.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import logging
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from emer_bench.errors import ConfigError, ServiceError
from emer_bench.redact import redact_url

from . import openai_http1 as http1
from .openai_retry import RetryPolicy, is_retryable_status, parse_retry_after

if TYPE_CHECKING:
    import aiohttp

logger = logging.getLogger(__name__)

_MAX_MESSAGE_CHARS = 500  # keeps a server's HTML error page from flooding the samples file
_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")
_USER_AGENT = f"emer-bench Python/{sys.version_info.major}.{sys.version_info.minor}"


@dataclass
class ChatResult:
    """The outcome of a call: text, or an error string `"<kind>: <message>"`."""

    text: str | None = None
    error: str | None = None
    latency_s: float | None = None  # wall time of the attempt that produced this result
    usage: dict[str, Any] = field(default_factory=dict)
    served_model: str | None = None  # the `model` field of the response (may differ from the request)


@dataclass
class _Attempt:
    result: ChatResult
    retryable: bool = False
    # The connection died before any answer (the server had closed an idle keep-alive connection
    # as we reused it): worth one immediate retry on a fresh connection, outside the backoff policy.
    stale_connection: bool = False
    retry_after: float | None = None


def server_message(body: bytes, reason: str | None = None) -> str:
    """The error text in a failed response: OpenAI, vLLM and FastAPI shapes, else the raw body."""
    text = body.decode("utf-8", errors="replace")
    try:
        data: Any = json.loads(text)
    except ValueError:
        data = None
    message: Any = None
    if isinstance(data, dict):
        error = data.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        message = message or data.get("message") or data.get("detail")
    if not message:
        message = text.strip() or reason or ""
    if not isinstance(message, str):  # FastAPI validation details are lists
        message = json.dumps(message)
    return message[:_MAX_MESSAGE_CHARS]


def _usage(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    return {key: data[key] for key in _USAGE_KEYS if isinstance(data.get(key), int)}


def parse_completion(body: str) -> ChatResult:
    """Text of the first choice; anything else (bad JSON, no choices, empty text) is an error."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return ChatResult(error=f"BadResponse: the server returned invalid JSON: {body[:200]!r}")
    if not isinstance(data, dict):
        return ChatResult(error=f"BadResponse: expected a JSON object, got {body[:200]!r}")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        if data.get("error"):  # some proxies answer 200 with an error object
            error = data["error"]
            error_message = error.get("message") if isinstance(error, dict) else error
            return ChatResult(error=f"APIError: {str(error_message)[:_MAX_MESSAGE_CHARS]}")
        return ChatResult(error=f"BadResponse: no choices in the response: {body[:200]!r}")
    choice = choices[0]
    message: dict[str, Any] = choice["message"] if isinstance(choice.get("message"), dict) else {}
    content = message.get("content")
    if isinstance(content, list):  # a few servers answer with content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    usage = _usage(data.get("usage"))
    served_model = data.get("model") if isinstance(data.get("model"), str) else None
    if not isinstance(content, str) or not content.strip():
        detail = f"finish_reason={choice.get('finish_reason')}"
        if message.get("refusal"):
            detail += f", refusal={str(message['refusal'])[:200]!r}"
        return ChatResult(error=f"EmptyResponse: the server returned no text ({detail})", usage=usage,
                          served_model=served_model)
    return ChatResult(text=content, usage=usage, served_model=served_model)


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    # Loading the CA store costs 0.1-0.6 s; one verified context serves every client in the
    # process. The system store (SSL_CERT_FILE / SSL_CERT_DIR honoured), else certifi's bundle.
    context = ssl.create_default_context()
    if not context.cert_store_stats().get("x509_ca") and not context.get_ca_certs():
        try:
            import certifi
        except ImportError:
            return context
        context.load_verify_locations(cafile=certifi.where())
    return context


class ChatCompletionsClient:
    """POSTs bodies to `<base_url>/chat/completions` over one keep-alive connection pool.

    Create, use and close it on one event loop (aiohttp binds its session to the running loop).
    """

    def __init__(self, base_url: str, api_key: str | None, timeout_s: float, max_connections: int,
                 policy: RetryPolicy) -> None:
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._headers = headers
        self._timeout_s = timeout_s
        self._policy = policy
        self._display_url = redact_url(self._url)
        self._max_connections = max(1, max_connections)
        self._session: aiohttp.ClientSession | None = None
        self._proxy = proxy_for(self._url)
        self._pool: http1.HTTP1Pool | None = None
        self._lean = _lean_target(self._url, headers, self._proxy)
        if self._lean is None:
            _import_aiohttp()  # fail here, once, not at every call

    def _http1(self) -> http1.HTTP1Pool | None:
        """The lean client, for plain http(s) without a proxy or credentials in the URL; else None."""
        if self._pool is None and self._lean is not None:
            scheme, host, port, target, headers = self._lean
            tls = _shared_ssl_context() if scheme == "https" else None
            self._pool = http1.HTTP1Pool(scheme, host, port, target, headers, self._max_connections,
                                         self._timeout_s, tls)
        return self._pool

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            aiohttp = _import_aiohttp()
            # Plain-http servers (local vLLM, Ollama) skip loading the CA store (~40 ms) before the first call.
            tls = _shared_ssl_context() if self._url.startswith("https://") else True
            connector = aiohttp.TCPConnector(limit=self._max_connections, ssl=tls)
            # The proxy is looked up once, not per call: aiohttp's trust_env re-reads the
            # environment and ~/.netrc on every request (~1.2 ms of CPU each here).
            self._session = aiohttp.ClientSession(
                connector=connector, headers=self._headers, proxy=self._proxy,
                timeout=aiohttp.ClientTimeout(total=self._timeout_s),
            )
        return self._session

    async def complete(self, body: dict[str, Any] | bytes) -> ChatResult:
        """Answer one request (a body, or its JSON bytes), retrying transient failures; never
        raises for server behaviour."""
        content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        retry_number = 0
        attempts = 0
        fresh_retry_used = False
        while True:
            attempt = await self._attempt(content)
            attempts += 1
            result = attempt.result
            result.usage["attempts"] = attempts
            if attempt.stale_connection and not fresh_retry_used:
                fresh_retry_used = True  # at most once per call: a server that always drops us is an error
                logger.info("openai: %s; retrying at once on a new connection", result.error)
                continue
            if not attempt.retryable:
                return result
            if retry_number >= self._policy.max_retries:
                if retry_number > 0:
                    result.error = f"{result.error} (gave up after {attempts} attempts)"
                return result
            delay = self._policy.delay(retry_number, attempt.retry_after)
            # The URL once: connection errors already name it, HTTP errors do not.
            where = "" if self._display_url in (result.error or "") else f" from {self._display_url}"
            logger.warning("openai: %s%s; retry %d/%d in %.2fs", result.error, where,
                           retry_number + 1, self._policy.max_retries, delay)
            await asyncio.sleep(delay)
            retry_number += 1

    async def _attempt(self, content: bytes) -> _Attempt:
        started = time.perf_counter()
        try:
            pool = self._http1()
            status: int
            reason: str | None
            headers: Mapping[str, str]
            if pool is not None:
                response = await pool.post(content)
                status, reason, headers, raw = response.status, response.reason, response.headers, response.body
            else:
                status, reason, headers, raw = await self._post_aiohttp(content)
        except (TimeoutError, asyncio.TimeoutError, http1.HTTP1Error) as exc:
            return self._failure(exc)
        except Exception as exc:
            aiohttp = sys.modules.get("aiohttp")  # imported by the aiohttp path only
            if aiohttp is None or not isinstance(exc, aiohttp.ClientError):
                raise
            return self._failure(exc)
        latency_s = time.perf_counter() - started
        if not 200 <= status < 300:
            message = server_message(raw, reason)
            if 300 <= status < 400 and headers.get("location"):  # the lean client follows no redirects
                message += f" (redirected to {redact_url(headers['location'])}; use that URL as base_url)"
            result = ChatResult(error=f"HTTP {status}: {message}", latency_s=latency_s)
            if is_retryable_status(status):
                return _Attempt(result, retryable=True, retry_after=parse_retry_after(_as_dict(headers)))
            return _Attempt(result)
        result = parse_completion(raw.decode("utf-8", errors="replace"))
        result.latency_s = latency_s
        return _Attempt(result)

    async def _post_aiohttp(self, content: bytes) -> tuple[int, str | None, Mapping[str, str], bytes]:
        # Leaving the block early (error, cancellation) closes the connection instead of
        # returning it to the pool, so no later call inherits a half-read answer.
        async with self._http().post(self._url, data=content) as response:
            return response.status, response.reason, response.headers, await response.read()

    def _failure(self, exc: Exception) -> _Attempt:
        """What a failed attempt records, and whether (and how) to retry it."""
        url = self._display_url
        if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # aiohttp's timeouts subclass them
            return _Attempt(ChatResult(error=f"Timeout: no complete answer from {url} within "
                                             f"{self._timeout_s:g}s ({type(exc).__name__})"), retryable=True)
        if isinstance(exc, http1.HTTP1Error):
            tls, payload = isinstance(exc, http1.TLSError), True
            connect_failed = isinstance(exc, http1.ConnectError)
            dropped = connect_failed or isinstance(exc, http1.ServerDisconnectedError)
        else:  # only the aiohttp path raises anything else, so aiohttp is imported
            import aiohttp

            tls = isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError))
            dropped = isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError))
            connect_failed = isinstance(exc, aiohttp.ClientConnectorError)
            payload = isinstance(exc, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError))
        if tls:  # a certificate that does not verify will not verify on the next attempt either
            return _Attempt(ChatResult(error=f"TLSError: {url}: {exc}"))
        if dropped:  # connecting itself failed (refused, DNS): not a stale keep-alive connection
            return _Attempt(ChatResult(error=f"ConnectionError: {url}: {_connection_reason(exc)}"), retryable=True,
                            stale_connection=not connect_failed)
        if payload:
            return _Attempt(ChatResult(error=f"ConnectionError: {url}: {type(exc).__name__}: {exc}"), retryable=True)
        # Too many redirects, an invalid URL or header: retrying cannot help.
        return _Attempt(ChatResult(error=f"HTTPError: {url}: {type(exc).__name__}: {exc}"))

    async def aclose(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._session is not None:
            await self._session.close()
            self._session = None


def _connection_reason(exc: Exception) -> str:
    """Why a connection failed, without repeating the host (the message names the URL once):
    aiohttp's own text ("Cannot connect to host h:p ssl:default [Connect call failed ('h', p)]")
    names it twice more."""
    os_error = getattr(exc, "os_error", None)
    if isinstance(os_error, socket.gaierror):
        return f"cannot resolve the host ({os_error.strerror})"
    if os_error is not None and isinstance(getattr(os_error, "errno", None), int) and os_error.errno > 0:
        return f"cannot connect ({os.strerror(os_error.errno)})"
    return f"{type(exc).__name__}: {exc}"


def proxy_for(url: str) -> str | None:
    """The proxy that HTTP_PROXY / HTTPS_PROXY / NO_PROXY (any case) name for this URL, if any."""
    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme) or None


def _import_aiohttp() -> Any:
    # Imported only where needed (~0.1 s at start-up otherwise): proxies, user:password@ URLs.
    try:
        import aiohttp
    except ImportError:
        raise ConfigError("openai adapter: calls through a proxy or with user:password@ in base_url need "
                          "aiohttp: pip install 'emer-bench[api]'") from None
    return aiohttp


def _lean_target(url: str, headers: dict[str, str],
                 proxy: str | None) -> tuple[str, str, int, str, dict[str, str]] | None:
    """(scheme, host, port, request target, headers) for the lean client, or None when the call
    needs aiohttp: a proxy, user:password@ in the URL, or anything that is not plain ASCII."""
    parts = urlsplit(url)
    if proxy or parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    values = [url, *headers.values()]
    if not all(value.isascii() and value.isprintable() for value in values):
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    # Percent-encoded like aiohttp's (yarl) request target: existing %XX escapes kept.
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), safe="/:@!$&'()*+,;=?%~")
    # aiohttp's default headers, less the cookie jar's: servers see the same request.
    lean_headers = {"Host": parts.netloc, "Accept": "*/*", "Accept-Encoding": "gzip, deflate",
                    "User-Agent": _USER_AGENT, **headers}
    return parts.scheme, parts.hostname, port, target, lean_headers


def _as_dict(headers: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in headers.items()}


def check_server(base_url: str, api_key: str | None, timeout_s: float) -> None:
    """Raise ServiceError unless `GET {base_url}/models` reaches the server and the key is not
    refused; any other answer (404 from a server without the route) means it is there."""
    parts = urlsplit(base_url.rstrip("/") + "/models")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    if parts.username is not None:  # user:password@ in base_url: urllib wants it as a header
        basic = base64.b64encode(f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()).decode()
        headers.setdefault("Authorization", f"Basic {basic}")
        parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
    url = urlunsplit(parts)
    shown = redact_url(base_url)
    request = urllib.request.Request(url, headers=headers)
    context = _shared_ssl_context() if url.startswith("https://") else None
    try:
        with urllib.request.urlopen(request, timeout=timeout_s, context=context) as response:  # noqa: S310 - http(s) only
            response.read(1 << 16)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            message = server_message(exc.read(1 << 16), exc.reason)
            raise ServiceError(f"{shown}: the server refused the API key (HTTP {exc.code}: {message}); "
                               f"set OPENAI_API_KEY or --model-args api_key=...") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ServiceError(f"cannot reach the model server at {shown} ({reason}); is it running, and is "
                           f"base_url right?") from None
