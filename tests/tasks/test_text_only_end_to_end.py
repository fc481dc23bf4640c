"""The text-only track end to end on the real MERBench annotations (no media): `emer-bench run`
through the real `openai` adapter against a local OpenAI-compatible server (tests/model_adapters/
openai_test_server.py), then the registered scorers. Nothing but the prompt text may be sent."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from emer_bench.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model_adapters"))
from openai_test_server import OpenAITestServer, Reply  # noqa: E402


def run_cli(server: OpenAITestServer, tmp_path: Path, tasks: str, data_dir: Path, wheel_dir: Path,
            *extra: str) -> dict:
    out = tmp_path / "out"
    code = main(["run", "--model", "openai", "--model-args", f"base_url={server.base_url},model=M,api_key=sk-x",
                 "--tasks", tasks, "--modalities", "subtitle", "--data-dir", str(data_dir), "--limit", "4",
                 "--resources", str(wheel_dir), "--output-dir", str(out), "--no-progress", "--n-resamples", "0",
                 *extra])
    assert code == 0
    (results_path,) = out.rglob("results_*.json")
    return json.loads(results_path.read_text())


def assert_text_only(server: OpenAITestServer, n: int) -> None:
    assert len(server.requests) == n
    for request in server.requests:
        content = request.body["messages"][-1]["content"]
        parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
        assert {p["type"] for p in parts} == {"text"}, parts  # no image_url / input_audio part
        assert "<Subtitle>" in parts[-1]["text"] or "subtitle" in parts[-1]["text"].lower()


@pytest.mark.parametrize("task, metric", [
    ("meld", "hit_rate.hit_rate"), ("mer2023", "hit_rate.hit_rate"), ("iemocap", "hit_rate.hit_rate"),
    ("mosi", "sentiment.weighted_f1"), ("sims", "sentiment.weighted_f1"), ("simsv2", "sentiment.weighted_f1"),
    ("iemocap-closed", "categorical.weighted_f1"), ("mosi-va", "dimensional.ccc_valence")])
def test_text_only_run_on_real_merbench_annotations(tmp_path, shared_dir, wheel_dir, task, metric):
    with OpenAITestServer(default=Reply.ok("He sounds angry and frustrated, maybe a little sad.")) as server:
        results = run_cli(server, tmp_path, task, shared_dir / "data" / "merbench", wheel_dir)
        assert_text_only(server, 4)
        prompts = [str(r.body["messages"][-1]["content"]) for r in server.requests]  # any order (concurrent)
    entry = results["results"][task]
    assert entry["n_total"] == 4 and entry["n_failed"] == 0
    assert entry["config"]["modalities"] == ["subtitle"] and entry["notes"] == []
    assert metric in entry["metrics"] and entry["config"]["main_metric"] == metric
    if task == "meld":  # the first MELD test utterance's English subtitle is in its prompt
        assert any("coffee mugs" in p for p in prompts)
        assert entry["metrics"]["hit_rate.hit_rate"]["value"] >= 0.0


def test_group_run_reports_the_mean_or_says_what_is_missing(tmp_path, shared_dir, wheel_dir):
    with OpenAITestServer(default=Reply.ok("happy")) as server:
        (tmp_path / "g.yaml").write_text("group: two\ntasks: [meld, sims]\n")
        results = run_cli(server, tmp_path, "two", shared_dir / "data" / "merbench", wheel_dir,
                          "--include-path", str(tmp_path))
    summary = results["groups"]["two"]
    assert set(results["results"]) == {"meld", "sims"} and summary["missing"] == []
    values = [results["results"][t]["metrics"][results["results"][t]["config"]["main_metric"]]["value"]
              for t in ("meld", "sims")]
    assert summary["value"] == pytest.approx(sum(values) / 2)


def test_emer_v1_text_only_with_the_documented_annotation_file(tmp_path, emer_data_dir, wheel_dir):
    with OpenAITestServer(default=Reply.ok("In the video he shouts; therefore he is angry.")) as server:
        results = run_cli(server, tmp_path, "emer-v1", emer_data_dir, wheel_dir)
        assert_text_only(server, 4)
    entry = results["results"]["emer-v1"]
    assert entry["n_failed"] == 0 and entry["config"]["modalities"] == ["subtitle"]
    assert any(k.startswith("rouge_l.") for k in entry["metrics"])
    assert entry["metrics"]["hit_rate.hit_rate"]["n_scored"] == 4  # EMER v1's labels are non-neutral


def test_ablate_pairs_modality_sets_with_paired_cis(tmp_path, demo_clips):
    """The bundled demo (real clips) under two sets through the openai adapter: one model, two runs,
    a paired difference per pair of sets."""
    replies = Reply.ok("He looks happy and excited.")
    with OpenAITestServer(default=replies) as server:
        out = tmp_path / "out"
        code = main(["ablate", "--model", "openai", "--model-args", f"base_url={server.base_url},model=M,api_key=sk-x",
                     "--tasks", "emer-demo", "--modalities", "subtitle", "--modalities", "video,subtitle",
                     "--output-dir", str(out), "--no-progress", "--n-resamples", "200", "--limit", "4"])
        assert code == 0
        bodies = [r.body["messages"][-1]["content"] for r in server.requests]
    assert len(bodies) == 8
    with_images = [b for b in bodies if isinstance(b, list) and any(p["type"] == "image_url" for p in b)]
    assert len(with_images) == 4  # only the video set sent frames
    (report_path,) = out.glob("ablation_*.json")
    report = json.loads(report_path.read_text())
    assert report["sets"] == ["subtitle", "video+subtitle"] and len(report["results_files"]) == 2
    (pair,) = report["pairs"]
    assert pair["a"] == "subtitle" and pair["b"] == "video+subtitle" and pair["n_clips"] == 4
    assert pair["diff"] == pytest.approx(pair["value_b"] - pair["value_a"]) and len(pair["ci95"]) == 2
    assert "| video+subtitle vs subtitle |" in report_path.with_suffix(".md").read_text()


def test_ablate_needs_two_different_sets(tmp_path):
    from emer_bench.ablation import run_ablation
    from emer_bench.api.requests import Modality
    from emer_bench.errors import ConfigError
    from emer_bench.runner.evaluate import RunConfig

    with pytest.raises(ConfigError, match="at least two different modality sets"):
        run_ablation(RunConfig(model="openai", tasks=["emer-demo"]), [(Modality.SUBTITLE,), (Modality.SUBTITLE,)])


def test_rescoring_a_text_only_run_keeps_its_modalities(tmp_path, shared_dir, wheel_dir):
    with OpenAITestServer(default=Reply.ok("surprised")) as server:
        run_cli(server, tmp_path, "meld", shared_dir / "data" / "merbench", wheel_dir)
    (samples,) = (tmp_path / "out").rglob("samples_meld_*.jsonl")
    out = tmp_path / "rescored.json"
    assert main(["score", str(samples), "--modalities", "subtitle", "--resources", str(wheel_dir),
                 "--n-resamples", "0", "--output", str(out)]) == 0
    entry = json.loads(out.read_text())["results"]["meld"]
    assert entry["config"]["modalities"] == ["subtitle"] and entry["n_total"] == 4
