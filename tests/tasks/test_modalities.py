"""--modalities: parsing, task variants, and the missing-media message."""

from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError, DataError
from emer_bench.tasks.annotations import PathContext, load_documents
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.loader import load_task_file
from emer_bench.tasks.modalities import parse_modalities, with_modalities
from emer_bench.tasks.requests import build_requests

V, A, S = Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE


@pytest.mark.parametrize("text, expected", [("subtitle", (S,)), ("subtitle, video", (V, S)),
                                            ("AUDIO,video,audio", (V, A)), ("video,audio,subtitle", (V, A, S))])
def test_any_subset_in_canonical_order(text, expected):
    assert parse_modalities(text) == expected


@pytest.mark.parametrize("text", ["", " , ", "video,text", "faces"])
def test_bad_sets_name_the_flag_and_the_choices(text):
    with pytest.raises(ConfigError, match="--modalities: .* subset of video, audio, subtitle"):
        parse_modalities(text)


def test_text_only_variant_has_its_own_hash_and_no_media(tmp_path):
    task = TaskIndex().load("emer-demo")
    text = with_modalities(task, (S,))
    assert text.name == "emer-demo" and text.spec.modalities == [S]
    assert text.content_sha256 != task.content_sha256
    assert with_modalities(task, (V, A, S)) is task  # the task's own set: the same run
    docs = load_documents(text, PathContext())
    requests = build_requests(text, docs, {})
    assert all(r.video_path is None and r.audio_path is None and r.modalities == (S,) for r in requests)
    assert requests[0].subtitle and requests[0].subtitle in requests[0].prompt


def test_subtitle_needs_a_subtitle_column_and_placeholder():
    index = TaskIndex()
    with pytest.raises(ConfigError, match="no 'subtitle' column"):
        with_modalities(index.load("emer-fine"), (S,))


def test_subtitle_without_placeholder_is_refused(tmp_path):
    demo = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo" / "emer_demo.yaml"
    (tmp_path / "t.yaml").write_text(f"include: {demo}\ntask: t\nprompt: {{template: 'How does the person feel?'}}\n")
    with pytest.raises(ConfigError, match=r"no \{subtitle\} placeholder"):
        with_modalities(load_task_file(tmp_path / "t.yaml"), (S,))


def test_media_variant_without_media_fails_before_the_model_loads(tmp_path, shared_dir, wheel_dir):
    from emer_bench.runner.evaluate import RunConfig, run_evaluation

    config = RunConfig(model="openai", model_args={"base_url": "http://127.0.0.1:9/v1", "model": "M"},
                       tasks=["meld"], data_dir=shared_dir / "data" / "merbench", modalities=(V, S),
                       output_dir=tmp_path, limit=3, resources_dir=wheel_dir)
    with pytest.raises(DataError, match=r"meld.*(does not exist|none of the 3 clips).*--modalities subtitle"):
        run_evaluation(config)
