"""tasks/discovery.py: where task files are found, and what an unknown or doubled name says."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from emer_bench.errors import ConfigError, UnknownNameError
from emer_bench.tasks import discovery
from emer_bench.tasks.discovery import TaskIndex

TASK = """task: {name}
dataset: {{files: [{{path: "{{task_dir}}/a.csv", columns: {{openset: openset}}}}]}}
modalities: [subtitle]
prompt: {{template: "{{subtitle}}"}}
reference: [openset]
scorers: [{{name: label_overlap}}]
main_metric: label_overlap.fscore
"""


def write_task(folder: Path, name: str, file_name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (file_name or f"{name}.yaml")
    path.write_text(TASK.format(name=name))
    return path


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, *values: tuple[str, str]) -> None:
    eps = [SimpleNamespace(name=name, value=value) for name, value in values]
    monkeypatch.setattr(discovery, "entry_points", lambda group: eps if group == "emer_bench.tasks" else [])


def test_builtin_and_include_path_tasks_are_found(tmp_path: Path) -> None:
    write_task(tmp_path / "mine", "my-task")
    (tmp_path / "mine" / "base.yaml").write_text("prompt: {template: x}\n")  # no task: key -> a base file
    index = TaskIndex(include_paths=[tmp_path / "mine"])
    assert {"emer-demo", "my-task"} <= set(index.names())
    assert index.path("my-task") == tmp_path / "mine" / "my-task.yaml"
    assert "base" not in index.names() and index.problems == []
    assert index.load("my-task").name == "my-task"


@pytest.mark.parametrize("declared", ["2025", "[my-task]"])
def test_a_task_key_that_is_not_text_is_a_problem_named_with_its_file(tmp_path: Path, declared: str) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "t.yaml").write_text(TASK.format(name=declared))
    index = TaskIndex(include_paths=[tmp_path / "mine"])
    assert "my-task" not in index.names()
    assert index.problems == [f"{tmp_path / 'mine' / 't.yaml'}: key 'task': a name in quotes expected, "
                              f"got {2025 if declared == '2025' else ['my-task']!r}"]
    with pytest.raises(UnknownNameError, match=r"could not be read, first: .*t\.yaml: key 'task'"):
        index.path("2025")


def test_an_include_path_that_is_not_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--include-path '.*nowhere' is not a directory"):
        TaskIndex(include_paths=[tmp_path / "nowhere"]).names()


def test_a_task_defined_twice_names_both_files(tmp_path: Path) -> None:
    write_task(tmp_path / "a", "twice")
    write_task(tmp_path / "b", "twice")
    with pytest.raises(ConfigError, match=r"task 'twice' is defined twice: .*a/twice.yaml and .*b/twice.yaml"):
        TaskIndex(include_paths=[tmp_path / "a", tmp_path / "b"]).names()


def test_entry_points_name_a_module_or_a_folder_returning_callable(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "site" / "ep_tasks_pkg"
    write_task(package, "ep-module-task")
    (package / "__init__.py").write_text("from pathlib import Path\n"
                                         f"def folder():\n    return Path({str(tmp_path / 'other')!r})\n")
    write_task(tmp_path / "other", "ep-callable-task")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "ep_tasks_pkg", raising=False)
    fake_entry_points(monkeypatch, ("mod", "ep_tasks_pkg"), ("call", "ep_tasks_pkg:folder"))
    assert {"ep-module-task", "ep-callable-task"} <= set(TaskIndex().names())


def test_a_broken_entry_point_is_one_clear_error(monkeypatch) -> None:
    fake_entry_points(monkeypatch, ("broken", "no_such_task_plugin_xyz:TASKS"))
    with pytest.raises(ConfigError, match="task plugin 'broken': cannot import 'no_such_task_plugin_xyz'"):
        TaskIndex().names()


def test_unknown_task_suggests_and_points_at_list() -> None:
    with pytest.raises(UnknownNameError, match=r"unknown task 'emer-dem'; did you mean 'emer-demo'.*emer-bench list tasks"):
        TaskIndex().path("emer-dem")
