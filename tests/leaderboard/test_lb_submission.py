"""`leaderboard add`: a submission keeps answers and claims, never references, prompts of
licensed tasks, local paths or secrets; names become safe slugs; nothing half-written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from emer_bench.errors import ConfigError, DataError
from emer_bench.leaderboard import submission
from emer_bench.redact import redact
from emer_bench.leaderboard.submission import AddOptions, add_submission
from emer_bench.tasks.discovery import TaskIndex
from emer_bench.tasks.documents import PathContext, load_documents


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))


def test_submission_holds_answers_not_references(board_template: Path, demo_run: Path) -> None:
    folder = board_template / "submissions/lexicon-baseline"
    assert sorted(p.name for p in folder.iterdir()) == ["results.json", "samples_emer-demo.jsonl", "submission.json"]
    text = _all_text(folder)
    task = TaskIndex().load("emer-demo")
    for doc in load_documents(task, PathContext()):
        assert doc.reference.explanation not in text  # the reference explanations never travel
    assert '"reference"' not in text and "scores_file" not in text
    assert str(demo_run.parent) not in text  # no local paths (media paths, argv)
    samples = [json.loads(x) for x in (folder / "samples_emer-demo.jsonl").read_text().splitlines()]
    assert len(samples) == 10 and all(s["response"] for s in samples)
    assert samples[0]["prompt"].startswith("Subtitle content of this video:")  # bundled data: prompt kept
    meta = json.loads((folder / "submission.json").read_text())
    assert meta["tasks"]["emer-demo"]["bundled_data"] is True


def test_licensed_task_keeps_no_prompt_or_subtitle(board_template: Path, private_task: tuple[Path, Path]) -> None:
    folder = board_template / "submissions/private"
    samples = [json.loads(x) for x in (folder / "samples_lb-private.jsonl").read_text().splitlines()]
    assert all("prompt" not in s and "inputs" not in s for s in samples)
    meta = json.loads((folder / "submission.json").read_text())
    assert meta["tasks"]["lb-private"]["bundled_data"] is False
    assert set().union(*(s.keys() for s in samples)) <= {"clip_id", "index", "response", "error", "latency_s"}


def test_secrets_are_redacted(tmp_path: Path, demo_run: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_run, run)
    results = next(run.glob("results_*.json"))
    data = json.loads(results.read_text())
    data["model"]["model_args"].update(api_key="sk-abcdefghijklmnopqrstuvwx", base_url="http://u:pw@host/v1")
    data["model"]["model_info"]["hf_token"] = "hf_abcdefghijklmnopqrstuvwxyz"
    # the samples are edited below, after the results: without a scores file to check them against, add takes them
    data["results"]["emer-demo"]["config"].pop("scores_file")
    results.write_text(json.dumps(data))
    samples = next(run.glob("samples_*.jsonl"))
    lines = [json.loads(x) for x in samples.read_text().splitlines()]
    lines[0].update(response=None, error="HTTPError: 401 for Authorization: Bearer sk-abcdefghijklmnopqrstuvwx")
    samples.write_text("".join(json.dumps(x) + "\n" for x in lines))
    folder = add_submission(run, tmp_path / "lb", AddOptions(name="Secret model"))
    text = _all_text(folder)
    assert "sk-abcdefghijklmnopqrstuvwx" not in text and "hf_abcdefghij" not in text and "u:pw@" not in text
    assert "HTTPError: 401" in text  # the failure itself is kept and shown


def test_project_redactor_keeps_harmless_keys() -> None:
    assert redact({"max_new_tokens": 5, "total_tokens": 9, "token": "t"}) == {
        "max_new_tokens": 5, "total_tokens": 9, "token": "***"}


@pytest.mark.parametrize("name,slug", [("../../etc/passwd", "etc-passwd"), ("Qwen2.5-Omni 7B", "qwen2-5-omni-7b"),
                                       ("<script>x</script>", "script-x-script")])
def test_names_become_safe_slugs(tmp_path: Path, demo_run: Path, name: str, slug: str) -> None:
    folder = add_submission(demo_run, tmp_path / "lb", AddOptions(name=name))
    assert folder == tmp_path / "lb" / "submissions" / slug
    assert json.loads((folder / "submission.json").read_text())["name"] == name


@pytest.mark.parametrize("slug", ["../evil", "a/b", "..", "", "UPPER"])
def test_path_trick_slug_is_refused(tmp_path: Path, demo_run: Path, slug: str) -> None:
    with pytest.raises(ConfigError, match="is not safe"):
        add_submission(demo_run, tmp_path / "lb", AddOptions(name="x", slug=slug))
    assert not (tmp_path / "evil").exists() and not (tmp_path / "lb").exists()


def test_name_without_letters_needs_a_slug(tmp_path: Path, demo_run: Path) -> None:
    with pytest.raises(ConfigError, match="pass --slug"):
        add_submission(demo_run, tmp_path / "lb", AddOptions(name="…!!"))


def test_existing_submission_needs_force(tmp_path: Path, demo_run: Path) -> None:
    add_submission(demo_run, tmp_path / "lb", AddOptions(name="m"))
    with pytest.raises(ConfigError, match="--force"):
        add_submission(demo_run, tmp_path / "lb", AddOptions(name="m"))
    add_submission(demo_run, tmp_path / "lb", AddOptions(name="m", params="1B", force=True))
    assert json.loads((tmp_path / "lb/submissions/m/submission.json").read_text())["params"] == "1B"


def test_javascript_link_is_refused(tmp_path: Path, demo_run: Path) -> None:
    with pytest.raises(Exception, match="https://"):
        add_submission(demo_run, tmp_path / "lb", AddOptions(name="m", link="javascript:alert(1)"))


def test_oversized_samples_file_is_refused(tmp_path: Path, demo_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submission, "MAX_SAMPLES_BYTES", 200)
    with pytest.raises(DataError, match="over the leaderboard limit of 200"):
        add_submission(demo_run, tmp_path / "lb", AddOptions(name="m"))
    assert not (tmp_path / "lb/submissions/m").exists()


def test_results_whose_samples_were_answered_again_since_are_refused(tmp_path: Path, demo_run: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_run, run)
    samples = next(run.glob("samples_emer-demo_*.jsonl"))
    last = json.loads(samples.read_text().splitlines()[-1])
    with samples.open("a") as fh:  # a re-run of the same command appended a new answer for that clip
        fh.write(json.dumps(last | {"response": "A different answer."}) + "\n")
    with pytest.raises(DataError, match=rf"1 of 10 samples in {samples.name} are not the ones these results were "
                                        rf"computed from \(e.g. '{last['clip_id']}'"):
        add_submission(next(run.glob("results_*.json")), tmp_path / "lb", AddOptions(name="m"))
    assert not (tmp_path / "lb/submissions/m").exists()
    assert add_submission(next(demo_run.glob("results_*.json")), tmp_path / "lb", AddOptions(name="m")).is_dir()


def test_run_folder_with_several_results_needs_the_file(tmp_path: Path, demo_run: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_run, run)
    shutil.copy(next(run.glob("results_*.json")), run / "results_2099-01-01.json")
    with pytest.raises(DataError, match="several results files"):
        add_submission(run, tmp_path / "lb", AddOptions(name="m"))
