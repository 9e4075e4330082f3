"""An open index, as the indexer and `check` see it: counts, generations, the manifest,
what the stored documents say, leftovers, and a batch of changes. Plain values out; the
Whoosh index stays inside.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsgrep import manifest as manifest_file
from newsgrep.engine import generations
from newsgrep.engine.folder import IndexStore, damaged_index_error, quiet_leaks
from newsgrep.engine.transaction import Batch
from newsgrep.findings import IndexContents, Leftover
from newsgrep.manifest import Manifest, StoredSource


class Index:
    """The index in one folder, opened (or just created). Reading needs no lock; `batch`,
    `remove_leftovers` and commits happen inside `IndexStore.lock()`."""

    def __init__(self, directory: Path, ix: Any) -> None:
        self.directory = directory
        self._ix = ix

    @classmethod
    def open(cls, store: IndexStore, *, pinned: bool = False) -> Index:
        """The index, even one whose first run did not finish (`unfinished`); `pinned` to
        the generation newest now (for `check`, which reads without the lock), or following
        the newest (for the indexer, whose own commits it then reads).

        Raises what `IndexStore.open` raises."""
        return cls(store.directory, store.open(unfinished=True, pinned=pinned))

    def still_here(self) -> bool:
        """Whether the generation a pinned index reads is still on disk (see
        `IndexStore.holds`)."""
        return IndexStore(self.directory).holds(self._ix)

    @classmethod
    def create(cls, store: IndexStore, manifest: Manifest) -> Index:
        """A new index whose first run is to index `manifest.folders` (see
        `IndexStore.create`)."""
        return cls(store.directory, store.create(manifest))

    def doc_count(self) -> int:
        """Articles in the last commit."""
        return int(self._ix.doc_count())

    def latest_generation(self) -> int:
        """The newest generation whose table of contents is on disk."""
        return int(self._ix.latest_generation())

    def committed_generation(self) -> int:
        """The generation this index reads now (the last commit)."""
        return generations.committed_generation(self._ix)

    def unfinished(self) -> bool:
        """Whether the index was created but its first run never committed."""
        return self.committed_generation() == 0

    def manifest(self, generation: int | None = None) -> Manifest | None:
        """The manifest of `generation`; None when there is none to trust. The default, the
        committed generation, is only right under the lock: a reader passes the generation
        it read (a commit may have come since)."""
        if generation is None:
            generation = self.committed_generation()
        return manifest_file.read(self.directory, generation)

    def recover_manifest(self) -> Manifest:
        """The manifest rebuilt from the stored documents (see `manifest.recover`)."""
        return manifest_file.recover(self._stored_sources())

    def _stored_sources(self) -> Iterator[StoredSource]:
        with self._ix.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                yield StoredSource(
                    stored["path"], stored["file_id"], stored["folder"], stored["file_hash"]
                )

    def contents(self) -> IndexContents:
        """Every stored document read once (so each must be readable): ids and paths
        counted, with the generation they were read from.

        Raises:
            NewsgrepError: a stored document or the index's files cannot be read.
        """
        with quiet_leaks() as leaks:
            try:
                return self._read_contents()
            except Exception as error:  # Whoosh raises many kinds for damaged files
                damaged = damaged_index_error(self.directory, error)
                leaks.failed = True
        raise damaged  # (outside the except: the traceback is gone)

    def _read_contents(self) -> IndexContents:
        with self._ix.searcher() as searcher:
            ids: Counter[str] = Counter()
            paths: Counter[str] = Counter()
            readable = 0
            for stored in searcher.all_stored_fields():
                ids[stored.get("id", "")] += 1
                paths[stored.get("path", "")] += 1
                readable += 1
            generation = int(searcher.reader().generation())
            return IndexContents(generation, int(searcher.doc_count()), readable, ids, paths)

    def leftovers(self) -> list[Leftover]:
        """See `generations.leftovers` (only meaningful under the lock)."""
        return generations.leftovers(self._ix, self.directory)

    def remove_leftovers(self) -> list[Leftover]:
        """Remove the leftovers (call under the lock); returns those removed."""
        return generations.remove_leftovers(self._ix, self.directory)

    def batch(self, *, clear: bool, compact: bool = False) -> Batch:
        """The changes of one run (under the lock); `clear` starts from an empty index,
        `compact` rewrites every segment into one, without the deleted articles."""
        return Batch(self.directory, self._ix, clear=clear, compact=compact)

    def waste(self) -> tuple[int, int]:
        """The deleted articles the committed segments still hold, and about how many
        bytes they take (their share of each segment's files): what a compaction frees."""
        deleted = wasted = 0
        for segment in self._ix._segments():
            gone, held = segment.deleted_count(), segment.doc_count_all()
            if not gone or not held:
                continue
            size = sum(_size(path) for path in self.directory.glob(segment.segment_id() + ".*"))
            deleted += gone
            wasted += size * gone // held
        return deleted, wasted


def _size(path: Path) -> int:
    """A file's size; 0 for one a commit deleted meanwhile (or not a file)."""
    try:
        return path.stat().st_size if path.is_file() else 0
    except FileNotFoundError:
        return 0
