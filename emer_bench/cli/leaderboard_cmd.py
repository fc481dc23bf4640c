"""`emer-bench leaderboard add|verify|build|plot`: submissions in, verified board out.

`add` stores a run's answers (never the references); `verify` (what CI runs on pull requests)
recomputes every metric from them and lists every problem; `build` also writes
leaderboard.json, README.md and the static site; `plot` draws the charts for papers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from emer_bench.errors import ConfigError
from emer_bench.leaderboard.build import BuildResult, build_board, check_board, read_board_json
from emer_bench.leaderboard.limits import CLAIM_TOLERANCE, MAX_FAILED_FRACTION
from emer_bench.leaderboard.ranking import RankSettings
from emer_bench.leaderboard.submission import AddOptions, add_submission
from emer_bench.leaderboard.verify import VERIFIED, VerifyOptions

EPILOG = """examples:
  emer-bench run --model lexicon-baseline --tasks emer-demo --output-dir runs
  emer-bench leaderboard add runs/lexicon-baseline --name "Lexicon baseline" --link https://example.org
  emer-bench leaderboard verify                       # what CI runs on pull requests
  emer-bench leaderboard build --data-dir ~/emer      # writes leaderboard/{leaderboard.json,README.md,site/}
  emer-bench leaderboard plot --out figures/
"""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", default="leaderboard", help="the leaderboard folder (default: ./leaderboard)")


def _verify_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--data-dir", default=None, help="task data (references) for tasks not bundled with emer-bench; "
                   "tasks whose data is absent are kept and marked 'not verifiable here'")
    p.add_argument("--resources", default=None, help="emotion-wheel resource folder (EW metrics)")
    p.add_argument("--resource-version", default="mer2025", choices=["mer2025", "mer2026"])
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAML files")
    p.add_argument("--max-failed-fraction", type=float, default=MAX_FAILED_FRACTION,
                   help=f"reject a task with more failed samples than this (default {MAX_FAILED_FRACTION})")
    p.add_argument("--tolerance", type=float, default=CLAIM_TOLERANCE,
                   help=f"allowed |claimed - recomputed| (default {CLAIM_TOLERANCE})")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("leaderboard", help="add a run to the leaderboard, verify it, build the page",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(handler=run)
    lsub = p.add_subparsers(dest="leaderboard_command", metavar="ACTION", required=True)
    a = lsub.add_parser("add", help="make a submission from a run", epilog=EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(a)
    a.add_argument("run", help="a results_<time>.json, or the run folder holding one")
    a.add_argument("--name", required=True, help="display name")
    a.add_argument("--slug", default=None, help="folder name (default: from --name)")
    a.add_argument("--link", default=None, help="paper / model card URL (http or https)")
    a.add_argument("--params", default=None, help="parameter count, e.g. 7B")
    a.add_argument("--notes", default=None)
    a.add_argument("--hardware", default=None, help="e.g. '1x A100 80GB'")
    a.add_argument("--task", action="append", default=None, help="submit only this task (repeatable)")
    a.add_argument("--force", action="store_true", help="replace an existing submission with this slug")
    a.set_defaults(action_handler=run_add)
    for name, handler, text in (("verify", run_verify, "check every submission (recompute all metrics)"),
                                ("build", run_build, "verify, then write leaderboard.json, README.md, site/")):
        v = lsub.add_parser(name, help=text, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
        _verify_args(v)
        v.set_defaults(action_handler=handler)
        if name == "build":
            v.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
            v.add_argument("--seed", type=int, default=1234, help="bootstrap seed (default 1234)")
            v.add_argument("--private", action="store_true",
                           help="also show licensed references/prompts in the site (local reading; never commit)")
            v.add_argument("--site-dir", default=None, help="write the site here instead of DIR/site")
    pl = lsub.add_parser("plot", help="charts as PNG/SVG from leaderboard.json", epilog=EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(pl)
    pl.add_argument("--out", default=None, help="output folder (default: DIR/plots)")
    pl.add_argument("--format", action="append", choices=["png", "svg", "pdf"], default=None)
    pl.set_defaults(action_handler=run_plot)


def run(args: argparse.Namespace) -> int:
    """The subcommand's entry point (the CLI contract): dispatch to add / verify / build / plot."""
    return int(args.action_handler(args))


def _options(args: argparse.Namespace) -> VerifyOptions:
    return VerifyOptions(data_dir=Path(args.data_dir) if args.data_dir else None,
                         resources_dir=Path(args.resources) if args.resources else None,
                         resource_version=args.resource_version, include_paths=[Path(p) for p in args.include_path],
                         max_failed_fraction=args.max_failed_fraction, tolerance=args.tolerance)


def _report(result: BuildResult, console: Console) -> int:
    entries = result.check.entries
    for problem in result.check.problems.lines:
        console.print(f"[bold red]rejected:[/] {escape(problem)}", highlight=False)
    verified = sum(1 for e in entries if e.status == VERIFIED)
    unverifiable = [e for e in entries if e.status != VERIFIED]
    for e in unverifiable:
        console.print(f"[yellow]not verifiable here:[/] {escape(e.submission.slug)} / {escape(e.task)}: "
                      f"{escape('; '.join(e.notes[:1]))}", highlight=False)
    console.print(f"{len(result.check.submissions)} submission(s), {verified} task row(s) verified, "
                  f"{len(unverifiable)} not verifiable here, {len(result.reported)} reported file(s), "
                  f"{len(result.check.problems.lines)} problem(s)")
    return 1 if result.check.problems else 0


def run_add(args: argparse.Namespace) -> int:
    options = AddOptions(name=args.name, link=args.link, params=args.params, notes=args.notes, hardware=args.hardware,
                         slug=args.slug, tasks=args.task, force=args.force)
    folder = add_submission(Path(args.run), Path(args.dir), options)
    Console().print(f"submission written: {escape(str(folder))}\nnext: emer-bench leaderboard verify --dir "
                    f"{escape(args.dir)}", highlight=False)
    return 0


def _board_dir(args: argparse.Namespace) -> Path:
    """--dir of verify / build: a mistyped folder gave "0 submission(s), 0 problem(s)" (exit 0), and
    build wrote an empty board into it."""
    folder = Path(args.dir)
    if not folder.is_dir():
        raise ConfigError(f"--dir {folder}: no such folder (the leaderboard folder, holding submissions/)")
    return folder


def run_verify(args: argparse.Namespace) -> int:
    return _report(check_board(_board_dir(args), _options(args)), Console())


def run_build(args: argparse.Namespace) -> int:
    _board_dir(args)
    settings = RankSettings(n_resamples=args.n_resamples, seed=args.seed)
    result = build_board(Path(args.dir), _options(args), settings, private=args.private,
                         site_dir=Path(args.site_dir) if args.site_dir else None)
    console = Console()
    code = _report(result, console)
    if code == 0:
        console.print(f"written: {escape(str(Path(args.dir) / 'leaderboard.json'))}, README.md, site/")
    else:
        console.print("[bold red]nothing written[/]: fix the problems above")
    return code


def run_plot(args: argparse.Namespace) -> int:
    from emer_bench.leaderboard.plot import plot_board

    out = Path(args.out) if args.out else Path(args.dir) / "plots"
    written = plot_board(read_board_json(Path(args.dir)), out, tuple(args.format or ["png", "svg"]))
    Console().print("\n".join(escape(str(p)) for p in written) or "no verified rows to plot")
    return 0
