"""tasks/schema.py: what a task YAML may say (validated before anything runs)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from emer_bench.api.requests import Modality
from emer_bench.tasks.schema import ScorerSpec, TaskSpec

BASE = {
    "task": "t",
    "dataset": {"files": [{"path": "a.csv", "columns": {"openset": "openset"}}]},
    "modalities": ["subtitle"],
    "prompt": {"template": "{subtitle}"},
    "reference": ["openset"],
    "scorers": [{"name": "label_overlap"}],
    "main_metric": "label_overlap.fscore",
}


def spec(**changes) -> TaskSpec:
    return TaskSpec.model_validate({**BASE, **changes})


def test_a_minimal_task_gets_its_defaults() -> None:
    task = spec()
    assert task.modalities == [Modality.SUBTITLE]
    assert task.media.patterns[0] == "{clip_id}.mp4" and task.media.audio_pattern is None
    assert task.scorers[0].key == "label_overlap" and not task.scorers[0].optional


def test_reference_fields_are_the_contract_names() -> None:
    with pytest.raises(ValidationError, match="reference.0"):
        spec(reference=["opensett"])


def test_modalities_are_required_and_deduplicated() -> None:
    assert spec(modalities=["video", "subtitle", "video"]).modalities == [Modality.VIDEO, Modality.SUBTITLE]
    with pytest.raises(ValidationError, match="at least one modality"):
        spec(modalities=[])


def test_exactly_one_dataset_source() -> None:
    with pytest.raises(ValidationError, match="exactly one of 'files'"):
        spec(dataset={})
    with pytest.raises(ValidationError, match="exactly one of 'files'"):
        spec(dataset={**BASE["dataset"], "hf": {"path": "x"}})


def test_scorer_aliases_make_keys_unique() -> None:
    with pytest.raises(ValidationError, match="scorer keys must be unique"):
        spec(scorers=[{"name": "label_overlap"}, {"name": "label_overlap"}])
    task = spec(scorers=[{"name": "label_overlap"}, {"name": "label_overlap", "as": "lo2"}], main_metric="lo2.fscore")
    assert [s.key for s in task.scorers] == ["label_overlap", "lo2"]
    assert ScorerSpec(name="ew", alias="ew_v2").key == "ew_v2"


def test_main_metric_names_a_scorer_and_a_metric() -> None:
    with pytest.raises(ValidationError, match="main_metric 'fscore'"):
        spec(main_metric="fscore")


def test_unknown_keys_are_refused_at_every_level() -> None:
    with pytest.raises(ValidationError, match="promt"):
        spec(promt={"template": "x"})
    with pytest.raises(ValidationError, match="patern"):
        spec(media={"patern": "{clip_id}.mp4"})
