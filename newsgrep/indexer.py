"""An indexing run: which files are new, changed, gone or unchanged, and bringing the index
in line with them.

The run walks the folders (hidden names skipped), compares each file's size and mtime with
the manifest, reads only files whose stat changed, confirms a change by content hash, and
commits every change in one batch with the manifest that describes it. Bad files are skipped
with a reason and the rest goes on. It never prints: progress goes to a callback and the
outcome comes back as an `IndexReport`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from newsgrep.engine.folder import IndexStore, damaged_index_error, raised_reading_files
from newsgrep.engine.index import Index
from newsgrep.errors import IndexWriteError, NewsgrepError, SourcePathError
from newsgrep.indexing_pass import Pass, ProgressCallback
from newsgrep.manifest import Manifest, salvage
from newsgrep.model import IndexReport
from newsgrep.paths import covering_roots, is_within
from newsgrep.walk import os_reason

DEFAULT_LOCK_WAIT_SECONDS = 10.0
# Files larger than this are skipped, not read: an article is kilobytes and a JSON Lines
# archive of 100,000 of them tens of megabytes, while a stray log or database dump of
# gigabytes would be read whole into memory (`--max-size`, config `max_size`; None: none).
DEFAULT_MAX_SIZE = 64 * 1024 * 1024


def run_index(
    index_dir: Path,
    paths: Iterable[Path] = (),
    *,
    rebuild: bool = False,
    wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
    progress: ProgressCallback | None = None,
    max_size: int | None = DEFAULT_MAX_SIZE,
    compact: bool = False,
    excludes: Sequence[str] | None = None,
) -> IndexReport:
    """Bring the index at `index_dir` in line with `paths` (default: the folders it covers).
    Files over `max_size` bytes are skipped unread (None: no limit). `compact` also rewrites
    the index without the space its deleted articles take. `excludes` (gitignore patterns)
    become those of the run's folders, remembered (None: keep them; empty: forget them).

    Raises:
        SourcePathError: a path does not exist, or there is nothing to index.
        IndexLockedError: another run holds the index past `wait_seconds`.
        IndexWriteError: the index folder cannot be created or written.
    """
    try:
        return _run_index(
            index_dir, paths, rebuild, wait_seconds, progress, max_size, compact, excludes
        )
    except OSError as error:  # an article that cannot be read is skipped: this is the index
        where = os.fsdecode(error.filename) if error.filename else ""
        where = f"{where}: " if where and where != os.fspath(index_dir) else ""
        raise IndexWriteError(
            f"cannot write the index at {index_dir}: {where}{os_reason(error)}",
            hint="give a folder you can write with --index",
        ) from None


def _run_index(
    index_dir: Path,
    paths: Iterable[Path],
    rebuild: bool,
    wait_seconds: float,
    progress: ProgressCallback | None,
    max_size: int | None,
    compact: bool = False,
    excludes: Sequence[str] | None = None,
) -> IndexReport:
    started = time.perf_counter()
    store = IndexStore(index_dir)
    requested = [_absolute(path) for path in paths]
    for path in requested:
        if not os.path.exists(path):
            raise SourcePathError(f"no such file or folder: {path}")
        if is_within(os.path.realpath(path), os.path.realpath(index_dir)):
            raise SourcePathError(f"{path} is inside the index folder; give the articles' folder")
    if not requested and not store.exists() and not salvage(index_dir).folders:
        # Before the lock, which makes the folder: nothing is made by mistake.
        raise SourcePathError(
            f"nothing to index: there is no index at {index_dir} yet, and no folders were given",
            hint="run: newsgrep index seeds/",
        )
    with store.lock(wait_seconds), _updating(index_dir):
        ix, manifest = _open_or_create(store, rebuild, requested)
        report = IndexReport()
        # What an interrupted run left (the lock is ours, so no run is writing them now).
        report.leftovers_removed = [left.name for left in ix.remove_leftovers()]
        roots = covering_roots(requested) or list(manifest.folders)
        if not roots:
            raise SourcePathError(
                "nothing to index: this index covers no folders yet",
                hint="run: newsgrep index seeds/",
            )
        index_real = os.path.realpath(index_dir)
        folders = covering_roots(manifest.folders + requested)
        folders_changed = folders != manifest.folders
        manifest.folders = folders
        folders_changed |= manifest.set_excludes(roots, excludes)
        batch = ix.batch(clear=rebuild, compact=compact)
        try:
            run = Pass(
                manifest,
                batch,
                report,
                rebuild=rebuild,
                progress=progress,
                ids_settled=not folders_changed,
                max_size=max_size,
            )
            run.update(roots, index_real)
            batch.commit(
                manifest,
                manifest_changed=folders_changed or run.changed,
                waiting=run.report_progress,
            )
            if run.files_to_read:
                run.report_progress()  # every file now written
        except BaseException:
            batch.cancel()  # nothing half-written: the last commit stays as it was
            raise
        report.total_articles = ix.doc_count()  # the index as just committed
        report.folders = list(manifest.folders)
    report.seconds = time.perf_counter() - started
    return report


_WRITE_HINTS = {
    errno.ENOSPC: "free some disk space, then run newsgrep index again",
    errno.EDQUOT: "free some space within your disk quota, then run newsgrep index again",
    errno.EFBIG: "a file size limit was reached (ulimit -f); raise it and run newsgrep index again",
    errno.EROFS: "the file system is read-only; give an index folder that can be written",
    errno.EACCES: "check that you may write to the index folder",
    errno.EPERM: "check that you may write to the index folder",
}


@contextlib.contextmanager
def _updating(index_dir: Path) -> Iterator[None]:
    """An OS error while the index is being updated (source files' errors are handled where
    they are read) becomes one clear error: the run was cancelled, the last commit stands.
    So does a damaged index file that Whoosh fails to read."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        code = errno.errorcode.get(error.errno or 0)
        raise IndexWriteError(
            f"could not update the index at {index_dir}: {reason}"
            f"{f' ({code})' if code else ''}; the run was cancelled and the index was left "
            "as it was",
            hint=_WRITE_HINTS.get(error.errno or 0, "run newsgrep index again once it is fixed"),
        ) from None
    except Exception as error:  # Whoosh raises many kinds for a damaged file
        if isinstance(error, NewsgrepError) or not raised_reading_files(error):
            raise
        raise damaged_index_error(index_dir, error) from None


