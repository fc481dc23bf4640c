"""One Chat Completions call with retries, against any OpenAI-compatible server.

Why httpx rather than the `openai` SDK: the adapter owns the retry policy (full jitter,
Retry-After as a floor) and must record the server's own status and message verbatim; the SDK
would add a second, hidden retry layer, and its typed response models are stricter or looser
than the many "compatible" servers (vLLM, Ollama, SGLang, LM Studio, Gemini) in version-dependent
ways. A plain POST with explicit JSON handling keeps every failure visible and attributable.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from emer_bench.model_adapters.openai_retry import RetryPolicy, is_retryable_status, parse_retry_after

logger = logging.getLogger(__name__)

_MAX_MESSAGE_CHARS = 500  # keeps a server's HTML error page from flooding the samples file
_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


def redact_url(url: str) -> str:
    """The URL without user:password@ and query string (where keys hide) for logs and results."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


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
    retry_after: float | None = None


def server_message(response: httpx.Response) -> str:
    """The error text in a failed response: OpenAI, vLLM and FastAPI shapes, else the raw body."""
    text = response.text
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
        message = text.strip() or response.reason_phrase
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
            message = error.get("message") if isinstance(error, dict) else error
            return ChatResult(error=f"APIError: {str(message)[:_MAX_MESSAGE_CHARS]}")
        return ChatResult(error=f"BadResponse: no choices in the response: {body[:200]!r}")
    choice = choices[0]
    message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
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
    # Loading the CA bundle costs 0.1-0.6 s; one verified context serves every client in the process.
    return httpx.create_ssl_context()


class ChatCompletionsClient:
    """POSTs bodies to `<base_url>/chat/completions`; one instance per event loop.

    Holds one single-connection httpx client per call in flight rather than one client with a
    pool of `max_connections`: httpcore's pool walks (and polls) every connection on each
    request, so its CPU per request grows with the pool size (encode/httpcore#1035), which
    at 16 connections cost more than a third of the client's time in our benchmark.
    """

    def __init__(self, base_url: str, api_key: str | None, timeout_s: float, max_connections: int,
                 policy: RetryPolicy) -> None:
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._base_url = base_url
        self._headers = headers
        self._timeout_s = timeout_s
        self._policy = policy
        self._display_url = redact_url(base_url.rstrip("/") + "/chat/completions")
        self._max_slots = max(1, max_connections)
        self._slots: list[httpx.AsyncClient] = []  # every client created, for aclose()
        self._free: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()  # clients with no call in progress
        self._closing: set[asyncio.Task[None]] = set()  # discarded clients being closed

    def _new_slot(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._base_url, headers=self._headers, timeout=httpx.Timeout(self._timeout_s),
            follow_redirects=True, verify=_shared_ssl_context(),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    async def _acquire(self) -> httpx.AsyncClient:
        # No await between the check and the append: atomic on the loop's single thread.
        if self._free.empty() and len(self._slots) < self._max_slots:
            self._slots.append(self._new_slot())
            return self._slots[-1]
        return await self._free.get()

    async def complete(self, body: dict[str, Any]) -> ChatResult:
        """Answer one request, retrying transient failures; never raises for server behaviour."""
        content = json.dumps(body).encode("utf-8")
        retry_number = 0
        while True:
            attempt = await self._attempt(content)
            result = attempt.result
            result.usage["attempts"] = retry_number + 1
            if not attempt.retryable:
                return result
            if retry_number >= self._policy.max_retries:
                if retry_number > 0:
                    result.error = f"{result.error} (gave up after {retry_number + 1} attempts)"
                return result
            delay = self._policy.delay(retry_number, attempt.retry_after)
            logger.warning("openai: %s from %s; retry %d/%d in %.2fs", result.error, self._display_url,
                           retry_number + 1, self._policy.max_retries, delay)
            await asyncio.sleep(delay)
            retry_number += 1

    async def _attempt(self, content: bytes) -> _Attempt:
        http = await self._acquire()
        started = time.perf_counter()
        try:
            response = await http.post("chat/completions", content=content)
        except httpx.TimeoutException as exc:
            self._discard(http)
            error = f"Timeout: no complete answer from {self._display_url} within {self._timeout_s:g}s " \
                    f"({type(exc).__name__})"
            return _Attempt(ChatResult(error=error), retryable=True)
        except httpx.TransportError as exc:
            self._discard(http)
            error = f"ConnectionError: {self._display_url}: {type(exc).__name__}: {exc}"
            return _Attempt(ChatResult(error=error), retryable=True)
        except BaseException:  # cancelled mid-call (stream closed early): never reuse that connection
            self._discard(http)
            raise
        self._free.put_nowait(http)
        latency_s = time.perf_counter() - started
        if not response.is_success:
            code = response.status_code
            result = ChatResult(error=f"HTTP {code}: {server_message(response)}", latency_s=latency_s)
            if is_retryable_status(code):
                return _Attempt(result, retryable=True, retry_after=parse_retry_after(response.headers))
            return _Attempt(result)
        result = parse_completion(response.text)
        result.latency_s = latency_s
        return _Attempt(result)

    def _discard(self, http: httpx.AsyncClient) -> None:
        # A call that failed or was cancelled midway can leave httpcore's single-connection pool
        # believing the connection is still busy (the next call then waits for the pool timeout);
        # a fresh client costs about a millisecond.
        self._slots.remove(http)
        closing = asyncio.get_running_loop().create_task(http.aclose())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    async def wait_discarded(self) -> None:
        """Wait until every connection discarded so far is closed."""
        await asyncio.gather(*self._closing, return_exceptions=True)

    async def aclose(self) -> None:
        await asyncio.gather(*self._closing, return_exceptions=True)
        for http in self._slots:
            await http.aclose()
