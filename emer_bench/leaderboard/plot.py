"""`emer-bench leaderboard plot`: the per-task bar charts with 95% CI whiskers as PNG and SVG
files for papers, drawn with matplotlib from leaderboard.json (verified rows only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emer_bench.errors import ConfigError
from emer_bench.leaderboard.limits import make_slug


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ConfigError("`leaderboard plot` needs matplotlib: pip install 'emer-bench[plot]'") from None
    matplotlib.use("Agg")  # files only; never opens a window
    import matplotlib.pyplot as plt

    return plt


def plot_task(task: dict[str, Any], out_dir: Path, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    rows = [r for r in task["rows"] if r["status"] == "verified" and r["value"] is not None]
    if not rows:
        return []
    plt = _pyplot()
    names = [r["name"] for r in rows][::-1]  # best at the top
    values = [100 * r["value"] for r in rows][::-1]
    low = [100 * (r["value"] - r["ci95"][0]) if r["ci95"] else 0.0 for r in rows][::-1]
    high = [100 * (r["ci95"][1] - r["value"]) if r["ci95"] else 0.0 for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(rows) + 1.2))
    ax.barh(range(len(rows)), values, xerr=[low, high], capsize=4, color="#0969da", ecolor="#1b1f24")
    ax.set_yticks(range(len(rows)), labels=names)
    ax.set_xlabel(f"{task['main_metric']} ×100 (95% bootstrap CI)")
    ax.set_title(f"{task['task']} (v{task['version']})")
    ax.set_xlim(left=0)
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        # Fixed metadata: the same board gives byte-identical files (no creation date, no version).
        path = out_dir / f"{make_slug(task['task']) or 'task'}.{fmt}"
        meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        with plt.rc_context({"svg.hashsalt": "emer-bench"}):  # fixed element ids in the SVG
            fig.savefig(path, format=fmt, dpi=150, metadata=meta)
        written.append(path)
    plt.close(fig)
    return written


def plot_board(board: dict[str, Any], out_dir: Path, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    written: list[Path] = []
    for task in board["tasks"]:
        written += plot_task(task, Path(out_dir), formats)
    return written
