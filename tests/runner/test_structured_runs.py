"""Runs of structure-only models (classic recognizers) through the real runner on emer-demo:
structured predictions are recorded, scored by the scorers that read them, and text-only scorers
are skipped with a note instead of crashing or scoring empty answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest

from emer_bench.api.adapter import MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.api.structured import StructuredPrediction
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.samples_file import read_samples

DEMO_LABELS = ("happy", "sad", "angry", "surprise", "worried", "fear", "disgust", "neutral")


class OracleVAStandIn(ModelAdapter):
    """Test stand-in: a 'perfect' VA-only recognizer that answers each demo clip's reference
    valence/arousal (read from the demo annotations by clip id), with no text and no classes."""

    name: ClassVar[str] = "test-oracle-va"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.VIDEO})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS
    answers: ClassVar[dict[str, tuple[float, float]]] = {}

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        return [Generation(index=p.request.index, structured=StructuredPrediction(
            valence=self.answers[p.request.clip_id][0], arousal=self.answers[p.request.clip_id][1],
            va_source="model")) for p in batch]


@pytest.fixture(autouse=True, scope="module")
def _stand_in():
    import csv

    demo = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo" / "annotations.csv"
    with demo.open(newline="", encoding="utf-8") as fh:
        OracleVAStandIn.answers = {r["name"]: (float(r["valence"]), float(r["arousal"])) for r in csv.DictReader(fh)}
    ADAPTERS.add(OracleVAStandIn.name, OracleVAStandIn, origin="runtime", replace=True)


def run(tmp_path: Path, model: str, **kw):
    return run_evaluation(RunConfig(model=model, tasks=["emer-demo"], output_dir=tmp_path, n_resamples=20, **kw))


def test_a_va_only_model_gets_dimensional_and_categorical_scores_and_notes(tmp_path):
    results, path = run(tmp_path, OracleVAStandIn.name)
    task = results["results"]["emer-demo"]
    metrics = task["metrics"]
    assert task["n_failed"] == 0
    assert metrics["dimensional.ccc"]["value"] == pytest.approx(1.0)  # its values are the references
    assert metrics["dimensional.mse_valence"]["value"] == pytest.approx(0.0)
    # categorical via the nearest label of the task's set in the VA table: better than chance
    assert metrics["categorical.accuracy"]["value"] > 1 / len(DEMO_LABELS)
    assert not any(m.startswith(("label_overlap.", "rouge_l.", "bleu4.")) for m in metrics)
    notes = " ".join(task["notes"])
    for scorer in ("label_overlap", "rouge_l", "bleu4"):
        assert f"scorer '{scorer}' skipped: it reads text answers, and 10 of 10 samples" in notes
    samples = read_samples(path.parent / task["config"]["samples_file"])
    record = samples["demo_03"]
    assert record.ok and record.response is None and record.structured is not None
    assert record.structured.valence == pytest.approx(-0.8)
    scores = [json.loads(line) for line in (path.parent / task["config"]["scores_file"]).read_text().splitlines()]
    assert scores[2]["scores"]["categorical"]["from"] == "va_nearest"


@pytest.mark.slow
def test_fer_cnn_on_emer_demo_reports_categorical_and_dimensional(tmp_path):
    pytest.importorskip("cv2")
    pytest.importorskip("h5py")
    results, path = run(tmp_path, "fer-cnn")
    task = results["results"]["emer-demo"]
    assert task["n_failed"] == 0 and task["n_total"] == 10
    for metric in ("categorical.accuracy", "categorical.macro_f1", "dimensional.ccc", "dimensional.mse_valence"):
        assert metric in task["metrics"] and task["metrics"][metric]["n_scored"] == 10
    assert task["metrics"]["categorical.n_unparsed"]["value"] == 0  # every FER class but 'worried' is in the set
    records = read_samples(path.parent / task["config"]["samples_file"])
    faces = [f["face"] for r in records.values() for f in r.structured.frames]
    assert len(faces) == 80 and any(faces) and not all(faces)  # both paths: face crops and whole frames
    assert results["model"]["model_info"]["weights_sha256"]
