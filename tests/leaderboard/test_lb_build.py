"""`build`: ranked tables with CIs and paired-bootstrap ties, leaderboard.json, README.md and the
static site, deterministic, escaped, without licensed references; nothing written on a problem."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from emer_bench.leaderboard.build import build_board
from emer_bench.leaderboard.ranking import RankSettings
from emer_bench.leaderboard.verify import VerifyOptions

FIXTURE = Path(__file__).parent / "fixtures" / "reported_example.yaml"
SETTINGS = RankSettings(n_resamples=200)
DEMO_ANNOTATIONS = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo" / "annotations.csv"


def _build(board: Path, options: VerifyOptions, **kw):  # type: ignore[no-untyped-def]
    (board / "reported").mkdir(exist_ok=True)
    shutil.copy(FIXTURE, board / "reported" / "example.yaml")
    result = build_board(board, options, SETTINGS, **kw)
    assert result.ok, result.check.problems.lines
    return json.loads((board / "leaderboard.json").read_text(encoding="utf-8"))


def test_rows_are_ranked_with_recomputed_numbers_and_cis(board: Path, options: VerifyOptions) -> None:
    data = _build(board, options)
    demo = next(t for t in data["tasks"] if t["task"] == "emer-demo")
    assert demo["main_metric"] == "label_overlap.fscore" and demo["higher_is_better"] is True
    values = [r["value"] for r in demo["rows"]]
    assert [r["rank"] for r in demo["rows"]] == [1, 2] and values == sorted(values, reverse=True)
    for row in demo["rows"]:
        claimed = json.loads((board / "submissions" / row["submission"] / "results.json").read_text())
        assert row["value"] == pytest.approx(claimed["results"]["emer-demo"]["metrics"]["label_overlap.fscore"]["value"])
        low, high = row["ci95"]
        assert low <= row["value"] <= high and row["ci95_source"] == "recomputed"
    top = demo["rows"][0]
    assert isinstance(top["tied_with_next"], bool) and 0 < top["p_value_vs_next"] <= 1
    assert demo["rows"][1]["tied_with_next"] is None  # no next row
    labels = {row["label"].strip().lower() for row in csv.DictReader(DEMO_ANNOTATIONS.open(encoding="utf-8"))}
    groups = demo["per_emotion"]["lexicon-baseline"]
    assert set(groups) == labels and sum(g["n"] for g in groups.values()) == 10
    assert data["reported"][0]["status"] == "reported, not recomputed" and data["reported"][0]["value"] == 12.34


def test_task_without_data_is_kept_unranked(board: Path, options: VerifyOptions) -> None:
    options.data_dir = None
    data = _build(board, options)
    private = next(t for t in data["tasks"] if t["task"] == "lb-private")
    (row,) = private["rows"]
    assert row["status"] == "not verifiable here" and row["rank"] is None and row["ci95_source"] == "claimed"
    readme = (board / "README.md").read_text()
    assert "not verifiable here (claimed, not recomputed)" in readme


def test_modality_view_for_a_model_with_several_modality_sets(board: Path, options: VerifyOptions) -> None:
    copy = board / "submissions" / "lexicon-subtitle"
    shutil.copytree(board / "submissions" / "lexicon-baseline", copy)
    meta = json.loads((copy / "submission.json").read_text())
    meta.update(slug="lexicon-subtitle", name="Lexicon baseline (subtitle only)")
    meta["tasks"]["emer-demo"]["modalities"] = ["subtitle"]
    (copy / "submission.json").write_text(json.dumps(meta))
    results = json.loads((copy / "results.json").read_text())
    results["results"]["emer-demo"]["config"]["modalities"] = ["subtitle"]
    (copy / "results.json").write_text(json.dumps(results))
    data = _build(board, options)
    demo = next(t for t in data["tasks"] if t["task"] == "emer-demo")
    runs = demo["modality_view"]["lexicon-baseline"]
    assert [r["modalities"] for r in runs] == [["subtitle"], ["audio", "subtitle", "video"]]
    assert "Modalities (one model, several modality sets)" in (board / "site/index.html").read_text()
    equal = [r for r in demo["rows"] if r["submission"] in ("lexicon-baseline", "lexicon-subtitle")]
    assert equal[0]["rank"] == equal[1]["rank"]  # the same score shares a rank
    assert equal[0]["tied_with_next"] is True or equal[1]["tied_with_next"] in (True, None)


def test_hostile_text_is_escaped_everywhere(board: Path, options: VerifyOptions) -> None:
    _build(board, options)
    pages = [board / "README.md", board / "site/index.html", *sorted((board / "site/models").glob("*.html"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>window" not in text and "<img src=x" not in text and "<b>Evil" not in text, page
        assert "<i>for tests" not in text
    hostile = (board / "site/models/hostile.html").read_text()
    assert "&lt;script&gt;window.__pwned = 1;&lt;/script&gt;" in hostile
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in hostile
    assert "&lt;b&gt;Evil&lt;/b&gt;" in (board / "site/index.html").read_text()


def test_site_is_self_contained(board: Path, options: VerifyOptions) -> None:
    _build(board, options)
    for page in (board / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in text and "default-src 'none'" in html.unescape(text)
        assert not re.search(r"<(script|img|iframe|link)[^>]+(src|href)=", text), page
        assert "@import" not in text and "url(" not in text
        assert len(re.findall(r"<script>", text)) == 1  # only our own inline script


def test_licensed_references_stay_out_of_the_site(board: Path, options: VerifyOptions,
                                                  private_task: tuple[Path, Path]) -> None:
    _build(board, options)
    explanation = "her eyes narrow into crescents"  # in the (test) private data and in emer-demo's own
    private_page = (board / "site/models/private.html").read_text()
    assert explanation not in private_page and "<th>reference</th>" not in private_page
    assert "licensed upstream data" in private_page
    demo_page = (board / "site/models/lexicon-baseline.html").read_text()
    assert explanation in demo_page and "<th>reference</th>" in demo_page  # project-owned demo data
    _build(board, options, private=True)
    assert explanation in (board / "site/models/private.html").read_text()


def test_build_is_deterministic(board: Path, options: VerifyOptions) -> None:
    _build(board, options)
    first = {p: p.read_bytes() for p in board.rglob("*") if p.is_file() and "submissions" not in p.parts}
    _build(board, options)
    second = {p: p.read_bytes() for p in board.rglob("*") if p.is_file() and "submissions" not in p.parts}
    assert first == second


def test_a_problem_writes_nothing(board: Path, options: VerifyOptions) -> None:
    path = board / "submissions/hostile/results.json"
    data = json.loads(path.read_text())
    data["results"]["emer-demo"]["metrics"]["label_overlap.fscore"]["value"] = 1.0
    path.write_text(json.dumps(data))
    result = build_board(board, options, SETTINGS)
    assert not result.ok and not (board / "leaderboard.json").exists() and not (board / "site").exists()


def test_plot_writes_png_and_svg(board: Path, options: VerifyOptions, tmp_path: Path) -> None:
    from emer_bench.leaderboard.plot import plot_board

    data = _build(board, options)
    written = plot_board(data, tmp_path / "plots")
    assert sorted(p.name for p in written) == ["emer-demo.png", "emer-demo.svg", "lb-private.png", "lb-private.svg"]
    assert (tmp_path / "plots/emer-demo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "plots/emer-demo.svg").read_text()
    assert "<svg" in svg and "Lexicon baseline" in svg
    again = plot_board(data, tmp_path / "again")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in written]  # CI commits only real changes
