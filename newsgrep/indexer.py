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
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsgrep.articles import SUPPORTED_SUFFIXES, ArticleFileError, parse_article_file
from newsgrep.errors import IndexWriteError, NewsgrepError, SourcePathError
from newsgrep.store import Batch, FileEntry, IndexStore, Manifest, SourceFile

DEFAULT_LOCK_WAIT_SECONDS = 10.0

# Called as files are read: (files done, files to read).
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Problem:
    """A file, or a record in it, that was skipped or needs a look."""

    path: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}{': ' + self.where if self.where else ''}: {self.reason}"


@dataclass(slots=True)
class IndexReport:
    """What a run did, in files (and the articles they hold)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped_files: list[Problem] = field(default_factory=list)
    skipped_records: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    articles_added: int = 0
    articles_removed: int = 0
    total_articles: int = 0
    folders: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return len(self.skipped_files) + len(self.skipped_records)


@dataclass(frozen=True, slots=True)
class _Candidate:
    path: str
    root: str
    size: int
    mtime_ns: int


def run_index(
    index_dir: Path,
    paths: Iterable[Path] = (),
    *,
    rebuild: bool = False,
    wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
    progress: ProgressCallback | None = None,
) -> IndexReport:
    """Bring the index at `index_dir` in line with `paths` (default: the folders it covers).

    Raises:
        SourcePathError: a path does not exist, or there is nothing to index.
        IndexLockedError: another run holds the index past `wait_seconds`.
    """
    started = time.perf_counter()
    store = IndexStore(index_dir)
    requested = [_absolute(path) for path in paths]
    for path in requested:
        if not os.path.exists(path):
            raise SourcePathError(f"no such file or folder: {path}")
        if _is_within(os.path.realpath(path), os.path.realpath(index_dir)):
            raise SourcePathError(f"{path} is inside the index folder; give the articles' folder")
    with _updating(index_dir), store.lock(wait_seconds):
        ix, manifest = _open_or_create(store, rebuild)
        report = IndexReport()
        roots = _covering_roots(requested) or list(manifest.folders)
        if not roots:
            raise SourcePathError(
                "nothing to index: this index covers no folders yet",
                hint="run: newsgrep index seeds/",
            )
        index_real = os.path.realpath(index_dir)
        folders = _covering_roots(manifest.folders + requested)
        folders_changed = folders != manifest.folders
        manifest.folders = folders
        batch = Batch(store, ix, clear=rebuild)
        try:
            run = _Run(manifest, batch, report, rebuild=rebuild)
            run.update(roots, index_real, progress)
            batch.commit(manifest, manifest_changed=folders_changed or run.changed)
        except BaseException:
            batch.cancel()  # nothing half-written: the last commit stays as it was
            raise
        report.total_articles = int(ix.doc_count())  # the index as just committed
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


def _open_or_create(store: IndexStore, rebuild: bool) -> tuple[Any, Manifest]:
    if not store.exists():
        return store.create(), Manifest()
    try:
        ix = store.open()
    except NewsgrepError:
        if not rebuild:
            raise
        # Unreadable, or from another version: start afresh, over the folders it covered.
        return store.create(), Manifest(folders=store.salvage_folders())
    manifest = store.read_manifest(ix) or store.recover_manifest(ix)
    if rebuild:
        manifest = Manifest(folders=manifest.folders)
    return ix, manifest


def _covering_roots(roots: list[str]) -> list[str]:
    """The roots with any root inside another one dropped, in a stable order."""
    unique = sorted(set(roots))
    return [
        root
        for root in unique
        if not any(_is_within(root, other) for other in unique if other != root)
    ]


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _under_any(path: str, roots: Iterable[str]) -> bool:
    return any(_is_within(path, root) for root in roots)


class _Run:
    """One pass over the roots: walk, drop what is gone, settle ids, read what changed."""

    def __init__(
        self, manifest: Manifest, batch: Batch, report: IndexReport, *, rebuild: bool
    ) -> None:
        self.manifest = manifest
        self.batch = batch
        self.report = report
        self.rebuild = rebuild
        self.paths_by_id = {entry.id: path for path, entry in manifest.files.items()}
        self.changed = False  # whether the manifest was changed

    def update(self, roots: list[str], index_real: str, progress: ProgressCallback | None) -> None:
        found, kept = self._walk_roots(roots, index_real)
        seen = {candidate.path for candidate in found} | kept
        for path in [p for p in self.manifest.files if p not in seen and _under_any(p, roots)]:
            self._remove(path)
        ids = self._settle_ids(found)
        to_read = []
        for candidate in found:
            entry = self.manifest.files.get(candidate.path)
            if (
                entry is not None
                and entry.id == ids[candidate.path]
                and _same_stat(entry, candidate)
            ):
                self._count_unchanged(entry, candidate.path)
            else:
                to_read.append(candidate)
        for done, candidate in enumerate(to_read, start=1):
            self._read(candidate, ids[candidate.path])
            if progress is not None:
                progress(done, len(to_read))

    def _walk_roots(self, roots: list[str], index_real: str) -> tuple[list[_Candidate], set[str]]:
        """The files under the roots, and the indexed paths to keep though not seen (under a
        missing folder, or under one that could not be read)."""
        found: list[_Candidate] = []
        kept: set[str] = set()
        for root in roots:
            if os.path.exists(root):
                unreadable: list[str] = []
                found.extend(_walk(root, index_real, self.report, unreadable))
                kept.update(p for p in self.manifest.files if _under_any(p, unreadable))
            elif root in self.manifest.files:
                self.manifest.folders.remove(root)  # a lone file that was deleted: forget it
                self.changed = True
            elif self.rebuild:
                self.report.warnings.append(f"{root} is missing; nothing from it is indexed")
            else:
                self.report.warnings.append(f"{root} is missing; its articles stay in the index")
                kept.update(p for p in self.manifest.files if _is_within(p, root))
        return found, kept

    def _settle_ids(self, found: list[_Candidate]) -> dict[str, str]:
        """Each file's id. A file keeps its id while that is still right for the folder that
        covers it; the others get theirs once every kept id is known, so that an id freed in
        this run goes to whoever needs it now, and the next run changes nothing."""
        ids: dict[str, str] = {}
        pending = []
        for candidate in found:
            entry = self.manifest.files.get(candidate.path)
            forms = _id_forms(candidate, self.manifest.folders)
            if entry is not None and _is_id_choice(entry.id, *forms):
                ids[candidate.path] = entry.id
            else:
                pending.append(candidate)
                if entry is not None and self.paths_by_id.get(entry.id) == candidate.path:
                    del self.paths_by_id[entry.id]
        for candidate in pending:
            file_id = next(
                choice
                for choice in _id_choices(*_id_forms(candidate, self.manifest.folders))
                if self.paths_by_id.get(choice, candidate.path) == candidate.path
            )
            self.paths_by_id[file_id] = candidate.path
            ids[candidate.path] = file_id
        return ids

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

    def _read(self, candidate: _Candidate, file_id: str) -> None:
        self.changed = True  # a new, changed or touched file: its entry changes
        path = candidate.path
        old = self.manifest.files.get(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            self._skip(candidate, file_id, _os_reason(error), "")
            return
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if old is not None and old.hash == digest and old.id == file_id:
            old.size, old.mtime_ns = candidate.size, candidate.mtime_ns  # touched, not changed
            self._count_unchanged(old, path)
            return
        try:
            parsed = parse_article_file(os.path.basename(path), data)
        except ArticleFileError as error:
            self._skip(candidate, file_id, str(error), digest)
            return
        self.report.skipped_records.extend(Problem(path, s.where, s.reason) for s in parsed.skipped)
        self.report.notes.extend(Problem(path, "", note) for note in parsed.notes)
        self._drop_articles(path, old)
        folder = _covering_folder(candidate, self.manifest.folders)
        self.batch.add_articles(SourceFile(path, file_id, folder, digest), parsed.articles)
        self.report.articles_added += len(parsed.articles)
        if old is None or old.skip is not None:
            self.report.added += 1
        else:
            self.report.updated += 1
        entry = FileEntry(file_id, candidate.size, candidate.mtime_ns, digest, len(parsed.articles))
        self.manifest.files[path] = entry

    def _skip(self, candidate: _Candidate, file_id: str, reason: str, digest: str) -> None:
        # A file that was indexed and can no longer be read loses its old articles.
        self._drop_articles(candidate.path, self.manifest.files.get(candidate.path))
        self.report.skipped_files.append(Problem(candidate.path, "", reason))
        entry = FileEntry(file_id, candidate.size, candidate.mtime_ns, digest, 0, reason)
        self.manifest.files[candidate.path] = entry


def _same_stat(entry: FileEntry, candidate: _Candidate) -> bool:
    return entry.size == candidate.size and entry.mtime_ns == candidate.mtime_ns


def _id_forms(candidate: _Candidate, folders: list[str]) -> tuple[str, str]:
    """A file's id and its qualified form: the path relative to the folder that covers it
    (a file indexed by itself: its name), and that prefixed with the folder's name."""
    path = candidate.path
    root = _covering_folder(candidate, folders)
    if root == path:
        name = os.path.basename(path)
        return name, f"{os.path.basename(os.path.dirname(path))}/{name}"
    prefix = root.rstrip(os.sep) + os.sep
    relative = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, root)
    relative = relative.replace(os.sep, "/")
    return relative, f"{os.path.basename(root)}/{relative}"


