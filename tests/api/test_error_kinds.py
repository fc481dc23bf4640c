"""The error-kind enum: parsed in one place from the recorded text, old samples files included."""

from __future__ import annotations

import json

import pytest

from emer_bench.api.error_kinds import ErrorKind, SampleError
from emer_bench.api.records import SampleRecord


@pytest.mark.parametrize(("text", "kind"), [
    ("MediaError: /x/a.mp4: file not found", ErrorKind.MEDIA),
    ("HTTP 500: overloaded", ErrorKind.HTTP),
    ("HTTP 401: Incorrect API key provided", ErrorKind.AUTH),
    ("HTTP 403: forbidden", ErrorKind.AUTH),
    ("ConnectionError: http://h/v1: cannot connect (Connection refused)", ErrorKind.CONNECTION),
    ("Timeout: no complete answer within 120s", ErrorKind.TIMEOUT),
    ("EmptyResponse: the server returned no text", ErrorKind.EMPTY_RESPONSE),
    ("ValueError: cannot encode", ErrorKind.OTHER),
    ("no colon at all", ErrorKind.OTHER),
    (None, ErrorKind.EMPTY_ANSWER),
])
def test_parse(text: str | None, kind: ErrorKind) -> None:
    assert SampleError.parse(text).kind is kind


def test_only_connection_tls_auth_and_timeout_stop_a_run() -> None:
    assert {k for k in ErrorKind if k.stops_run} == {ErrorKind.CONNECTION, ErrorKind.TLS, ErrorKind.AUTH,
                                                     ErrorKind.TIMEOUT}


def test_old_samples_lines_without_error_kind_still_read() -> None:
    old = {"task": "t", "clip_id": "c", "index": 0, "prompt": "p", "reference": {}, "response": None,
           "error": "HTTP 503: busy", "latency_s": None, "completed_at": "2025-01-01T00:00:00Z"}
    record = SampleRecord.from_json(old)
    assert record.error_kind == "HTTPError" and record.fingerprint is None and not record.ok
    assert json.loads(json.dumps(record.to_json()))["error_kind"] == "HTTPError"
