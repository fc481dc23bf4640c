"""One rule for failed samples in every scorer: a missing prediction is an empty answer and
counts, so a model that fails half its clips cannot keep a high similarity; every metric
carries n_failed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import ClassVar

from emer_bench.api.adapter import MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import RunConfig, run_evaluation

sys.path.insert(0, str(Path(__file__).parent))
from run_support import DEMO_TASK_DIR  # noqa: E402


class HalfFailingStandIn(ModelAdapter):
    """Test stand-in: fails every second clip; answers the others with a fixed explanation."""

    name: ClassVar[str] = "test-half-failing"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS
    fail: ClassVar[bool] = True

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        return [Generation(index=p.request.index, error="Timeout: no answer") if self.fail and p.request.index % 2
                else Generation(index=p.request.index, text="The person smiles and sounds happy. Labels: [happy]")
                for p in batch]


def _task(folder: Path) -> Path:
    text = (DEMO_TASK_DIR / "emer_demo.yaml").read_text().replace("{task_dir}", str(DEMO_TASK_DIR))
    head, _, _ = text.partition("scorers:")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.yaml").write_text(
        head.replace("task: emer-demo", "task: demo-rule").replace("[video, audio, subtitle]", "[subtitle]")
        + "scorers:\n  - name: label_overlap\n    args: {extractor: {name: lexicon}}\n  - name: rouge_l\n"
          "  - name: bleu4\nmain_metric: rouge_l.fscore\n")
    return folder


def test_failed_samples_count_in_every_metric(tmp_path: Path) -> None:
    ADAPTERS.add(HalfFailingStandIn.name, HalfFailingStandIn, origin="runtime", replace=True)
    tasks = _task(tmp_path / "tasks")
    runs = {}
    for fail in (True, False):
        HalfFailingStandIn.fail = fail
        results, path = run_evaluation(RunConfig(model="test-half-failing", tasks=["demo-rule"], n_resamples=0,
                                                 output_dir=tmp_path / f"out-{fail}", include_paths=[tasks]))
        runs[fail] = results["results"]["demo-rule"]
    HalfFailingStandIn.fail = True
    failing, clean = runs[True], runs[False]
    assert failing["n_failed"] == 5
    for name, entry in failing["metrics"].items():
        assert entry["n_failed"] == 5 and entry["n_total"] == 10, name
    for metric in ("rouge_l.fscore", "bleu4.score", "label_overlap.fscore"):
        assert failing["metrics"][metric]["n_scored"] == 10, metric  # failed samples entered the mean
        # The five answered clips are clips 0, 2, 4, 6, 8 of the clean run: the failing run's mean
        # is their sum over all ten clips (the failures count as 0), never their own mean.
        scores_file = tmp_path / "out-False" / "test-half-failing" / clean["config"]["scores_file"]
        lines = [json.loads(x) for x in scores_file.read_text().splitlines()]
        alias, key = metric.split(".")
        if alias == "label_overlap":
            continue  # a set-based mean, checked by n_scored above
        answered = sum(line["scores"][alias][key] for line in lines if line["index"] % 2 == 0)
        assert abs(failing["metrics"][metric]["value"] - answered / 10) < 1e-9, metric
