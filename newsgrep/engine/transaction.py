"""One indexing run's changes to the index, committed all at once or not at all, and how
many processes write them.

A run that reads at least PARALLEL_MIN_BYTES writes its articles with worker processes
(`parallel`), one per core; a smaller one in this process. Either way the commit writes the
manifest of the new generation first, then Whoosh's table of contents that makes it
current (see `newsgrep.manifest`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh.reading import SegmentReader
from whoosh.writing import CLEAR, MERGE_SMALL

from newsgrep import manifest as manifest_file
from newsgrep.engine import statistics
from newsgrep.engine.generations import NewsWriter
from newsgrep.engine.parallel import ParallelWriter
from newsgrep.engine.schema import document, index_term
from newsgrep.manifest import Manifest
from newsgrep.model import Article, SourceFile

# The memory for the postings a writer collects before it writes them (a worker then
# begins another segment: `segment_writer.ArraySegmentWriter.full`), shared out among
# the worker processes. Enough that two workers write a segment each for 108k articles:
# every further segment repeats the vocabulary and is one more for each search to read
# (docs/benchmarks.md has what a smaller share did).
WRITER_MEMORY_MB = 512


# A run that reads at least this much uses worker processes: each takes ~0.3 s to start.
PARALLEL_MIN_BYTES = 2_000_000

# While the articles of one file go to the writer, `on_progress` is called this often:
# a single JSON Lines file of 21,578 articles is minutes of writing.
PROGRESS_EVERY = 64


WORKERS_VARIABLE = "NEWSGREP_WORKERS"


MAX_WORKERS = 4
# A segment whose deleted articles reach this share of it is rewritten by the next commit:
# the index then stays within about 1 + this of a fresh build's size.
DELETED_SHARE = 0.2


class Batch:
    """The changes of one indexing run, committed all at once (or not at all).

    The Whoosh writer opens on the first change, so a run that changes nothing commits
    nothing.
    """

    def __init__(self, directory: Path, ix: Any, *, clear: bool, compact: bool = False) -> None:
        self._directory = directory
        self._ix = ix
        self._clear = clear
        self._compact = compact
        self._writer: Any = None
        self._workers = 1
        self._planned_bytes = 0
        self._sent_bytes = 0.0  # of the files whose articles were sent, shared per article
        self._sent_articles = 0
        self.on_progress: Callable[[], None] | None = None  # told as articles are written

    def plan(self, file_bytes: int) -> None:
        """Say how many bytes of files the run is about to read: a large run writes its
        articles with worker processes (see `writing`), one per core."""
        workers = writer_workers()
        if self._writer is None and workers > 1 and file_bytes >= PARALLEL_MIN_BYTES:
            self._workers = workers
            self._planned_bytes = file_bytes

    def _open_writer(self) -> Any:
        if self._writer is None:
            # Separate segment files: Whoosh copies each part of a compound file into memory
            # when it opens an index, which made opening grow with the index size.
            if self._workers > 1:
                self._writer = ParallelWriter(
                    self._ix,
                    workers=self._workers,
                    make_document=document,
                    limitmb=WRITER_MEMORY_MB // self._workers,
                    compound=False,
                )
            else:
                self._writer = NewsWriter(self._ix, limitmb=WRITER_MEMORY_MB, compound=False)
        return self._writer

    def remove_file(self, path: str) -> None:
        """Remove every article of the file at `path`."""
        self._open_writer().delete_by_term("path", index_term(path))

    def remove_article(self, article_id: str) -> None:
        """Remove the article with the id `article_id` (a record of a file)."""
        self._open_writer().delete_by_term("id", index_term(article_id))

    def add_articles(
        self, source: SourceFile, articles: Sequence[tuple[int, Article]], file_size: int = 0
    ) -> None:
        """Add `articles` of the file `source`, each with its position in the file."""
        writer = self._open_writer()
        share = file_size / max(1, len(articles))
        last = len(articles) - 1
        for number, (position, article) in enumerate(articles):
            if self._workers == 1:
                writer.add_document(**document(article, source, position))
            else:
                # The first share of the bytes planned goes to the first worker, and so on:
                # the documents keep their order (a long JSON Lines file is shared out by
                # its records).
                worker = int(self._sent_bytes * self._workers / self._planned_bytes)
                item = (article, source, position)
                writer.add(min(self._workers - 1, worker), item, number == last)
            self._sent_bytes += share
            self._sent_articles += 1
            if self.on_progress is not None and number % PROGRESS_EVERY == PROGRESS_EVERY - 1:
                self.on_progress()

    @property
    def sent_articles(self) -> int:
        """Articles handed to the writer so far (in one process: written)."""
        return self._sent_articles

    def written_bytes(self) -> int:
        """Bytes of files written so far, each file's bytes shared out among its articles
        (with workers: in the proportion of the articles sent that they have written)."""
        if self._workers == 1 or self._writer is None:
            return round(self._sent_bytes)
        articles: int = self._writer.written()[1]
        return round(self._sent_bytes * min(1.0, articles / max(1, self._sent_articles)))

    def written(self) -> tuple[int, int] | None:
        """Files and articles written so far by worker processes; None without workers."""
        if self._workers == 1 or self._writer is None:
            return None
        files, articles = self._writer.written()
        return int(files), int(articles)

    @property
    def changed(self) -> bool:
        # An index only created (generation 0) is made current by its first commit, even
        # one that adds nothing: generation 0 reads as a first run that did not finish.
        first = self._ix.latest_generation() == 0
        return self._writer is not None or self._clear or self._compact or first

    def commit(
        self,
        manifest: Manifest,
        *,
        manifest_changed: bool = True,
        waiting: Callable[[], None] | None = None,
    ) -> None:
        """Commit the changes together with the manifest that describes them (which is not
        rewritten when neither it nor the index changed). `waiting` is called now and then
        while worker processes finish."""
        if not self.changed and not manifest_changed:
            return
        if not self.changed:
            generation = self._ix.latest_generation()
            manifest_file.write(self._directory, manifest, generation)
            manifest_file.remove_others(self._directory, generation)
            return
        writer = self._open_writer()
        generation = writer.generation
        manifest_file.write(self._directory, manifest, generation)
        merge = CLEAR if self._clear else _merge_all if self._compact else _merge_policy
        options: dict[str, Any] = {"mergetype": merge}
        if self._workers > 1:
            options["waiting"] = waiting
        try:
            writer.commit(**options)
        except BaseException:
            # Not committed: the manifest and the deletions file describe nothing (and may
            # fill a full disk).
            with contextlib.suppress(OSError):
                if self._ix.latest_generation() < generation:
                    for path in (
                        manifest_file.path_of(self._directory, generation),
                        statistics.path_of(self._directory, generation),
                    ):
                        path.unlink(missing_ok=True)
            raise
        self._writer = None
        manifest_file.remove_others(self._directory, generation)

    def cancel(self) -> None:
        """Drop the changes and the files the writer began. Never raises: it runs while
        another error (a full disk, Ctrl-C) is on its way out, and must not hide it."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.cancel()
        except Exception:  # a writer whose files failed to write may fail to close too
            with contextlib.suppress(Exception):
                writer.writelock.release()
        try:
            committed = self._ix.latest_generation() >= writer.generation  # after the TOC
        except OSError:
            committed = True  # cannot tell: keep every file
        if not committed and getattr(writer, "newsegment", None) is not None:
            prefix = writer.newsegment.segment_id() + "."
            for path in self._directory.glob(prefix + "*"):
                with contextlib.suppress(OSError):
                    path.unlink()


