from __future__ import annotations

import re
from pathlib import Path

import pytest

from emer_bench.cli.main import main
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


def test_invalid_yaml_names_line_and_column_through_the_cli(tmp_path, capsys):
    # The real path: discovery by name, then loading. Today the name was lost ("unknown task").
    write(tmp_path, "t.yaml", BASE.replace("modalities: [subtitle]", "modalities: [subtitle\nprompt: x"))
    code = main(["run", "--model", "lexicon-baseline", "--tasks", "t-base", "--include-path", str(tmp_path),
                 "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "unknown task" not in err
    assert re.search(r"t\.yaml:\d+:\d+: invalid YAML", err), err
    assert len(err.strip().splitlines()) == 1


def test_invalid_yaml_without_a_task_line_is_reported_on_unknown_task(tmp_path):
    write(tmp_path, "broken.yaml", "- [unclosed\n")
    with pytest.raises(UnknownNameError, match=r"could not be read, first: .*broken.yaml:2:1: invalid YAML"):
        TaskIndex(include_paths=[tmp_path]).path("nothing-like-this")


def test_non_utf8_file_in_include_path_is_one_line_and_other_tasks_work(tmp_path, capsys):
    write(tmp_path, "mine.yaml", BASE.replace("t-base", "my-task"))
    (tmp_path / "latin1.yaml").write_bytes("# caf\xe9\nprompt: {template: x}\n".encode("latin-1"))
    (tmp_path / "named.yaml").write_bytes(b"task: bad-bytes\ndescription: caf\xe9\n")
    index = TaskIndex(include_paths=[tmp_path])
    assert index.load("my-task").name == "my-task"
    with pytest.raises(ConfigError, match=r"named.yaml:2: not UTF-8 text"):
        index.load("bad-bytes")
    assert main(["list", "tasks", "--include-path", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "my-task" in captured.out and "emer-demo" in captured.out
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and any("latin1.yaml:1: not UTF-8" in w for w in warnings)


@pytest.mark.parametrize("key, text, placeholder", [
    ("prompt.template", "prompt: {template: 'Say: {subtitel}'}", "subtitel"),
    ("prompt.template_without_subtitle", "prompt: {template: 'x', template_without_subtitle: 'y {clipid}'}",
     "clipid"),
    ("media.patterns.0", "prompt: {template: 'x'}\nmedia: {patterns: ['{clip}.mp4']}", "clip"),
])
def test_unknown_placeholder_is_refused_at_load_time(tmp_path, key, text, placeholder):
    path = write(tmp_path, "t.yaml", BASE.replace("prompt: {template: \"Say: {subtitle}\"}", text))
    with pytest.raises(ConfigError) as err:
        load_task_file(path)
    message = str(err.value)
    assert str(path) in message and f"key '{key}': unknown placeholder '{{{placeholder}}}'" in message
    assert "known: {" in message


def test_literal_braces_and_known_placeholders_are_fine(tmp_path):
    path = write(tmp_path, "t.yaml", BASE.replace("Say: {subtitle}", "Say: {subtitle} {clip_id} {a b} {{x}}"))
    assert load_task_file(path).spec.prompt.template.startswith("Say")


def test_include_may_name_a_builtin_task(tmp_path):
    path = write(tmp_path, "mine.yaml", "include: emer-v1\ntask: my-v1\nmodalities: [subtitle]\n")
    task = load_task_file(path)
    assert task.name == "my-v1" and task.spec.main_metric == "embedding_similarity.similarity"
    with pytest.raises(ConfigError, match=r"'emer-v2' not found: neither a file .* nor a built-in task; did you mean"):
        load_task_file(write(tmp_path, "other.yaml", "include: emer-v2\ntask: x\n"))


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


def test_task_dir_in_an_included_file_is_that_files_folder(tmp_path):
    from emer_bench.tasks.documents import PathContext, load_documents

    path = write(tmp_path, "mine.yaml", "include: emer-demo\ntask: my-demo\n")
    task = load_task_file(path)
    assert load_documents(task, PathContext())  # the demo's own annotations, found from here


def test_task_generation_is_typed_with_a_did_you_mean(tmp_path):
    path = write(tmp_path, "t.yaml", BASE + "generation: {max_tokens: 64, temprature: 0}\n")
    with pytest.raises(ConfigError) as err:
        load_task_file(path)
    assert str(path) in str(err.value) and "key 'generation'" in str(err.value)
    assert "unknown key 'temprature' (did you mean 'temperature'?)" in str(err.value)
    good = load_task_file(write(tmp_path, "g.yaml", BASE + "generation: {max_tokens: 64, temperature: 0}\n"))
    assert good.spec.generation.as_kwargs() == {"max_new_tokens": 64, "temperature": 0.0}
