"""StructuredPrediction: invariants checked at construction, and the samples-file round trip."""

from __future__ import annotations

import json

import pytest

from emer_bench.api.records import Generation, SampleRecord
from emer_bench.api.requests import GenerationRequest, Modality, Reference
from emer_bench.api.structured import StructuredPrediction, StructuredPredictionError


def test_invariants_are_checked():
    with pytest.raises(StructuredPredictionError, match="2 labels but 1 scores"):
        StructuredPrediction(labels=("a", "b"), scores=(1.0,))
    with pytest.raises(StructuredPredictionError, match="sum to 1"):
        StructuredPrediction(labels=("a", "b"), scores=(0.7, 0.7))
    with pytest.raises(StructuredPredictionError, match="valence must be on"):
        StructuredPrediction(valence=1.5, arousal=0.0, va_source="model")
    with pytest.raises(StructuredPredictionError, match="va_source"):
        StructuredPrediction(valence=0.5)
    s = StructuredPrediction(labels=("a", "b", "c"), scores=(0.2, 0.5, 0.3))
    assert s.top_k(2) == ["b", "c"] and s.ranked()[0] == ("b", 0.5) and not s.has_va


def test_a_structure_only_generation_is_an_answer_and_round_trips():
    s = StructuredPrediction(labels=("happy", "sad"), scores=(0.9, 0.1), valence=0.6, arousal=0.2,
                             va_source="category_map", frames=[{"t": 0.0, "face": False, "scores": [0.9, 0.1]}])
    gen = Generation(index=0, structured=s)
    assert gen.ok and gen.text is None
    request = GenerationRequest(task="t", index=0, clip_id="c", prompt="p", modalities=(Modality.VIDEO,))
    record = SampleRecord.from_request(request, Reference(label="happy"), gen, "2026-01-01T00:00:00Z")
    assert record.ok and record.response is None
    back = SampleRecord.from_json(json.loads(json.dumps(record.to_json())))
    assert back.structured == s and back.ok
    text_only = SampleRecord.from_request(request, Reference(), Generation(index=0, text="hi"), "x")
    assert "structured" not in text_only.to_json()  # text records keep their shape
    failed = SampleRecord.from_request(request, Reference(), Generation(index=0, error="E: x", structured=s), "x")
    assert not failed.ok and failed.structured is None
