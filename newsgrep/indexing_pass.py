"""One pass of an indexing run over its roots: walk them, drop what is gone, settle ids,
and read what changed into the run's batch (whole files, or a file's changed records).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from newsgrep.engine.transaction import Batch
from newsgrep.file_ids import covering_folder, settle_ids
from newsgrep.formats import ArticleFileError, parse_appended_lines, parse_article_file
from newsgrep.manifest import FileEntry, Manifest, content_hash, record_fingerprint
from newsgrep.model import Article, IndexReport, ParsedFile, Problem, Progress, SourceFile
from newsgrep.paths import covering_root, is_within, under_any
from newsgrep.walk import Candidate, os_reason, same_stat, walk
from newsgrep.wording import format_size

TOO_LARGE = "larger than the limit"
ProgressCallback = Callable[[Progress], None]


class Pass:
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
        # Each file's entry, looked up once (a refresh of 108k files looks up 108k): neither
        # the removals nor the ids below change the entry of a file found.
        files = self.manifest.files
        entries = [files.get(candidate.path) for candidate in found]
        # Planned from the stat alone, before a removal opens the writer and before ids are
        # settled: the bytes to read, give or take a file whose id moves.
        self.batch.plan(
            sum(
                c.size
                for c, e in zip(found, entries, strict=True)
                if e is None or not same_stat(e, c)
            )
        )
        seen = {candidate.path for candidate in found} | kept
        for path in [p for p in files if p not in seen and under_any(p, roots)]:
            self._remove(path)
        ids = settle_ids(found, self.manifest, self.paths_by_id, settled=self.ids_settled)
        to_read = []
        for candidate, entry in zip(found, entries, strict=True):
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
                if unreadable:  # (108k paths tested against no folder, else)
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