def _covering_folder(candidate: _Candidate, folders: list[str]) -> str:
    return next(
        (folder for folder in folders if _is_within(candidate.path, folder)), candidate.root
    )


def _id_choices(relative: str, qualified: str) -> Iterator[str]:
    """The ids a file may take, best first: first come, first served."""
    yield relative
    yield qualified
    number = 2
    while True:
        yield f"{qualified}~{number}"
        number += 1


def _is_id_choice(file_id: str, relative: str, qualified: str) -> bool:
    numbered = file_id.removeprefix(qualified + "~")
    return file_id in (relative, qualified) or (numbered != file_id and numbered.isdigit())


def _walk(
    root: str, index_real: str, report: IndexReport, unreadable: list[str]
) -> Iterator[_Candidate]:
    """Supported files under `root` (or `root` itself), hidden names and the index skipped,
    in name order. Folders that cannot be read are reported and listed in `unreadable`."""
    if os.path.isfile(root):
        yield from _stat_candidate(root, root, report)
        return
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            unreadable.append(folder)
            report.skipped_files.append(Problem(folder, "", _os_reason(error)))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if os.path.realpath(entry.path) != index_real:
                    subfolders.append(entry.path)
            elif os.path.splitext(entry.name)[1].lower() in SUPPORTED_SUFFIXES:
                yield from _stat_candidate(entry.path, root, report)
        folders.extend(reversed(subfolders))  # depth first, in name order


def _stat_candidate(path: str, root: str, report: IndexReport) -> Iterator[_Candidate]:
    try:
        stat = os.stat(path)
    except OSError as error:
        report.skipped_files.append(Problem(path, "", _os_reason(error)))
        return
    yield _Candidate(path, root, stat.st_size, stat.st_mtime_ns)


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
