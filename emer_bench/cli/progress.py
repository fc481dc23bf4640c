"""Progress of `run`: a rich bar on a terminal; elsewhere (CI logs, `| tee`) one plain line at
start, every `interval_s` seconds and at the end, so a log shows the run is alive."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Callable, Iterator, TextIO

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TaskID, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text


REFRESH_PER_SECOND = 2


class _RateColumn(ProgressColumn):
    """Samples per second (rich's own speed columns are for bytes)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.2f}/s" if task.speed else "-/s", style="cyan")


class RichProgress:
    """Progress sink shown as a rich bar: count, rate, failures, elapsed and ETA."""

    def __init__(self, progress: Progress, task_id: TaskID) -> None:
        self.progress, self.task_id, self.failed = progress, task_id, 0

    def advance(self, failed: bool) -> None:
        self.failed += int(failed)
        self.progress.update(self.task_id, advance=1, failed=self.failed)


def rich_factory(console: Console) -> Callable[[str, int, int], contextlib.AbstractContextManager[RichProgress]]:
    @contextlib.contextmanager
    def factory(task: str, total: int, done: int) -> Iterator[RichProgress]:
        columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   _RateColumn(), TextColumn("[red]{task.fields[failed]} failed"),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]
        # Redrawn twice a second, not rich's default ten: each redraw is ~0.7 ms of Python on the
        # GIL, taken from the thread that launches a local model's GPU kernels.
        with Progress(*columns, console=console, refresh_per_second=REFRESH_PER_SECOND) as progress:
            yield RichProgress(progress, progress.add_task(task, total=total, completed=done, failed=0))

    return factory


class PlainProgress:
    """One line per interval: `progress emer-fine: 120/332 done, 3 failed, 2.10/s, 57s elapsed`."""

    def __init__(self, task: str, total: int, done: int, stream: TextIO, interval_s: float) -> None:
        self.task, self.total, self.done, self.failed = task, total, done, 0
        self.stream, self.interval_s = stream, interval_s
        self.start = self.last = time.monotonic()
        self.asked = 0
        self.shown = -1  # `done` at the last line

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        rate = f"{self.asked / elapsed:.2f}/s" if elapsed > 0 and self.asked else "-/s"
        return (f"progress {self.task}: {self.done}/{self.total} done, {self.failed} failed, {rate}, "
                f"{elapsed:.0f}s elapsed")

    def emit(self) -> None:
        if self.done == self.shown:
            return
        print(self.line(), file=self.stream, flush=True)
        self.last, self.shown = time.monotonic(), self.done

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.asked += 1
        self.failed += int(failed)
        if time.monotonic() - self.last >= self.interval_s:
            self.emit()


def plain_factory(stream: TextIO, interval_s: float) -> Callable[[str, int, int], contextlib.AbstractContextManager[PlainProgress]]:
    @contextlib.contextmanager
    def factory(task: str, total: int, done: int) -> Iterator[PlainProgress]:
        sink = PlainProgress(task, total, done, stream, interval_s)
        sink.emit()
        try:
            yield sink
        finally:
            sink.emit()

    return factory


def progress_factory(err: Console, no_progress: bool, interval_s: float) -> Callable[[str, int, int], contextlib.AbstractContextManager[RichProgress | PlainProgress]] | None:
    """The progress display of `run` and `ablate`: a rich bar on a terminal, plain lines at
    intervals elsewhere (CI logs), none with --no-progress."""
    if no_progress:
        return None
    if err.is_terminal and os.environ.get("CI") != "true":
        return rich_factory(err)
    return plain_factory(sys.stderr, interval_s)
