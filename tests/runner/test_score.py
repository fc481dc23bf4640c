"""runner/score.py: building a task's scorers (errors before the model loads) and scoring records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emer_bench.api.records import Generation, SampleRecord
from emer_bench.api.requests import GenerationRequest, Modality, Reference
from emer_bench.api.scorer import ScoringContext
from emer_bench.errors import ConfigError, UnknownNameError
from emer_bench.results.builder import error_summary
from emer_bench.runner.score import build_task_scorers, score_task
from emer_bench.tasks.loader import load_task_file

TASK = """
task: t-score
dataset: {files: [{path: "{task_dir}/ann.csv", columns: {subtitle: subtitle, openset: openset}}]}
modalities: [subtitle]
prompt: {template: "{subtitle}"}
reference: [REFERENCE]
scorers: SCORERS
main_metric: label_overlap.fscore
"""
OVERLAP = "[{name: label_overlap, args: {extractor: {name: parse}}}]"


def task(tmp_path: Path, scorers: str = OVERLAP, reference: str = "openset"):
    path = tmp_path / "t.yaml"
    path.write_text(TASK.replace("SCORERS", scorers).replace("REFERENCE", reference))
    return load_task_file(path)


def records(answers: list[str | None]) -> list[SampleRecord]:
    out = []
    for i, answer in enumerate(answers):
        request = GenerationRequest(task="t-score", index=i, clip_id=f"c{i}", prompt="p", modalities=(Modality.SUBTITLE,))
        generation = Generation(index=i, text=answer) if answer is not None else \
            Generation(index=i, error="HTTPError: 500 overloaded")
        out.append(SampleRecord.from_request(request, Reference(openset=["happy"]), generation, "now"))
    return out


def test_bad_scorer_args_name_the_file_and_the_key(tmp_path: Path) -> None:
    bad = task(tmp_path, "[{name: label_overlap, args: {extracter: {name: parse}}}]")
    with pytest.raises(ConfigError, match=r"t\.yaml: scorer 'label_overlap' args: unknown key 'extracter'"):
        build_task_scorers(bad, ScoringContext())


def test_unknown_scorer_suggests_the_closest(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'label_overlap'"):
        build_task_scorers(task(tmp_path, "[{name: label_overlapp, as: label_overlap}]"), ScoringContext())


def test_unknown_scorer_names_the_task_file(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match=r"t\.yaml: unknown scorer 'label_overlapp'; did you mean"):
        build_task_scorers(task(tmp_path, "[{name: label_overlapp, as: label_overlap}]"), ScoringContext())


def test_a_main_metric_one_letter_off_a_scorer_key_points_at_both(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"t\.yaml: main_metric 'label_overlap.fscore' .* 'label_overlapp' in scorers: is one of the two misspelt\?"):
        task(tmp_path, "[{name: label_overlapp}]")


def test_a_scorer_needing_a_missing_reference_field_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"scorer 'label_overlap' needs reference field\(s\) \['openset'\]"):
        build_task_scorers(task(tmp_path, reference="label"), ScoringContext())


def test_a_main_metric_its_scorer_does_not_compute_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TASK.replace("SCORERS", OVERLAP).replace("REFERENCE", "openset")
                    .replace("main_metric: label_overlap.fscore", "main_metric: label_overlap.fscor"))
    with pytest.raises(ConfigError, match=r"t\.yaml: key 'main_metric': scorer 'label_overlap' has no metric "
                                          r"'fscor' \(its metrics: fscore, precision, recall\)"):
        build_task_scorers(load_task_file(path), ScoringContext())
    assert build_task_scorers(task(tmp_path), ScoringContext())  # label_overlap.fscore: accepted


def test_scores_counts_failures_and_writes_one_line_per_sample(tmp_path: Path) -> None:
    loaded = task(tmp_path)
    recs = records(["[happy]", "[sad]", None, "[happy, sad]"])
    scores = score_task(loaded, recs, build_task_scorers(loaded, ScoringContext()), tmp_path / "scores.jsonl",
                        n_resamples=200, seed=7)
    fscore = scores.metrics["label_overlap.fscore"]
    assert (fscore["n_total"], fscore["n_failed"]) == (4, 1)
    assert 0.0 < fscore["value"] < 1.0
    low, high = fscore["ci95"]
    assert low <= fscore["value"] <= high  # headline metrics carry a CI
    assert scores.scorer_configs[0]["alias"] == "label_overlap"
    lines = [json.loads(line) for line in (tmp_path / "scores.jsonl").read_text().splitlines()]
    assert [line["clip_id"] for line in lines] == ["c0", "c1", "c2", "c3"]
    assert [line["failed"] for line in lines] == [False, False, True, False]
    counts, examples = error_summary(recs)
    assert sum(counts.values()) == 1 and len(examples) == 1


def test_an_optional_scorer_without_its_resources_is_skipped_with_a_note(tmp_path: Path) -> None:
    loaded = task(tmp_path, OVERLAP[:-1] + ", {name: ew, optional: true}]")
    context = ScoringContext(resources_dir=tmp_path / "no-wheel-here")
    scores = score_task(loaded, records(["[happy]"]), build_task_scorers(loaded, context), tmp_path / "s.jsonl",
                        n_resamples=0)
    assert "label_overlap.fscore" in scores.metrics and not any(k.startswith("ew.") for k in scores.metrics)
    assert len(scores.notes) == 1 and scores.notes[0].startswith("scorer 'ew' skipped:")
