"""The progress bar of an indexing run: Rich, on stderr, only when stderr is a terminal.

The indexer reports `Progress` values through a callback; this module owns how they look.
Rich's progress machinery is imported on the first report, so a run that reports nothing
(a refresh with nothing to read, or output that is not a terminal) never loads it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console

from newsgrep.model import Progress

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


class ProgressBar:
    """A Rich progress bar on stderr, created on the first file read; or nothing at all.
    It counts files, shows articles per second and the time left, and says "committing"
    once every file is in and the index is being written."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled
        self.bar: RichProgress | None = None
        self.task: TaskID | None = None
        self.started = 0.0

    def __enter__(self) -> Callable[[Progress], None] | None:
        return self.update if self.enabled else None

    def update(self, progress: Progress) -> None:
        if self.bar is None or self.task is None:
            self.bar, self.task = self._start(progress.files_total)
        elapsed = time.monotonic() - self.started
        done = progress.files_done >= progress.files_total
        self.bar.update(
            self.task,
            completed=progress.files_done,
            description="committing" if done else "indexing",
            rate=f"{progress.articles / elapsed:,.0f}" if elapsed > 0.5 else "–",
        )

    def _start(self, files_total: int) -> tuple[RichProgress, TaskID]:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[rate]} articles/s"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        bar.start()
        task = bar.add_task("indexing", total=files_total, rate="–")
        self.started = time.monotonic()
        return bar, task

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
