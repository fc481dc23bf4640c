"""The committed top-level leaderboard/: its submissions verify, its generated files are what
`build` makes from them now (not stale, not hand-edited), and no licensed reference is in it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from emer_bench.api.scorer import ScoringContext
from emer_bench.leaderboard.build import build_board
from emer_bench.leaderboard.verify import VERIFIED, VerifyOptions

BOARD = Path(__file__).resolve().parents[2] / "leaderboard"


def test_committed_board_verifies_and_is_up_to_date(tmp_path: Path, scoring_context: ScoringContext) -> None:
    copy = tmp_path / "leaderboard"
    shutil.copytree(BOARD, copy, ignore=shutil.ignore_patterns("site", "plots", "leaderboard.json", "README.md"))
    result = build_board(copy, VerifyOptions(context=scoring_context))
    assert result.ok, ("the committed leaderboard no longer verifies (a task or scorer changed?); "
                       f"re-make it with `bash scripts/leaderboard_seed.sh`: {result.check.problems.lines}")
    status = {e.submission.slug: (e.status, e.main_value is not None) for e in result.check.entries}
    assert status["lexicon-baseline"] == (VERIFIED, True)
    assert status["fer-cnn"] == (VERIFIED, False)  # class scores only: no text, so no main metric; not ranked
    assert result.board is not None
    ranks = {r["submission"]: r["rank"] for r in result.board["tasks"][0]["rows"]}
    assert ranks == {"lexicon-baseline": 1, "fer-cnn": None}
    for rel in ["leaderboard.json", "README.md", "site/index.html",
                *(str(p.relative_to(BOARD)) for p in (BOARD / "site/models").glob("*.html"))]:
        assert (copy / rel).read_text(encoding="utf-8") == (BOARD / rel).read_text(encoding="utf-8"), (
            f"leaderboard/{rel} is stale: run `emer-bench leaderboard build` (or scripts/leaderboard_seed.sh)")
    assert sorted(p.name for p in (copy / "site/models").iterdir()) == sorted(
        p.name for p in (BOARD / "site/models").iterdir())


def test_no_licensed_reference_is_committed(emer_data_dir: Path) -> None:
    with (emer_data_dir / "emer_v1_gt_eng.csv").open(encoding="utf-8-sig", newline="") as fh:
        reasons = [row["reasons"].strip() for row in csv.DictReader(fh)]
    probes = [r[:60] for r in reasons if len(r) > 60]
    assert len(probes) > 50
    for path in BOARD.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".jsonl", ".md", ".html", ".yaml", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert not any(p in text for p in probes), path
