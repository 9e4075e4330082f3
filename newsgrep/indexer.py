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
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from newsgrep.engine.folder import IndexStore
from newsgrep.engine.index import Index
from newsgrep.engine.transaction import Batch
from newsgrep.errors import IndexWriteError, NewsgrepError, SourcePathError
from newsgrep.file_ids import covering_folder, settle_ids
from newsgrep.formats import ArticleFileError, parse_appended_lines, parse_article_file
from newsgrep.manifest import (
    FileEntry,
    Manifest,
    content_hash,
    record_fingerprint,
    salvage,
)
from newsgrep.model import Article, IndexReport, ParsedFile, Problem, Progress, SourceFile
from newsgrep.paths import covering_root, covering_roots, is_within, under_any
from newsgrep.walk import Candidate, os_reason, same_stat, walk
from newsgrep.wording import format_size

DEFAULT_LOCK_WAIT_SECONDS = 10.0
# Files larger than this are skipped, not read: an article is kilobytes and a JSON Lines
# archive of 100,000 of them tens of megabytes, while a stray log or database dump of
# gigabytes would be read whole into memory (`--max-size`, config `max_size`; None: none).
DEFAULT_MAX_SIZE = 64 * 1024 * 1024
TOO_LARGE = "larger than the limit"


ProgressCallback = Callable[[Progress], None]


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
    with store.lock(wait_seconds), _updating(index_dir):
        ix, manifest = _open_or_create(store, rebuild)
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
            run = _Run(
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
    they are read) becomes one clear error: the run was cancelled, the last commit stands."""
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


def _absolute(path: Path) -> str:
    return os.path.abspath(os.fspath(path))


def _open_or_create(store: IndexStore, rebuild: bool) -> tuple[Index, Manifest]:
    if not store.exists():
        return Index.create(store), Manifest()
    try:
        ix = Index.open(store)
    except NewsgrepError:
        if not rebuild:
            raise
        # Unreadable, or from another version: start afresh, over the folders it covered.
        found = salvage(store.directory)
        return Index.create(store), Manifest(folders=found.folders, excludes=found.excludes)
    manifest = ix.manifest()
    if manifest is None:  # lost: the documents tell the files, an older manifest the excludes
        manifest = ix.recover_manifest()
        manifest.excludes = salvage(store.directory).excludes
    if rebuild:
        manifest = Manifest(folders=manifest.folders, excludes=manifest.excludes)
    return ix, manifest


class _Run:
    """One pass over the roots: walk, drop what is gone, settle ids, read what changed."""

    def __init__(
        self,
        manifest: Manifest,
        batch: Batch,
        report: IndexReport,
        *,
        rebuild: bool,
        progress: ProgressCallback | None = None,
        ids_settled: bool = False,
        max_size: int | None = None,
    ) -> None:
        self.manifest = manifest
        self.batch = batch
        self.report = report
        self.rebuild = rebuild
        self.progress = progress
        # Whether the folders are those the manifest's ids were settled for: then every
        # indexed file's id is still right, and only new files need one.
        self.ids_settled = ids_settled
        self.max_size = max_size
        self.paths_by_id = {entry.id: path for path, entry in manifest.files.items()}
        self.changed = False  # whether the manifest was changed
        self.files_read = self.files_to_read = 0
        self.files_sent = 0  # files read whose articles went to the writer
        self.bytes_to_read = self.bytes_unsent = 0  # (unsent: files read that sent nothing)
        self.last_progress: Progress | None = None
        batch.on_progress = self.report_progress

    def update(self, roots: list[str], index_real: str) -> None:
        found, kept = self._walk_roots(roots, index_real)
        # Planned from the stat alone, before a removal opens the writer and before ids are
        # settled: the bytes to read, give or take a file whose id moves.
        self.batch.plan(sum(c.size for c in found if not self._unchanged_by_stat(c)))
        seen = {candidate.path for candidate in found} | kept
        for path in [p for p in self.manifest.files if p not in seen and under_any(p, roots)]:
            self._remove(path)
        ids = settle_ids(found, self.manifest, self.paths_by_id, settled=self.ids_settled)
        to_read = []
        for candidate in found:
            entry = self.manifest.files.get(candidate.path)
            if self.max_size is not None and candidate.size > self.max_size:
                self._skip_large(candidate, ids[candidate.path], entry, candidate.size)
            elif (
                entry is not None
                and entry.id == ids[candidate.path]
                and same_stat(entry, candidate)
                and not (entry.skip or "").startswith(TOO_LARGE)  # the limit may have risen
            ):
                self._count_unchanged(entry, candidate.path)
            else:
                to_read.append(candidate)
        self.files_to_read = len(to_read)
        self.bytes_to_read = sum(candidate.size for candidate in to_read)
        for candidate in to_read:
            sent = self.batch.sent_articles
            self._read(candidate, ids[candidate.path])
            self.files_read += 1
            self.bytes_unsent += candidate.size if self.batch.sent_articles == sent else 0
            self.report_progress()

    def _unchanged_by_stat(self, candidate: Candidate) -> bool:
        entry = self.manifest.files.get(candidate.path)
        return entry is not None and same_stat(entry, candidate)

    def report_progress(self) -> None:
        """Tell the callback how far the run is: files and bytes whose articles are written
        (by the worker processes, when there are some)."""
        if self.progress is None:
            return
        written = self.batch.written()
        if written is None:
            files, articles = self.files_read, self.batch.sent_articles
        else:
            files, articles = self.files_read - self.files_sent + written[0], written[1]
        done = min(self.bytes_to_read, self.bytes_unsent + self.batch.written_bytes())
        progress = Progress(files, self.files_to_read, articles, done, self.bytes_to_read)
        if progress != self.last_progress:
            self.last_progress = progress
            self.progress(progress)

    def _walk_roots(self, roots: list[str], index_real: str) -> tuple[list[Candidate], set[str]]:
        """The files under the roots, and the indexed paths to keep though not seen (under a
        missing folder, or under one that could not be read)."""
        found: list[Candidate] = []
        kept: set[str] = set()
        folders = set(self.manifest.folders)
        for root in roots:
            if os.path.exists(root):
                unreadable: list[str] = []
                folder = covering_root(root, folders) or root
                globs = self.manifest.excludes.get(folder, ())
                problems = self.report.skipped_files
                files = walk(root, index_real, problems, unreadable, folder=folder, globs=globs)
                found.extend(files)
                kept.update(p for p in self.manifest.files if under_any(p, unreadable))
            elif root in self.manifest.files:
                self.manifest.folders.remove(root)  # a lone file that was deleted: forget it
                self.changed = True
            elif self.rebuild:
                self.report.warnings.append(f"{root} is missing; nothing from it is indexed")
            else:
                self.report.warnings.append(f"{root} is missing; its articles stay in the index")
                kept.update(p for p in self.manifest.files if is_within(p, root))
        return found, kept

    def _count_unchanged(self, entry: FileEntry, path: str) -> None:
        if entry.skip is not None:
            self.report.skipped_files.append(Problem(path, "", entry.skip))
        else:
            self.report.unchanged += 1

    def _remove(self, path: str) -> None:
        self.changed = True
        entry = self.manifest.files.pop(path)
        if self.paths_by_id.get(entry.id) == path:
            del self.paths_by_id[entry.id]
        self._drop_articles(path, entry)
        self.report.removed += 1

    def _drop_articles(self, path: str, entry: FileEntry | None) -> None:
        if entry is not None and entry.articles:
            self.batch.remove_file(path)
            self.report.articles_removed += entry.articles

    def _read(self, candidate: Candidate, file_id: str) -> None:
        self.changed = True  # a new, changed or touched file: its entry changes
        path = candidate.path
        old = self.manifest.files.get(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read(-1 if self.max_size is None else self.max_size + 1)
        except OSError as error:
            self._skip(candidate, file_id, os_reason(error), "")
            return
        if self.max_size is not None and len(data) > self.max_size:  # it grew since stat
            self._skip_large(candidate, file_id, old, None)
            return
        digest = content_hash(data)
        if old is not None and old.hash == digest and old.id == file_id:
            old.size, old.mtime_ns = candidate.size, candidate.mtime_ns  # touched, not changed
            self._count_unchanged(old, path)
            return
        try:
            parsed, start = self._parse(path, data, old, file_id)
        except ArticleFileError as error:
            self._skip(candidate, file_id, str(error), digest)
            return
        self.report.skipped_records.extend(Problem(path, s.where, s.reason) for s in parsed.skipped)
        self.report.notes.extend(Problem(path, "", note) for note in parsed.notes)
        folder = covering_folder(candidate, self.manifest.folders)
        source = SourceFile(path, file_id, folder, digest)
        records = _records(parsed.articles)
        if start and old is not None and old.records is not None:  # appended lines only
            records = old.records + (records or [])
            kept = set(range(start))
        else:
            kept = self._kept_records(path, old, file_id, records)
        added = [
            (position, article)
            for position, article in enumerate(parsed.articles, start=start)
            if position not in kept
        ]
        self.batch.add_articles(source, added, candidate.size)
        self.files_sent += bool(added)
        self.report.articles_added += len(added)
        if old is None or old.skip is not None:
            self.report.added += 1
        else:
            self.report.updated += 1
        articles = len(records) if records is not None else len(parsed.articles)
        entry = FileEntry(file_id, candidate.size, candidate.mtime_ns, digest, articles)
        entry.records = records
        self.manifest.files[path] = entry

    def _parse(
        self, path: str, data: bytes, old: FileEntry | None, file_id: str
    ) -> tuple[ParsedFile, int]:
        """The file's articles, and the position in the file of the first of them: only the
        lines appended to a JSON Lines file read before, when its old content is unchanged
        (a log of stories that only grows), else the whole file from position 0.

        Raises:
            ArticleFileError: the file cannot be indexed.
        """
        name = os.path.basename(path)
        if (
            old is not None
            and old.records
            and old.id == file_id
            and old.skip is None
            and 0 < old.size < len(data)
            and content_hash(data[: old.size]) == old.hash
        ):
            old_ids = {record for record, _ in old.records}
            appended = parse_appended_lines(name, data, old.size, old_ids)
            if appended is not None:
                return appended, len(old.records)
        return parse_article_file(name, data, max_size=self.max_size), 0

    def _kept_records(
        self,
        path: str,
        old: FileEntry | None,
        file_id: str,
        records: list[tuple[str, str]] | None,
    ) -> set[int]:
        """The positions of the file's articles that stay in the index as they are (the
        same record, unchanged, at the same place); the other old articles are removed."""
        if old is None or old.skip is not None or not old.articles:
            return set()
        if old.records is None or records is None or old.id != file_id:
            self._drop_articles(path, old)
            return set()
        kept = {
            position
            for position, (was, now) in enumerate(zip(old.records, records, strict=False))
            if was == now
        }
        for position, (record, _) in enumerate(old.records):
            if position not in kept:
                self.batch.remove_article(file_id + record)
                self.report.articles_removed += 1
        return kept

    def _skip_large(
        self, candidate: Candidate, file_id: str, entry: FileEntry | None, size: int | None
    ) -> None:
        """Skip a file over the size limit without reading it; it is remembered, so the
        next run skips it again from its stat alone, until it or the limit changes."""
        assert self.max_size is not None
        limit = format_size(self.max_size)
        reason = f"{TOO_LARGE} ({format_size(size) if size else 'it grew'} > {limit}; --max-size)"
        if entry is not None and entry.skip == reason and same_stat(entry, candidate):
            self._count_unchanged(entry, candidate.path)
            return
        self.changed = True
        self._skip(candidate, file_id, reason, "")

    def _skip(self, candidate: Candidate, file_id: str, reason: str, digest: str) -> None:
        # A file that was indexed and can no longer be read loses its old articles.
        self._drop_articles(candidate.path, self.manifest.files.get(candidate.path))
        self.report.skipped_files.append(Problem(candidate.path, "", reason))
        entry = FileEntry(file_id, candidate.size, candidate.mtime_ns, digest, 0, reason)
        self.manifest.files[candidate.path] = entry


def _records(articles: list[Article]) -> list[tuple[str, str]] | None:
    """Each article's record and fingerprint, for a file of many articles (else None)."""
    if len(articles) == 1 and not articles[0].record:
        return None
    return [(article.record, record_fingerprint(article)) for article in articles]
