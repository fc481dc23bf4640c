"""api/records.py: what came back for one clip, and its JSON line."""

from __future__ import annotations

import json

from emer_bench.api.records import Generation, SampleRecord
from emer_bench.api.requests import GenerationRequest, Modality, Reference

REQUEST = GenerationRequest(task="t", index=0, clip_id="c0", prompt="p", modalities=(Modality.SUBTITLE,),
                            subtitle="hi")


def test_an_error_is_never_ok_and_keeps_no_answer() -> None:
    failed = Generation(index=0, text="partial", error="MediaError: c0: no audio track")
    assert not failed.ok
    record = SampleRecord.from_request(REQUEST, Reference(label="sad"), failed, "2026-01-01T00:00:00Z")
    assert not record.ok and record.response is None and record.error.startswith("MediaError")


def test_an_empty_generation_is_not_ok() -> None:
    assert not Generation(index=0).ok
    assert Generation(index=0, text="").ok  # an empty string is an answer; the runner judges it


def test_json_round_trip() -> None:
    generation = Generation(index=0, text="[happy]", latency_s=0.5, usage={"tokens": 3}, inputs={"n": 1})
    record = SampleRecord.from_request(REQUEST, Reference(openset=["happy"]), generation, "2026-01-01T00:00:00Z",
                                       media={"frames": 8}, rank=1)
    line = json.loads(json.dumps(record.to_json()))
    assert "structured" not in line  # text-only records keep their shape
    back = SampleRecord.from_json(line)
    assert back == record and back.ok and back.reference.openset == ["happy"]
