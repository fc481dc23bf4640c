"""--modalities: parsing, task variants, and the missing-media message."""

from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.tasks.annotations import PathContext, load_documents
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.loader import load_task_file
from emer_bench.tasks.modalities import missing_media, missing_media_note, parse_modalities, with_modalities
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
    assert missing_media(text, docs) == []


def test_subtitle_needs_a_subtitle_column_and_placeholder():
    index = TaskIndex()
    with pytest.raises(ConfigError, match="no 'subtitle' column"):
        with_modalities(index.load("emer-fine"), (S,))


def test_subtitle_without_placeholder_is_refused(tmp_path):
    demo = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo" / "emer_demo.yaml"
    (tmp_path / "t.yaml").write_text(f"include: {demo}\ntask: t\nprompt: {{template: 'How does the person feel?'}}\n")
    with pytest.raises(ConfigError, match=r"no \{subtitle\} placeholder"):
        with_modalities(load_task_file(tmp_path / "t.yaml"), (S,))


def test_missing_media_note_lists_first_names_and_count(tmp_path, caplog):
    demo = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo" / "emer_demo.yaml"
    (tmp_path / "t.yaml").write_text(
        f"include: {demo}\ntask: t\nmedia: {{dir: '{tmp_path / 'none'}'}}\n"
        f"dataset: {{files: [{{path: '{demo.parent / 'annotations.csv'}', columns: {{subtitle: subtitle, label: label}}}}]}}\n"
        "reference: [label]\nscorers: [{name: label_overlap}]\nmain_metric: label_overlap.fscore\n")
    task = with_modalities(load_task_file(tmp_path / "t.yaml"), (A,))  # audio from the (absent) video
    docs = load_documents(task, PathContext())
    note = missing_media_note(task, docs)
    assert note is not None and "10 of 10 clips have no media file" in note
    assert "demo_01.mp4, demo_02.mp4, demo_03.mp4, demo_04.mp4, demo_05.mp4 and 5 more" in note
    assert "--modalities subtitle" in note and note in caplog.text
    assert missing_media_note(TaskIndex().load("emer-demo"), load_documents(TaskIndex().load("emer-demo"),
                                                                           PathContext())) is None
