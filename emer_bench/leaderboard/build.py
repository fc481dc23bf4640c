"""`emer-bench leaderboard build` / `verify`: check every submission, then (build) write
leaderboard.json, README.md and site/ — all or nothing: a board with any problem writes nothing."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emer_bench.errors import ConfigError
from emer_bench.leaderboard.board_json import board_json
from emer_bench.leaderboard.markdown import board_markdown
from emer_bench.leaderboard.ranking import RankSettings, TaskBoard, rank_tasks
from emer_bench.leaderboard.reported import ReportedFile, load_reported_file
from emer_bench.leaderboard.site_index import index_page
from emer_bench.leaderboard.site_model import model_page
from emer_bench.leaderboard.verify import BoardCheck, VerifyOptions, verify_board
from emer_bench.results.writer import write_json_atomic


@dataclass
class BuildResult:
    check: BoardCheck
    reported: list[tuple[str, ReportedFile]] = field(default_factory=list)
    boards: list[TaskBoard] = field(default_factory=list)
    board: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.check.problems


def check_board(board_dir: Path, options: VerifyOptions) -> BuildResult:
    """Verify the submissions and the reported figures; every problem is collected."""
    check = verify_board(board_dir, options)
    result = BuildResult(check)
    folder = Path(board_dir) / "reported"
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            if path.is_symlink():
                raise ConfigError(f"{path}: a reported figures file must be a plain file")
            result.reported.append((path.name, load_reported_file(path)))
        except ConfigError as exc:
            check.problems.add("reported", str(exc))
    return result


def site_files(result: BuildResult, private: bool = False) -> dict[str, str]:
    """Relative path -> text of every page of the static site."""
    assert result.board is not None
    files = {"index.html": index_page(result.board)}
    for sub in result.check.submissions:
        entries = [e for e in result.check.entries if e.submission is sub]
        files[f"models/{sub.slug}.html"] = model_page(sub, entries, private=private)
    return files


def _replace_dir(target: Path, files: dict[str, str]) -> None:
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for rel, text in files.items():
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    staging.replace(target)


def build_board(board_dir: Path, options: VerifyOptions, settings: RankSettings | None = None,
                private: bool = False, site_dir: Path | None = None) -> BuildResult:
    """Verify, rank and write everything; nothing is written when a problem is found."""
    settings = settings or RankSettings()
    result = check_board(board_dir, options)
    if not result.ok:
        return result
    result.boards = rank_tasks(result.check.entries, settings)
    result.board = board_json(result.boards, result.check.submissions, result.reported, settings)
    board_dir = Path(board_dir)
    write_json_atomic(board_dir / "leaderboard.json", result.board)
    (board_dir / "README.md").write_text(board_markdown(result.board), encoding="utf-8")
    _replace_dir(site_dir or board_dir / "site", site_files(result, private))
    return result


def read_board_json(board_dir: Path) -> dict[str, Any]:
    path = Path(board_dir) / "leaderboard.json"
    try:
        board: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return board
    except FileNotFoundError:
        raise ConfigError(f"{path} not found; run `emer-bench leaderboard build` first") from None