def _absolute(path: Path) -> str:
    return os.path.abspath(os.fspath(path))


def _open_or_create(
    store: IndexStore, rebuild: bool, requested: list[str]
) -> tuple[Index, Manifest]:
    if not store.exists():
        # The folders a run stopped while creating the index was asked for, if any, and
        # these: recorded before the index exists (see `IndexStore.create`).
        return _create(store, requested)
    try:
        ix = Index.open(store)
    except NewsgrepError:
        if not rebuild:
            raise
        # Unreadable, or from another version: start afresh, over the folders it covered.
        return _create(store, requested)
    manifest = ix.manifest(ix.committed_generation())
    if manifest is None:  # lost: the documents tell the files, an older manifest the excludes
        manifest = ix.recover_manifest()
        manifest.excludes = salvage(store.directory).excludes
    if rebuild:
        manifest = Manifest(folders=manifest.folders, excludes=manifest.excludes)
    return ix, manifest


def _create(store: IndexStore, requested: list[str]) -> tuple[Index, Manifest]:
    """A new index over `requested` and the folders (and their excludes) that an earlier
    run stopped while creating it, or an unreadable one, covered."""
    found = salvage(store.directory)
    manifest = Manifest(folders=covering_roots(found.folders + requested), excludes=found.excludes)
    return Index.create(store, manifest), manifest
