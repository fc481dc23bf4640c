"""The task YAML `plugins:` key: helper modules beside the YAML are imported before scoring and
may register scorers that the same task then uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from emer_bench.cli.main import main
from emer_bench.errors import ConfigError
from emer_bench.registries import SCORERS
from emer_bench.tasks.loader import import_plugins, load_task_file

PLUGIN = '''
from emer_bench.api.scorer import Scorer, ScorerArgs
from emer_bench.registries import SCORERS


class WordCountArgs(ScorerArgs):
    per: int = 1


class WordCountScorer(Scorer[WordCountArgs]):
    """TEST PLUGIN: the number of words of each answer (divided by `per`)."""

    name = "{name}"

    def score_samples(self, items):
        return [None if item.prediction is None else {{"words": len(item.prediction.split()) / self.args.per}}
                for item in items]

    def aggregate(self, samples):
        values = [s["words"] for s in samples if s is not None]
        return {{"mean": sum(values) / len(values)}}


SCORERS.add("{name}", WordCountScorer, "test plugin", origin="task-plugin")
'''

TASK = """
task: {task}
dataset:
  files: [{{path: "{{task_dir}}/ann.csv", columns: {{subtitle: subtitle, openset: openset}}}}]
modalities: [subtitle]
prompt: {{template: "{{subtitle}}"}}
reference: [openset]
plugins: [word_count.py]
scorers: [{{name: {name}, args: {{per: 2}}}}]
main_metric: {name}.mean
"""


def write_task(folder: Path, task: str, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "word_count.py").write_text(PLUGIN.format(name=name))
    (folder / "ann.csv").write_text("name,subtitle,openset\na,I am happy today,\"['happy']\"\nb,So sad,\"['sad']\"\n")
    path = folder / f"{task}.yaml"
    path.write_text(TASK.format(task=task, name=name))
    return path


def test_a_plugin_scorer_is_registered_and_used_by_its_task(tmp_path: Path) -> None:
    write_task(tmp_path / "tasks", "plugin-key-task", "test_word_count")
    code = main(["run", "--model", "lexicon-baseline", "--tasks", "plugin-key-task", "--include-path",
                 str(tmp_path / "tasks"), "--output-dir", str(tmp_path / "out"), "--n-resamples", "0", "--no-progress"])
    assert code == 0
    results = json.loads(next((tmp_path / "out").rglob("results_*.json")).read_text())
    metric = results["results"]["plugin-key-task"]["metrics"]["test_word_count.mean"]
    assert metric["value"] > 0  # the baseline's answers have words; per=2 reached the plugin's Args
    assert SCORERS.entry("test_word_count").origin == "task-plugin"


def test_importing_the_same_plugin_twice_registers_once(tmp_path: Path) -> None:
    task = load_task_file(write_task(tmp_path, "plugin-twice", "test_word_count_twice"))
    import_plugins(task)
    import_plugins(task)  # a second run in the same process
    assert "test_word_count_twice" in SCORERS


def test_a_missing_plugin_file_names_the_key(tmp_path: Path) -> None:
    path = write_task(tmp_path, "plugin-missing", "test_word_count_missing")
    (tmp_path / "word_count.py").unlink()
    with pytest.raises(ConfigError, match=r"key 'plugins': 'word_count.py' not found"):
        load_task_file(path)


def test_plugins_must_be_a_list(tmp_path: Path) -> None:
    path = write_task(tmp_path, "plugin-not-list", "test_word_count_nl")
    path.write_text(path.read_text().replace("plugins: [word_count.py]", "plugins: word_count.py"))
    with pytest.raises(ConfigError, match="key 'plugins' must be a list"):
        load_task_file(path)


@pytest.mark.parametrize("code, message", [
    ("x = 1\nraise RuntimeError('boom')\n", r"word_count\.py:2 failed to import: RuntimeError: boom"),
    ("def f(:\n", r"word_count\.py:1 failed to import: SyntaxError: invalid syntax"),
])
def test_a_plugin_that_fails_to_import_is_one_line_naming_its_file_and_line(tmp_path: Path, capsys, code: str,
                                                                            message: str) -> None:
    write_task(tmp_path / "tasks", "plugin-broken", "test_word_count_broken")
    (tmp_path / "tasks" / "word_count.py").write_text(code)
    argv = ["run", "--model", "lexicon-baseline", "--tasks", "plugin-broken", "--include-path", str(tmp_path / "tasks"),
            "--output-dir", str(tmp_path / "out"), "--no-progress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert re.search(rf"plugin-broken\.yaml: key 'plugins': .*{message}", err)
    assert main(["--debug", *argv]) == 2  # --debug: the plugin's own traceback too
    assert "Traceback" in capsys.readouterr().err
