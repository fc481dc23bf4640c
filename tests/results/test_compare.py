"""Pairing two runs: common clips, scorer rebuilding, significance, and every documented error."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from emer_bench.errors import ConfigError, DataError
from emer_bench.results.compare import compare_runs, read_score_lines

sys.path.insert(0, str(Path(__file__).parent))
from compare_fixtures import CATEGORICAL, LABELS, answers_with_accuracy, categorical_lines, write_run  # noqa: E402

N = 120
CLIPS = [f"sample_{i:05d}" for i in range(N)]
REFERENCES = [LABELS[i % 3] for i in range(N)]


@pytest.fixture()
def runs(tmp_path: Path) -> tuple[Path, Path]:
    weak = write_run(tmp_path / "weak", categorical_lines(CLIPS, REFERENCES, answers_with_accuracy(REFERENCES, 60)))
    strong = write_run(tmp_path / "strong", categorical_lines(CLIPS, REFERENCES, answers_with_accuracy(REFERENCES, 6)))
    return weak, strong


def test_clear_difference_is_significant(runs: tuple[Path, Path]) -> None:
    (task,) = compare_runs(*runs, n_resamples=500, seed=1)
    assert task.task == "mer-test" and task.n_common == N and task.n_only_a == task.n_only_b == 0
    rows = {row.name: row.result for row in task.rows}
    assert set(rows) == {"cat.accuracy", "cat.macro_f1", "cat.weighted_f1"}  # the scorer's headline metrics
    accuracy = rows["cat.accuracy"]
    assert accuracy.value_a == pytest.approx(0.5) and accuracy.value_b == pytest.approx(0.95)
    assert accuracy.diff == pytest.approx(0.45)
    assert accuracy.ci[0] > 0.3 and accuracy.significant and accuracy.p_value < 0.01


def test_same_run_is_not_significant_and_is_deterministic(runs: tuple[Path, Path]) -> None:
    weak, _ = runs
    (task,) = compare_runs(weak, weak, metric="cat.accuracy", n_resamples=200)
    (row,) = task.rows
    assert row.result.diff == 0.0 and row.result.p_value == 1.0 and not row.result.significant
    first = compare_runs(*runs, metric="accuracy", n_resamples=200, seed=3)[0].rows[0].result
    again = compare_runs(*runs, metric="accuracy", n_resamples=200, seed=3)[0].rows[0].result
    assert first == again


def test_only_common_clips_are_compared(tmp_path: Path) -> None:
    answers = answers_with_accuracy(REFERENCES, 0)
    a = write_run(tmp_path / "a", categorical_lines(CLIPS[:100], REFERENCES[:100], answers[:100]))
    # B: clips 20..119, in a different order; the first 20 of its clips are wrong
    b_lines = categorical_lines(CLIPS[20:], REFERENCES[20:], answers_with_accuracy(REFERENCES[20:], 20))
    b = write_run(tmp_path / "b", list(reversed(b_lines)))
    (task,) = compare_runs(a, b, metric="accuracy", n_resamples=100)
    assert (task.n_common, task.n_only_a, task.n_only_b) == (80, 20, 20)
    assert task.rows[0].result.value_a == 1.0 and task.rows[0].result.value_b == pytest.approx(60 / 80)


def test_repeated_clip_ids_are_resampled_together(tmp_path: Path) -> None:
    clips = [c for c in CLIPS[:30] for _ in range(2)]  # two questions per clip
    refs = [REFERENCES[i // 2] for i in range(60)]
    a = write_run(tmp_path / "a", categorical_lines(clips, refs, answers_with_accuracy(refs, 0)))
    b = write_run(tmp_path / "b", categorical_lines(clips, refs, answers_with_accuracy(refs, 10)))
    result = compare_runs(a, b, metric="accuracy", n_resamples=100)[0].rows[0].result
    assert result.n_items == 60 and result.n_clusters == 30


def test_all_metrics(runs: tuple[Path, Path]) -> None:
    names = {row.metric for row in compare_runs(*runs, all_metrics=True, n_resamples=50)[0].rows}
    assert names == {"accuracy", "macro_f1", "weighted_f1", "n_unparsed", "unparsed_rate"}


def test_unknown_metric_names_the_available_ones(runs: tuple[Path, Path]) -> None:
    with pytest.raises(ConfigError, match="no scorer produces metric 'cat.ccc'; available: .*cat.accuracy"):
        compare_runs(*runs, metric="cat.ccc", n_resamples=10)


def test_missing_results_file(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    with pytest.raises(DataError, match="results file not found: .*nope.json"):
        compare_runs(runs[0], tmp_path / "nope.json")


def test_missing_scores_file(runs: tuple[Path, Path]) -> None:
    scores = next(runs[1].parent.glob("scores_*.jsonl"))
    scores.unlink()
    with pytest.raises(DataError, match="scores file not found: .*scores_mer-test_0123456789ab.jsonl"):
        compare_runs(*runs)


def test_bad_scores_line(runs: tuple[Path, Path]) -> None:
    scores = next(runs[1].parent.glob("scores_*.jsonl"))
    scores.write_text(scores.read_text() + "{not json\n")
    with pytest.raises(DataError, match=rf"{scores.name}:{N + 1}: invalid JSON"):
        compare_runs(*runs)


def test_line_without_the_scorer(tmp_path: Path) -> None:
    lines = categorical_lines(CLIPS[:5], REFERENCES[:5], answers_with_accuracy(REFERENCES[:5], 0))
    a = write_run(tmp_path / "a", lines)
    del lines[2]["scores"]["cat"]
    b = write_run(tmp_path / "b", lines)
    with pytest.raises(DataError, match=r"scores_mer-test_0123456789ab.jsonl:3: no scores for scorer 'cat'"):
        compare_runs(a, b)


def test_no_common_clips(tmp_path: Path) -> None:
    answers = answers_with_accuracy(REFERENCES, 0)
    a = write_run(tmp_path / "a", categorical_lines(CLIPS[:10], REFERENCES[:10], answers[:10]))
    b = write_run(tmp_path / "b", categorical_lines(CLIPS[10:20], REFERENCES[10:20], answers[10:20]))
    with pytest.raises(DataError, match="task 'mer-test': no clip in common"):
        compare_runs(a, b)


def test_mismatched_tasks(tmp_path: Path) -> None:
    lines = categorical_lines(CLIPS[:10], REFERENCES[:10], answers_with_accuracy(REFERENCES[:10], 0))
    a = write_run(tmp_path / "a", lines)
    other_task = write_run(tmp_path / "b", lines, task="meld-test")
    with pytest.raises(DataError, match="no task in common"):
        compare_runs(a, other_task)
    with pytest.raises(DataError, match="no task 'meld-test'"):
        compare_runs(a, other_task, task="meld-test")
    changed = write_run(tmp_path / "c", lines, content_sha256="different")
    with pytest.raises(DataError, match="content_sha256 'c0ffee' .* vs 'different'.*--allow-task-mismatch"):
        compare_runs(a, changed)
    assert compare_runs(a, changed, allow_task_mismatch=True, n_resamples=10)[0].n_common == 10


def test_mismatched_scorers(tmp_path: Path) -> None:
    lines = categorical_lines(CLIPS[:10], REFERENCES[:10], answers_with_accuracy(REFERENCES[:10], 0))
    a = write_run(tmp_path / "a", lines)
    other_args = {**CATEGORICAL, "args": {**CATEGORICAL["args"], "failed_as_wrong": False}}
    b = write_run(tmp_path / "b", lines, scorers=[other_args])  # type: ignore[list-item]
    with pytest.raises(DataError, match="scorer 'cat' has a different args"):
        compare_runs(a, b)
    renamed = write_run(tmp_path / "c", lines, scorers=[{**CATEGORICAL, "alias": "other"}])  # type: ignore[list-item]
    with pytest.raises(DataError, match="share no scorer"):
        compare_runs(a, renamed)


def test_read_score_lines_keys_by_clip_occurrence(tmp_path: Path) -> None:
    path = tmp_path / "scores.jsonl"
    rows = [{"clip_id": "x", "index": 1, "failed": False, "scores": {}},
            {"clip_id": "x", "index": 0, "failed": False, "scores": {}}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    keyed = read_score_lines(path)
    assert [k for k in keyed] == [("x", 0), ("x", 1)] and keyed[("x", 0)]["index"] == 0
    path.write_text('{"clip": "x"}\n')
    with pytest.raises(DataError, match="scores.jsonl:1: not a score line"):
        read_score_lines(path)
