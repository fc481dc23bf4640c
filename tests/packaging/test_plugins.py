"""A third-party package adds an adapter and a task folder through entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLUGIN = '''
from pathlib import Path
from emer_bench.api.adapter import ModelAdapter, MediaInput
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality

TASKS_DIR = Path(__file__).parent / "tasks"


class EchoPluginAdapter(ModelAdapter):
    """Plugin adapter: answers with the subtitle's first word as the label."""
    name = "echo-plugin"
    modalities = frozenset({Modality.SUBTITLE})
    media_input = MediaInput.PATHS

    def generate(self, batch):
        return [Generation(index=p.request.index, text=f"[{(p.request.subtitle or '').split()[0].lower()}]")
                for p in batch]
'''

TASK = '''
task: plugin-task
dataset:
  files: [{path: "{task_dir}/data.csv", columns: {subtitle: subtitle, openset: openset}}]
modalities: [subtitle]
prompt: {template: "{subtitle}"}
reference: [openset]
scorers: [{name: label_overlap, args: {extractor: {name: parse}}}]
main_metric: label_overlap.fscore
'''


def make_plugin(root: Path) -> None:
    pkg = root / "echo_plugin"
    (pkg / "tasks").mkdir(parents=True)
    (pkg / "__init__.py").write_text(PLUGIN)
    (pkg / "tasks" / "plugin_task.yaml").write_text(TASK)
    (pkg / "tasks" / "data.csv").write_text("name,subtitle,openset\na,Happy days,\"['happy']\"\nb,Sad news,\"['angry']\"\n")
    dist = root / "echo_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[emer_bench.adapters]\necho-plugin = echo_plugin:EchoPluginAdapter\n\n"
        "[emer_bench.tasks]\necho-plugin-tasks = echo_plugin:TASKS_DIR\n")


def test_entry_point_adapter_and_tasks(tmp_path):
    make_plugin(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    listing = subprocess.run([sys.executable, "-m", "emer_bench", "list", "models"], capture_output=True, text=True,
                             env=env, check=True)
    assert "echo-plugin" in listing.stdout
    run = subprocess.run([sys.executable, "-m", "emer_bench", "run", "--model", "echo-plugin", "--tasks", "plugin-task",
                          "--output-dir", str(tmp_path / "out"), "--n-resamples", "0", "--no-progress"],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    results = json.loads(next((tmp_path / "out").rglob("results_*.json")).read_text())
    metric = results["results"]["plugin-task"]["metrics"]["label_overlap.fscore"]
    assert metric["value"] == 0.5  # 'happy' right, 'sad' vs 'angry' wrong: P = R = 0.5
