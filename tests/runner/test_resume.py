"""What a resumed run reuses must match what is loaded now: changed references, prompts or
clips are asked again, unchanged ones are not; transport-only settings (timeout, concurrency,
retries, backoff) do not change the run key."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from emer_bench.api.adapter import MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.model_adapters.openai_api import OpenAIChatArgs
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.run_key import run_key, transport_fields

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "model_adapters"))
from openai_test_server import OpenAITestServer  # noqa: E402
from run_support import text_demo_task  # noqa: E402

DEMO = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo"


class CountingStandIn(ModelAdapter):
    """Test stand-in: echoes the subtitle, records which clips it was asked."""

    name: ClassVar[str] = "test-counting"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE, Modality.VIDEO})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS
    asked: ClassVar[list[str]] = []

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        CountingStandIn.asked.extend(p.request.clip_id for p in batch)
        return [Generation(index=p.request.index, text=f"happy: {p.request.subtitle}") for p in batch]


@pytest.fixture(autouse=True)
def _stand_in():
    ADAPTERS.add(CountingStandIn.name, CountingStandIn, origin="runtime", replace=True)
    CountingStandIn.asked.clear()


def _copy_demo(tmp_path: Path) -> Path:
    """A private copy of the demo task (annotations + clips) that the test may edit."""
    task_dir = tmp_path / "task"
    # Only the demo task itself: the folder also holds variants (emer_demo_va.yaml) whose names would clash.
    shutil.copytree(DEMO, task_dir, ignore=shutil.ignore_patterns("README.md", "emer_demo_*.yaml"))
    text = (task_dir / "emer_demo.yaml").read_text()
    head, _, _ = text.partition("scorers:")
    (task_dir / "emer_demo.yaml").write_text(head.replace("task: emer-demo", "task: demo-copy")
                                             + "scorers:\n  - name: rouge_l\nmain_metric: rouge_l.fscore\n")
    return task_dir


def _edit_row(csv_path: Path, clip: str, column: str, value: str) -> None:
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["name"] == clip:
            row[column] = value
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _run(task_dir: Path, out: Path):
    return run_evaluation(RunConfig(model="test-counting", tasks=["demo-copy"], output_dir=out,
                                    include_paths=[task_dir], n_resamples=0, limit=4))


def test_changed_references_prompts_and_clips_are_asked_again(tmp_path: Path) -> None:
    task_dir = _copy_demo(tmp_path)
    _run(task_dir, tmp_path / "out")
    assert sorted(CountingStandIn.asked) == ["demo_01", "demo_02", "demo_03", "demo_04"]
    CountingStandIn.asked.clear()
    _edit_row(task_dir / "annotations.csv", "demo_01", "explanation", "A completely different reference.")
    _edit_row(task_dir / "annotations.csv", "demo_02", "subtitle", "A new subtitle, so a new prompt.")
    clip = task_dir / "clips" / "demo_03.mp4"
    clip.write_bytes(clip.read_bytes() + b"\0")  # the clip file changed (size and mtime)
    results, path = _run(task_dir, tmp_path / "out")
    assert sorted(CountingStandIn.asked) == ["demo_01", "demo_02", "demo_03"]  # demo_04 reused
    task = results["results"]["demo-copy"]
    assert task["n_reused"] == 1
    # The score is the one a fresh output folder gives: nothing stale was reused.
    fresh, _ = _run(task_dir, tmp_path / "fresh")
    assert task["metrics"] == fresh["results"]["demo-copy"]["metrics"]
    samples = [json.loads(line) for line in (path.parent / task["config"]["samples_file"]).read_text().splitlines()]
    latest = {s["clip_id"]: s for s in samples}
    assert latest["demo_01"]["reference"]["explanation"] == "A completely different reference."
    assert "A new subtitle" in latest["demo_02"]["prompt"]


def test_unchanged_data_is_not_asked_again_even_after_a_touch_of_the_yaml_folder(tmp_path: Path) -> None:
    task_dir = _copy_demo(tmp_path)
    _run(task_dir, tmp_path / "out")
    CountingStandIn.asked.clear()
    os.utime(task_dir, None)
    results, _ = _run(task_dir, tmp_path / "out")
    assert CountingStandIn.asked == [] and results["results"]["demo-copy"]["n_reused"] == 4


def test_transport_settings_do_not_change_the_run_key() -> None:
    transport = transport_fields(OpenAIChatArgs)
    assert {"concurrency", "timeout", "max_retries", "backoff_base", "backoff_max"} <= transport
    base = {"base_url": "http://h/v1", "model": "m"}
    key = run_key("t", "openai", {**base, "timeout": 30}, {}, 1, transport)
    assert key == run_key("t", "openai", {**base, "timeout": 300, "concurrency": 64, "max_retries": 9}, {}, 1, transport)
    assert key != run_key("t", "openai", {**base, "model": "other"}, {}, 1, transport)


def test_raising_the_timeout_resumes_instead_of_asking_again(tmp_path: Path) -> None:
    tasks = text_demo_task(tmp_path / "tasks")
    with OpenAITestServer() as server:
        for timeout in (30, 90):
            args = {"base_url": server.base_url, "model": "m", "timeout": timeout, "concurrency": timeout // 30}
            run_evaluation(RunConfig(model="openai", tasks=["demo-text"], model_args=args, output_dir=tmp_path / "out",
                                     include_paths=[tasks], n_resamples=0, limit=3))
        assert len(server.requests) == 3  # the second run asked nothing
