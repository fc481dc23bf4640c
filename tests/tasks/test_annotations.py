from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError, DataError
from emer_bench.tasks.annotations import PathContext, load_documents
from emer_bench.tasks.requests import build_requests
from emer_bench.tasks.loader import load_task_file

TASK = """
task: t
dataset:
{dataset}
media: {{dir: "{{task_dir}}/clips", patterns: ["{{clip_id}}.mp4", "{{clip_id}}.avi"]}}
modalities: [video, subtitle]
prompt: {{template: "Subtitle: {{subtitle}} ({{clip_id}}) {{not a placeholder}}", system: "sys"}}
generation: {{max_new_tokens: 8}}
reference: [openset, valence, explanation]
scorers: [{{name: label_overlap}}]
main_metric: label_overlap.fscore
"""

CSV_FILES = """  files:
    - path: "{data_dir}/labels.csv"
      columns: {openset: openset, valence: v}
    - path: "{task_dir}/desc.jsonl"
      id_column: id
      columns: {explanation: text, subtitle: sub}
"""


def make_task(tmp_path: Path, dataset: str = CSV_FILES):
    (tmp_path / "clips").mkdir(exist_ok=True)
    (tmp_path / "clips" / "b.avi").write_bytes(b"x")
    (tmp_path / "labels.csv").write_text('name,openset,v\na,"[\'happy\', \'Relaxed\']",0.5\nb,,\n')
    (tmp_path / "desc.jsonl").write_text('{"id": "b", "text": "sad face", "sub": "oh no"}\n'
                                          '{"id": "a", "text": "smiles", "sub": "yay"}\n')
    path = tmp_path / "t.yaml"
    path.write_text(TASK.format(dataset=dataset))
    return load_task_file(path)


def test_files_are_joined_in_first_file_order(tmp_path):
    task = make_task(tmp_path)
    docs = load_documents(task, PathContext(data_dir=tmp_path))
    assert [d.clip_id for d in docs] == ["a", "b"]
    assert docs[0].reference.openset == ["happy", "relaxed"] and docs[0].reference.valence == 0.5
    assert docs[1].reference.openset == [] and docs[1].reference.valence is None
    assert docs[0].reference.explanation == "smiles" and docs[1].subtitle == "oh no"
    # first existing pattern wins; a missing clip keeps the first pattern (a per-sample error later)
    assert docs[1].video_path.endswith("b.avi") and docs[0].video_path.endswith("a.mp4")


def test_requests_are_typed_and_prompt_rendered(tmp_path):
    task = make_task(tmp_path)
    reqs = build_requests(task, load_documents(task, PathContext(data_dir=tmp_path)), {"max_new_tokens": 8})
    assert reqs[0].prompt == "Subtitle: yay (a) {not a placeholder}"
    assert reqs[0].modalities == (Modality.VIDEO, Modality.SUBTITLE) and reqs[0].system_prompt == "sys"
    assert reqs[1].index == 1 and reqs[1].gen_kwargs == {"max_new_tokens": 8}


def test_data_dir_needed_is_a_clear_error(tmp_path):
    task = make_task(tmp_path)
    with pytest.raises(ConfigError, match=r"needs --data-dir"):
        load_documents(task, PathContext())


def test_missing_column_names_file_and_column(tmp_path):
    task = make_task(tmp_path, CSV_FILES.replace("valence: v", "valence: val"))
    with pytest.raises(DataError, match=r"labels.csv: no column 'val' for 'valence'"):
        load_documents(task, PathContext(data_dir=tmp_path))


def test_bad_number_names_clip_and_field(tmp_path):
    task = make_task(tmp_path)
    (tmp_path / "labels.csv").write_text("name,openset,v\na,[],high\n")
    with pytest.raises(DataError, match=r"labels.csv: clip 'a': 'valence' is not a number: 'high'"):
        load_documents(task, PathContext(data_dir=tmp_path))


def test_duplicate_ids_are_an_error(tmp_path):
    task = make_task(tmp_path)
    (tmp_path / "labels.csv").write_text("name,openset,v\na,[],1\na,[],1\n")
    with pytest.raises(DataError, match="clip id 'a' appears twice"):
        load_documents(task, PathContext(data_dir=tmp_path))


def test_hugging_face_datasets_source(tmp_path):
    data = tmp_path / "hfdata"
    data.mkdir()
    (data / "test.jsonl").write_text('{"name": "x", "openset": "[\'sad\']", "v": 0.1, "text": "t", "sub": "s"}\n')
    task = make_task(tmp_path, """  hf:
    path: "%s"
    split: test
    columns: {openset: openset, valence: v, explanation: text, subtitle: sub}
""" % data)
    docs = load_documents(task, PathContext())
    assert [d.clip_id for d in docs] == ["x"] and docs[0].reference.openset == ["sad"]


def test_old_documents_module_still_exports_the_split_names():
    from emer_bench.tasks import annotations, documents, requests

    assert documents.load_documents is annotations.load_documents
    assert documents.build_requests is requests.build_requests


def test_short_row_in_a_task_csv_names_file_and_line(tmp_path):
    task = make_task(tmp_path)
    (tmp_path / "labels.csv").write_text("name,openset,v\na,[],1\nb,[]\n")
    with pytest.raises(DataError, match=r"labels.csv:3: 2 fields, the header has 3"):
        load_documents(task, PathContext(data_dir=tmp_path))


def test_empty_id_in_a_jsonl_file_names_file_and_line(tmp_path):
    task = make_task(tmp_path)
    (tmp_path / "desc.jsonl").write_text('{"id": "a", "text": "t", "sub": "s"}\n{"id": "", "text": "t"}\n')
    with pytest.raises(DataError, match=r"desc.jsonl:2: empty clip id in field 'id'"):
        load_documents(task, PathContext(data_dir=tmp_path))


def test_a_task_with_no_clips_is_an_error(tmp_path):
    task = make_task(tmp_path, """  files:
    - path: "{task_dir}/desc.jsonl"
      id_column: id
      columns: {explanation: text, subtitle: sub, openset: o, valence: v}
""")
    (tmp_path / "desc.jsonl").write_text("\n")
    with pytest.raises(DataError, match=r"task 't' .*: the annotations give 0 clips"):
        load_documents(task, PathContext(data_dir=tmp_path))


@pytest.mark.parametrize("clip_id", ["../../etc/passwd", "/etc/passwd", "a/../../outside"])
def test_clip_ids_leaving_the_media_folder_are_refused(tmp_path, clip_id):
    task = make_task(tmp_path)
    (tmp_path / "labels.csv").write_text(f"name,openset,v\na,[],1\n{clip_id},[],1\n")
    with pytest.raises(DataError, match=r"leads outside the media folder"):
        load_documents(task, PathContext(data_dir=tmp_path))
