"""What kind of failure a sample had: one enum, parsed from the recorded error text in ONE place.

Adapters record a failure as `Generation(error="<Kind>: <message>")` (the samples JSONL keeps
that text, so old files stay readable); everything downstream (counts in results, the summary,
the circuit breaker) works on `SampleError`, never on the text split by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class ErrorKind(str, Enum):
    MEDIA = "MediaError"  # the clip could not be read or decoded
    CONNECTION = "ConnectionError"  # the server could not be reached / dropped the connection
    TIMEOUT = "Timeout"  # no complete answer in time
    TLS = "TLSError"  # the server's certificate does not verify
    AUTH = "AuthError"  # HTTP 401/403: the key was refused
    HTTP = "HTTPError"  # any other non-2xx answer ("HTTP 500: ...")
    API = "APIError"  # an error object in a 200 answer
    BAD_RESPONSE = "BadResponse"  # unreadable answer (bad JSON, no choices)
    EMPTY_RESPONSE = "EmptyResponse"  # the server answered with no text
    EMPTY_ANSWER = "EmptyAnswer"  # the adapter returned neither text nor error
    ADAPTER = "AdapterError"  # the adapter broke its contract (missing answer, crash)
    MISSING_PREDICTION = "MissingPrediction"  # score-text: the predictions file has no row for the clip
    OTHER = "Error"  # any other exception (its type name stays in the message)

    @property
    def stops_run(self) -> bool:
        """Failures that every later request would likely repeat (circuit breaker): no connection,
        a certificate or key refused, or a server that answers nothing in time even after retries
        (raise `timeout`, a transport setting, and re-run: answered samples are reused)."""
        return self in (ErrorKind.CONNECTION, ErrorKind.TLS, ErrorKind.AUTH, ErrorKind.TIMEOUT)


_BY_VALUE = {kind.value: kind for kind in ErrorKind}
_HTTP = re.compile(r"^HTTP (\d{3})\b")


@dataclass(frozen=True)
class SampleError:
    kind: ErrorKind
    text: str  # the full recorded error, e.g. "HTTP 500: overloaded"

    @classmethod
    def parse(cls, text: str | None) -> "SampleError":
        """The kind of a recorded error text ("<Kind>: <message>", "HTTP <status>: ...")."""
        if not text:
            return cls(ErrorKind.EMPTY_ANSWER, "EmptyAnswer: no text and no error")
        http = _HTTP.match(text)
        if http:
            status = int(http.group(1))
            return cls(ErrorKind.AUTH if status in (401, 403) else ErrorKind.HTTP, text)
        head = text.split(":", 1)[0].strip()
        return cls(_BY_VALUE.get(head, ErrorKind.OTHER), text)


def error_kind(text: str | None) -> ErrorKind:
    return SampleError.parse(text).kind
