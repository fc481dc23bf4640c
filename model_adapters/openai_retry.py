"""When to retry an OpenAI-compatible call, and how long to wait before the next attempt.

Exponential backoff with *full jitter* (a uniform draw in [0, base * 2**attempt], capped) spreads
the retries of many concurrent calls that hit the same rate limit at the same moment; a server's
`Retry-After` is a floor under that draw, because retrying earlier only earns another 429.
"""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping

# 408 Request Timeout and 429 Too Many Requests are transient by definition; 5xx are server faults
# that a later attempt may not hit. Every other 4xx is the request's fault and fails the same way again.
_RETRYABLE_4XX = frozenset({408, 429})


def is_retryable_status(status_code: int) -> bool:
    return status_code in _RETRYABLE_4XX or 500 <= status_code <= 599


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds the server asks us to wait, or None when it says nothing usable.

    Reads `retry-after-ms` (sent by OpenAI, more precise) first, then `Retry-After` as
    delta-seconds (fractions accepted, some servers send them) or as an HTTP date.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


@dataclass
class RetryPolicy:
    """How many times to retry and how long to sleep between attempts (seconds)."""

    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # never sleep longer than this, whatever the server says
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, retry_number: int, retry_after: float | None = None) -> float:
        """Sleep before retry `retry_number` (0 for the first retry)."""
        cap = min(self.backoff_max, self.backoff_base * (2.0 ** retry_number))
        wait = self.rng.uniform(0.0, max(0.0, cap))
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.retry_after_max)
