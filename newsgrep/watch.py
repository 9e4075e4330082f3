"""`newsgrep index --watch`: keeping the index current while files arrive, change or vanish.

The loop is plain: the folders are watched (watchfiles: inotify on Linux, FSEvents, or
ReadDirectoryChanges), and every burst of changes becomes one ordinary indexing run over
the watched paths, so one commit. A run stats every file and reads only those whose stat
changed (see `indexer`), so it is cheap, and it is exact by construction: the index after
a batch is what `newsgrep index` would make of the folders at that moment, excludes and
ids included, whatever events the watcher saw or missed. Searches are unaffected: they
open the last commit, and a batch is a commit like any other.

Timing: a burst is collected until it has been quiet for `QUIET_MS`, or for at most
`BURST_MS` (watchfiles' step and debounce), so a new file is searchable well within two
seconds and a copy of a thousand files makes a few commits, not a thousand. The watcher is
armed before the first catch-up run, so nothing that changes while the index is being
brought up to date is missed. Every `IDLE_MS` without changes the loop wakes, to retry a
batch another run kept from the lock and to notice a watched folder that has vanished.

This module returns data and never prints; Ctrl-C (KeyboardInterrupt) goes through: a run
it stops is cancelled, so the index keeps its last commit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from newsgrep.errors import IndexLockedError, NewsgrepError
from newsgrep.ignore import IGNORE_FILE
from newsgrep.indexer import DEFAULT_LOCK_WAIT_SECONDS, DEFAULT_MAX_SIZE, run_index
from newsgrep.indexing_pass import ProgressCallback
from newsgrep.model import IndexReport
from newsgrep.paths import covering_root, is_within

QUIET_MS = 100
BURST_MS = 1000
IDLE_MS = 500


class WatchError(NewsgrepError):
    """Watching cannot start or go on (a watch limit, a folder that vanished)."""


class Stop(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Batch:
    """One run of the watch: what it did, the paths whose change started it (empty for the
    catch-up run), and a warning when the run could not take place (it is retried)."""

    report: IndexReport | None
    changed: tuple[str, ...] = ()
    warning: str | None = None


def watch_index(
    index_dir: Path,
    paths: Sequence[Path] = (),
    *,
    on_batch: Callable[[Batch], None],
    on_ready: Callable[[list[str]], None] | None = None,
    stop: Stop | None = None,
    max_size: int | None = DEFAULT_MAX_SIZE,
    excludes: Sequence[str] | None = None,
    wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
    progress: ProgressCallback | None = None,
) -> None:
    """Index `paths` (default: the folders the index covers), then keep the index current
    until `stop` is set or Ctrl-C. `on_batch` hears of every run; `on_ready` is told the
    folders watched once the watcher is armed and the index caught up.

    Raises:
        WatchError: a path cannot be watched, or a watched folder is gone.
        SourcePathError, IndexLockedError, IndexWriteError: as `run_index` (the first run).
    """
    first = run_index(
        index_dir,
        paths,
        wait_seconds=wait_seconds,
        max_size=max_size,
        excludes=excludes,
        progress=progress,  # (only the first run can be long enough to need it)
    )
    on_batch(Batch(first))
    roots = [os.path.abspath(path) for path in paths] or list(first.folders)
    if not roots:
        raise WatchError("nothing to watch: the index covers no folders")
    _check_present(roots)

    def index(changed: Iterable[str]) -> bool:
        """A run; False when another run held the lock (then it is tried again)."""
        try:
            report = run_index(index_dir, paths, wait_seconds=wait_seconds, max_size=max_size)
        except IndexLockedError as error:
            on_batch(Batch(None, tuple(sorted(changed)), f"{error}; trying again"))
            return False
        on_batch(Batch(report, tuple(sorted(changed))))
        return True

    pending = True  # the catch-up run, once the watcher is armed
    ready = False
    for changes in _changes(roots, index_dir, stop):
        if changes or pending:
            _check_present(roots)
            pending = not index(changes)
        if not ready and not pending:
            ready = True
            if on_ready is not None:
                on_ready(roots)
        if not changes:
            _check_present(roots)


def _changes(roots: list[str], index_dir: Path, stop: Stop | None) -> Iterable[set[str]]:
    """The paths changed in each burst under `roots`, and an empty set every IDLE_MS."""
    import watchfiles

    wanted = _filter(roots, os.path.abspath(index_dir))
    try:
        for changes in watchfiles.watch(
            *roots,
            watch_filter=lambda _change, path: wanted(path),
            debounce=BURST_MS,
            step=QUIET_MS,
            stop_event=stop,
            rust_timeout=IDLE_MS,
            yield_on_timeout=True,
            raise_interrupt=True,
        ):
            yield {path for _change, path in changes}
    except FileNotFoundError as error:
        raise WatchError(f"cannot watch {_which(error, roots)}: it is gone") from None
    except (OSError, RuntimeError) as error:  # e.g. inotify's watch limit
        raise WatchError(
            f"cannot watch {_which(error, roots)}: {_reason(error)}",
            hint=_limit_hint(error),
        ) from None


def _filter(roots: list[str], index_real: str) -> Callable[[str], bool]:
    """Whether a change at a path can matter: not inside the index folder (its own commits
    would wake the watcher for ever), not under a hidden name below a root (the walk skips
    those), except an ignore file."""
    under = set(roots)

    def wanted(path: str) -> bool:
        if is_within(path, index_real) or is_within(os.path.realpath(path), index_real):
            return False
        root = covering_root(path, under)
        if root is None or path == root:
            return True
        parts = os.path.relpath(path, root).split(os.sep)
        hidden = [part for part in parts if part.startswith(".")]
        return not hidden or (hidden == [IGNORE_FILE] and parts[-1] == IGNORE_FILE)

    return wanted


def _check_present(roots: list[str]) -> None:
    for root in roots:
        if not os.path.exists(root):
            raise WatchError(
                f"stopped watching: {root} is gone; the index keeps its last commit",
                hint="run newsgrep index --watch again once it is back",
            )


def _which(error: Any, roots: list[str]) -> str:
    named = getattr(error, "filename", None)
    if named:
        return os.fsdecode(named)
    for root in roots:
        if root in str(error):
            return root
    return ", ".join(roots)


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return text.splitlines()[0].rstrip(".").lower()


def _limit_hint(error: BaseException) -> str | None:
    if "limit" in str(error).lower():
        return "raise it (sysctl fs.inotify.max_user_watches), or watch fewer folders"
    return None
