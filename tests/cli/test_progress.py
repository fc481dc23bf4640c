"""The rich progress bar redraws twice a second: each redraw holds the GIL for Python work that a
local model's kernel-launching thread would otherwise wait for."""

from __future__ import annotations

import io

from rich.console import Console

from emer_bench.cli.progress import REFRESH_PER_SECOND, rich_factory


def test_the_bar_counts_and_redraws_at_most_twice_a_second() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with rich_factory(console)("emer-fine", 10, 2) as bar:
        bar.advance(False)
        bar.advance(True)
        live = bar.progress.live
        task = bar.progress.tasks[0]
        assert (task.completed, task.fields["failed"]) == (4, 1)
        assert REFRESH_PER_SECOND == 2 and live.refresh_per_second == 2 and live.auto_refresh
