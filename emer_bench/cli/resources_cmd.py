"""`emer-bench resources fetch|path|verify`: the emotion-wheel files of the EW metrics."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emer_bench.resources.wheel_tables import load_wheel_tables
from emer_bench.resources.emotion_wheel import (DEFAULT_BASE_URL, DEFAULT_VERSION, ENV_BASE_URL, ENV_CACHE,
                                                ENV_RESOURCES, PINNED_COMMIT, UPSTREAM_REPO, VERSIONS, cached_dir,
                                                fetch_resources, identify_version, is_complete, resolve_resources,
                                                verify_directory)

EPILOG = f"""\
The files come from {UPSTREAM_REPO} at commit {PINNED_COMMIT[:12]} and are checked
against pinned sha256 digests before they are cached. Environment: ${ENV_CACHE} (cache root),
${ENV_RESOURCES} (a directory to use instead of the cache), ${ENV_BASE_URL} (download mirror).

examples:
  emer-bench resources fetch
  emer-bench resources fetch --version mer2026
  emer-bench resources path
  emer-bench resources verify
  emer-bench resources verify --resources ./my_emotion_wheel
"""


def _sub(sub: Any, name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text,
                                                     epilog=f"examples:\n{examples}",
                                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", default=DEFAULT_VERSION, choices=sorted(VERSIONS),
                        help=f"resource set (default {DEFAULT_VERSION})")
    return parser


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("resources", help="fetch, locate or verify the emotion-wheel resources",
                                   description="Manage the emotion-wheel resources of the EW metrics.",
                                   epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="resources_command", metavar="ACTION", required=True)
    fetch = _sub(sub, "fetch", "download the pinned files into the cache (sha256-checked)",
                 "  emer-bench resources fetch\n  emer-bench resources fetch --version mer2026 --base-url http://mirror/x\n")
    fetch.add_argument("--base-url", default=None, metavar="URL",
                       help=f"download root holding the upstream layout (default {DEFAULT_BASE_URL})")
    _sub(sub, "path", "print the cache directory of a version", "  emer-bench resources path\n")
    verify = _sub(sub, "verify", "check a resource directory against the pinned sha256 and parse it",
                  "  emer-bench resources verify\n  emer-bench resources verify --resources ./emotion_wheel\n")
    verify.add_argument("--resources", type=Path, default=None, metavar="DIR",
                        help="directory to check (default: $EMER_BENCH_RESOURCES, then the cache)")
    parser.set_defaults(handler=run)


def run_fetch(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    target = fetch_resources(args.version, base_url=args.base_url,
                             progress=lambda url: console.print(f"downloading {escape(url)}", highlight=False))
    print(target)
    return 0


def run_path(args: argparse.Namespace) -> int:
    target = cached_dir(args.version)
    print(target)
    if not is_complete(target):
        Console(stderr=True).print(f"[yellow]not fetched yet:[/] run `emer-bench resources fetch --version "
                                   f"{args.version}`", highlight=False)
        return 1
    return 0


def run_verify(args: argparse.Namespace) -> int:
    console = Console()
    resolved = resolve_resources(args.resources, args.version)
    report = verify_directory(resolved.directory, args.version)
    table = Table(title=f"{resolved.directory} ({resolved.source}) vs pinned {args.version}")
    for column in ("file", "sha256", "pinned"):
        table.add_column(column)
    for name, (actual, _pinned, ok) in report.items():
        table.add_row(name, (actual or "missing")[:16], "[green]match[/]" if ok else "[red]differs[/]")
    console.print(table)
    tables = load_wheel_tables(resolved.directory)  # proves the files parse; ResourceError otherwise
    console.print(f"parsed: {len(tables.vocabulary)} surface forms, {len(tables.synonym_map)} synonym entries")
    for warning in tables.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if all(ok for _, _, ok in report.values()):
        console.print(f"[green]all files match the pinned {args.version} resources[/]")
        return 0
    other = identify_version(tables.sha256)
    hint = f" (they are the pinned {other} files)" if other else ""
    console.print(f"[yellow]files differ from the pinned {args.version} resources{hint}; scores made with them "
                  f"record matches_pinned: false[/]")
    return 1


ACTIONS = {"fetch": run_fetch, "path": run_path, "verify": run_verify}


def run(args: argparse.Namespace) -> int:
    return ACTIONS[args.resources_command](args)
