"""The literature's task suite: every built-in task validates and loads its documented files —
the real MERBench / EMER annotations in ../shared, synthetic files in the documented format for
datasets the team has no copy of (MER2024, CMU-MOSEI transcripts, OV-MERD+, MER2025/2026 OV)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emer_bench.api.requests import Modality
from emer_bench.cli.main import main
from emer_bench.tasks.annotations import PathContext, load_documents
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.modalities import with_modalities

TEXT = (Modality.SUBTITLE,)
SUITE = ["emer-v1", "emer-fine", "ovmerd", "ovmerd-labels", "mer2023", "mer2024", "meld", "iemocap", "mosi",
         "mosei", "sims", "simsv2", "ovmerdplus", "mer2023-closed", "mer2024-closed", "meld-closed",
         "iemocap-closed", "mer2025-ov", "mer2026-ov", "mer2023-va", "mosi-va", "mosei-va", "sims-va",
         "simsv2-va", "emer-demo-va"]


def docs(name: str, data_dir: Path, modalities=TEXT):
    return load_documents(with_modalities(TaskIndex().load(name), modalities), PathContext(data_dir))


def test_every_task_of_the_suite_is_listed_and_valid(capsys):
    index = TaskIndex()
    assert set(SUITE) <= set(index.names()) and "mer-unibench" in index.group_names()
    for name in index.names():
        index.load(name)
    assert main(["list", "tasks"]) == 0
    listed = capsys.readouterr().out
    assert "mer2023-va" in listed and "ovmerdplus" in listed and "mer-unibench" in listed


@pytest.mark.parametrize("task, count, first, reference", [
    ("mer2023", 411, "sample_00001998", {"label": "worried"}),
    ("meld", 2610, "test_dia0_utt0", {"label": "surprise"}),
    ("iemocap", 1241, "Ses05F_impro01_F000", {"label": "neutral"}),
    ("mosi", 686, "k5Y_838nuGo_1", {"valence": -1.6}),
    ("sims", 457, "video_0003_0006", {"valence": -1.0}),
    ("simsv2", 1034, "video_0001_0003", {"valence": -1.0}),
    ("mer2023-va", 411, "sample_00001998", {"label": "worried", "valence": 0.0}),
])
def test_merbench_tasks_load_the_real_files_text_only(shared_dir, task, count, first, reference):
    found = docs(task, shared_dir / "data" / "merbench")
    assert len(found) == count and found[0].clip_id == first
    assert found[0].reference.to_dict() == reference
    assert all(d.subtitle is not None and d.video_path is None for d in found)


def test_media_variant_points_at_the_dataset_video_folder(shared_dir):
    found = docs("iemocap", shared_dir / "data" / "merbench", (Modality.VIDEO, Modality.SUBTITLE))
    assert found[0].video_path == str(shared_dir / "data" / "merbench" / "iemocap-process" / "video"
                                      / "Ses05F_impro01_F000.mp4")


def test_emer_tasks_load_the_real_files(emer_data_dir):
    assert len(docs("emer-v1", emer_data_dir)) == 100
    assert len(docs("ovmerd", emer_data_dir, (Modality.VIDEO,))) == 166


def write_npz(path: Path, **corpora: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{k: np.array(v, dtype=object) for k, v in corpora.items()})


def test_synthetic_files_in_each_documented_format(tmp_path):
    write_npz(tmp_path / "mer2024-dataset-process" / "label-6way.npz",
              train_corpus={"x": {"emo": "sad", "val": -10}},
              test1_corpus={"s1": {"emo": "happy", "val": -10}, "s2": {"emo": "worried", "val": -10}})
    (tmp_path / "mer2024-dataset-process" / "transcription_merge.csv").write_text(
        "name,chinese,english\ns1,你好,hi\ns2,再见,bye\n", encoding="utf-8")
    write_npz(tmp_path / "cmumosei-process" / "label.npz",
              test_corpus={"m1": {"emo": 0, "val": np.float32(0.6666667)}, "m2": {"emo": 0, "val": np.float32(0)}})
    (tmp_path / "cmumosei-process" / "transcription-engchi-polish.csv").write_text(
        "name,chinese,english\nm1,,great movie\nm2,,ok\n")
    (tmp_path / "ovmerdplus-process").mkdir()
    (tmp_path / "ovmerdplus-process" / "ovlabel.csv").write_text('name,openset\no1,"[happy, relieved]"\no2,[]\n')
    (tmp_path / "ovmerdplus-process" / "subtitle_eng.csv").write_text("name,sentence\no1,Finally!\no2,Hm.\n")
    (tmp_path / "track2_train_ovmerd.csv").write_text('name,openset\nt1,"[\'worried\', \'nervous\']"\n')
    (tmp_path / "track2_train_human.csv").write_text('name,openset\nt1,"[\'calm\']"\n')
    (tmp_path / "subtitle_chieng.csv").write_text("name,chinese,english\nt1,,Are you sure?\n")

    mer2024 = docs("mer2024", tmp_path)
    assert [(d.clip_id, d.reference.label, d.subtitle) for d in mer2024] == [("s1", "happy", "你好"),
                                                                              ("s2", "worried", "再见")]
    mosei = docs("mosei", tmp_path)
    assert [d.reference.valence for d in mosei] == [pytest.approx(0.6666667), 0.0]
    plus = docs("ovmerdplus", tmp_path)
    assert plus[0].reference.openset == ["happy", "relieved"] and plus[1].reference.openset == []
    assert docs("mer2025-ov", tmp_path)[0].reference.openset == ["worried", "nervous"]
    assert docs("mer2026-ov", tmp_path)[0].subtitle == "Are you sure?"


def test_challenge_tracks_use_their_own_wheel_version():
    index = TaskIndex()
    for name, version in (("mer2025-ov", "mer2025"), ("mer2026-ov", "mer2026")):
        (ew,) = index.load(name).spec.scorers
        assert ew.args["resource_version"] == version


def test_missing_annotation_file_names_the_expected_path(tmp_path):
    from emer_bench.errors import DataError

    with pytest.raises(DataError, match=f"annotation file not found: {tmp_path / 'meld-process' / 'label.npz'}"):
        docs("meld", tmp_path)


def test_every_task_folder_documents_its_data_and_rule():
    index = TaskIndex()
    folders = {index.path(name).parent for name in index.names()}
    for folder in folders:
        readme = folder / "README.md"
        assert readme.is_file(), f"{folder} has no README.md"
        text = readme.read_text(encoding="utf-8")
        tasks_here = [n for n in index.names() if index.path(n).parent == folder]
        assert any(n in text for n in tasks_here), f"{readme} names none of {tasks_here}"