def _merge_policy(writer: Any, segments: list[Any]) -> list[Any]:
    """Which segments a commit rewrites: Whoosh's merging of small segments, and any
    segment whose deleted articles reach DELETED_SHARE of it (their space is reclaimed, and
    the statistics have fewer deletions to discount). Returns the segments kept as they
    are."""
    wasteful = [s for s in segments if s.deleted_count() >= DELETED_SHARE * s.doc_count_all()]
    kept = MERGE_SMALL(writer, [s for s in segments if s not in wasteful])
    _rewrite(writer, wasteful)
    return list(kept)


def _merge_all(writer: Any, segments: list[Any]) -> list[Any]:
    """Every segment rewritten into the new one (`newsgrep index --compact`)."""
    _rewrite(writer, segments)
    return []


def _rewrite(writer: Any, segments: list[Any]) -> None:
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()


def writer_workers() -> int:
    """How many worker processes a large run writes with: one per core this process may
    use (at most MAX_WORKERS), or NEWSGREP_WORKERS (1 keeps everything in one process)."""
    configured = os.environ.get(WORKERS_VARIABLE, "").strip()
    if configured.isdigit():
        return max(1, int(configured))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # Each worker adds a segment that every search then reads, and beyond a few the one
    # process that reads and parses the files cannot keep them busy.
    return min(MAX_WORKERS, cores or 1)
