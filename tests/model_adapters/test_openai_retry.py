"""Retry decisions and backoff delays of the OpenAI-compatible adapter."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from emer_bench.model_adapters.openai_retry import RetryPolicy, is_retryable_status, parse_retry_after

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("code, retryable", [(429, True), (408, True), (500, True), (503, True), (599, True),
                                             (400, False), (401, False), (404, False), (422, False)])
def test_retryable_statuses(code: int, retryable: bool) -> None:
    assert is_retryable_status(code) is retryable


@pytest.mark.parametrize("headers, expected", [
    ({"Retry-After": "3"}, 3.0),
    ({"retry-after": "0.25"}, 0.25),
    ({"Retry-After": "Sat, 01 Mar 2025 12:00:07 GMT"}, 7.0),
    ({"Retry-After": "Sat, 01 Mar 2025 11:59:00 GMT"}, 0.0),  # a date in the past: retry now
    ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),  # the precise header wins
    ({"Retry-After": "soon"}, None),
    ({}, None),
])
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


def test_full_jitter_stays_within_the_exponential_cap() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0, rng=random.Random(0))
    for retry_number, cap in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 3.0), (8, 3.0)]:
        delays = [policy.delay(retry_number) for _ in range(200)]
        assert all(0.0 <= d <= cap for d in delays)
        assert max(delays) > 0.8 * cap and min(delays) < 0.2 * cap  # spread over the whole range


def test_retry_after_is_a_floor_capped_by_retry_after_max() -> None:
    policy = RetryPolicy(backoff_base=0.01, backoff_max=0.01, retry_after_max=5.0, rng=random.Random(0))
    assert policy.delay(0, retry_after=2.0) == 2.0
    assert policy.delay(0, retry_after=3600.0) == 5.0
