from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.errors import ConfigError, UnknownNameError
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.loader import load_task_file

BASE = """
task: t-base
dataset:
  files:
    - path: "{task_dir}/ann.csv"
      columns: {subtitle: subtitle, openset: openset}
modalities: [subtitle]
prompt: {template: "Say: {subtitle}"}
reference: [openset]
scorers: [{name: label_overlap}]
main_metric: label_overlap.fscore
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_valid_task_loads(tmp_path):
    task = load_task_file(write(tmp_path, "t.yaml", BASE))
    assert task.name == "t-base"
    assert task.spec.scorers[0].key == "label_overlap"
    assert len(task.content_sha256) == 64


def test_unknown_key_names_file_and_key(tmp_path):
    path = write(tmp_path, "t.yaml", BASE + "promt_typo: 1\n")
    with pytest.raises(ConfigError) as err:
        load_task_file(path)
    assert str(path) in str(err.value) and "unknown key 'promt_typo'" in str(err.value)


def test_ill_typed_key_says_what_was_expected(tmp_path):
    path = write(tmp_path, "t.yaml", BASE.replace("modalities: [subtitle]", "modalities: [smell]"))
    with pytest.raises(ConfigError, match=r"key 'modalities.0'.*'video', 'audio' or 'subtitle'.*smell"):
        load_task_file(path)


def test_main_metric_must_name_a_scorer(tmp_path):
    path = write(tmp_path, "t.yaml", BASE.replace("main_metric: label_overlap.fscore", "main_metric: ew.f"))
    with pytest.raises(ConfigError, match="main_metric 'ew.f'"):
        load_task_file(path)


def test_include_derives_a_variant(tmp_path):
    write(tmp_path, "base.yaml", BASE)
    variant = write(tmp_path, "v.yaml", "include: base.yaml\ntask: t-variant\nprompt: {template: 'Other {subtitle}'}\n")
    task = load_task_file(variant)
    assert task.name == "t-variant"
    assert task.spec.prompt.template == "Other {subtitle}"
    assert task.spec.reference == ["openset"]  # inherited


def test_missing_include_is_named(tmp_path):
    path = write(tmp_path, "v.yaml", "include: nowhere.yaml\ntask: x\n")
    with pytest.raises(ConfigError, match="key 'include': 'nowhere.yaml' not found"):
        load_task_file(path)


def test_invalid_yaml_names_line(tmp_path):
    path = write(tmp_path, "t.yaml", "task: [unclosed\n")
    with pytest.raises(ConfigError, match=r"t.yaml: line \d+ invalid YAML"):
        load_task_file(path)


def test_include_path_discovery_and_unknown_task(tmp_path):
    write(tmp_path, "mine.yaml", BASE.replace("t-base", "my-task"))
    write(tmp_path, "base_only.yaml", "prompt: {template: x}\n")  # no task: a base, not listed
    index = TaskIndex(include_paths=[tmp_path])
    assert "my-task" in index.names() and "emer-demo" in index.names()
    with pytest.raises(UnknownNameError, match="did you mean 'my-task'"):
        index.path("my-tsk")


def test_duplicate_task_names_are_an_error(tmp_path):
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "b.yaml", BASE)
    with pytest.raises(ConfigError, match="task 't-base' is defined twice"):
        TaskIndex(include_paths=[tmp_path]).names()
