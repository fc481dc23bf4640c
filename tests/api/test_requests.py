"""api/requests.py: the typed request and reference."""

from __future__ import annotations

import dataclasses

from emer_bench.api.requests import REFERENCE_FIELDS, GenerationRequest, Modality, Reference


def test_reference_field_names_are_the_dataclass_fields() -> None:
    # Tasks (`reference:`) and scorers (`needs`) use these names; they must stay in step.
    assert set(REFERENCE_FIELDS) == {f.name for f in dataclasses.fields(Reference)}


def test_reference_round_trip_drops_missing_fields() -> None:
    ref = Reference(openset=["happy", "relaxed"], valence=-0.25)
    data = ref.to_dict()
    assert data == {"openset": ["happy", "relaxed"], "valence": -0.25}
    assert Reference.from_dict(data) == ref
    assert Reference.from_dict({"label": "sad", "not_a_field": 1}) == Reference(label="sad")


def test_request_key_is_task_and_clip() -> None:
    request = GenerationRequest(task="emer-demo", index=3, clip_id="sample_7", prompt="p",
                                modalities=(Modality.SUBTITLE,))
    assert request.key == "emer-demo/sample_7"
    assert Modality("audio") is Modality.AUDIO
