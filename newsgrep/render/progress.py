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
from newsgrep.wording import format_size

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


class ProgressBar:
    """A Rich progress bar on stderr, created on the first file read; or nothing at all.
    It fills with the bytes of the files written (so one large JSON Lines file moves it as
    its records are written, where a count of files would sit at 0/1), and says how many
    files are done, articles per second and the time left; "committing" once every file
    is in and the index is being written."""

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
            self.bar, self.task = self._start()
        elapsed = time.monotonic() - self.started
        done = progress.files_done >= progress.files_total
        # Bytes when the run knows them; else (a caller that counts files only) files.
        completed, total = progress.bytes_done, progress.bytes_total
        if total <= 0:
            completed, total = progress.files_done, max(1, progress.files_total)
            amount = ""
        else:
            amount = f"{format_size(completed, spaced=True)}/{format_size(total, spaced=True)} · "
        self.bar.update(
            self.task,
            completed=completed,
            total=total,
            description="committing" if done else "indexing",
            amount=f"{amount}{progress.files_done:,}/{progress.files_total:,} files",
            rate=f"{progress.articles / elapsed:,.0f}" if elapsed > 0.5 else "–",
        )

    def _start(self) -> tuple[RichProgress, TaskID]:
        from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[amount]} · {task.fields[rate]} articles/s"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        bar.start()
        task = bar.add_task("indexing", total=1, amount="", rate="–")
        self.started = time.monotonic()
        return bar, task

    def close(self) -> None:
        """Take the bar off the screen (it may be shown again by the next update)."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = self.task = None

    def __exit__(self, *exc: object) -> None:
        self.close()
