"""Task groups: discovery, expansion and the mean the group reports."""

from __future__ import annotations

import pytest

from emer_bench.errors import ConfigError
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.groups import GroupSpec, group_summary, requested_groups

UNIBENCH = ["mer2023", "mer2024", "meld", "iemocap", "mosi", "mosei", "sims", "simsv2", "ovmerdplus"]


def result(metric: str, value: float | None) -> dict:
    return {"metrics": {metric: {"value": value}}, "config": {"main_metric": metric}}


def test_mer_unibench_group_expands_to_its_nine_datasets():
    index = TaskIndex()
    assert "mer-unibench" in index.group_names() and "mer-unibench" not in index.names()
    assert index.expand(["mer-unibench"]) == UNIBENCH
    assert index.expand(["meld", "mer-unibench"])[:2] == ["meld", "mer2023"]  # no task twice
    for name in UNIBENCH:
        index.load(name)  # every member is a valid task


def test_summary_is_the_mean_of_main_metrics_or_null_when_one_is_missing():
    spec = GroupSpec(group="g", tasks=["a", "b"])
    full = {"a": result("x.f", 0.5), "b": result("y.g", 0.25)}
    assert group_summary(spec, full)["value"] == pytest.approx(0.375)
    partial = group_summary(spec, {"a": result("x.f", 0.5), "b": result("y.g", float("nan"))})
    assert partial["value"] is None and partial["missing"] == ["b"]
    assert group_summary(spec, {"a": result("x.f", 0.5)})["missing"] == ["b"]


def test_group_files_are_validated_and_requested_groups_found(tmp_path):
    (tmp_path / "g.yaml").write_text("group: mine\ntasks: [emer-demo]\naggregat: mean\n")
    index = TaskIndex(include_paths=[tmp_path])
    with pytest.raises(ConfigError, match="g.yaml: .*aggregat"):
        index.load_group("mine")
    (tmp_path / "g.yaml").write_text("group: mine\ntasks: [emer-demo]\n")
    assert [g.group for g in requested_groups(TaskIndex(include_paths=[tmp_path]), ["emer-demo", "mine"])] == ["mine"]


def test_a_name_used_by_a_task_and_a_group_is_an_error(tmp_path):
    (tmp_path / "g.yaml").write_text("group: meld\ntasks: [emer-demo]\n")
    with pytest.raises(ConfigError, match="'meld' names both a task"):
        TaskIndex(include_paths=[tmp_path]).names()
