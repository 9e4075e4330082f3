"""The index's files on disk, written so that a commit survives a crash of the machine, and
the Whoosh index opened or created on them.

Whoosh writes every file of an index through its storage (`whoosh.filedb.filestore`): the
files of each segment, then the table of contents (TOC) of the new generation, to a
temporary name, renamed into place (`whoosh.index.TOC.write`). The rename publishes the
commit. `DurableStorage` keeps SQLite's rule for it: the data is durable before the pointer
to it is published, and the folder is synced after a rename. Every file it creates is
fsynced when the writer closes it, and a rename syncs the folder before (so that the names
of the files just made are durable too) and after (so that the rename is). Our own files
(the manifest, `newsgrep.json`) are written by `newsgrep.durable.write_atomically`, which
keeps the same rule. The crash model is stated in ARCHITECTURE.md.

Whoosh's temporary storage (`MAIN.tmp`, pools of postings being sorted) stays a plain
`FileStorage`: nothing there outlives a run, so nothing there is synced.

Files are read through memory maps (`MappedFile`), as Whoosh reads compound segment files:
a search reads thousands of small pieces, and a slice of a map costs far less than a seek
and a read of a buffered file.

Every newsgrep process opens and creates the index through `open_index` and
`create_index` (the worker processes of `parallel` too), so every file a commit names was
written through this storage.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC, FileIndex
from whoosh.reading import EmptyReader

from newsgrep.durable import sync_folder

# The name Whoosh gives the index in its file names (`_MAIN_3.toc`, `MAIN_<segment>.trm`).
INDEX_NAME = "MAIN"


class DurableStorage(FileStorage):  # type: ignore[misc]
    """A Whoosh `FileStorage` whose files reach the disk before a rename publishes them."""

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> Any:
        stream = super().create_file(name, excl, mode, **kwargs)
        then = stream.onclose

        def synced(closing: Any) -> None:
            if then is not None:
                then(closing)
            closing.file.flush()  # (StructFile.close closes the file after this)
            os.fsync(closing.file.fileno())

        stream.onclose = synced
        return stream

    def open_file(self, name: str, **kwargs: Any) -> Any:
        # Memory-mapped, as Whoosh maps compound segment files: a read is one slice,
        # where a buffered file takes a seek and a read through Python wrappers each time.
        with open(self._fpath(name), "rb") as handle:
            try:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):  # an empty file, or a file system without mmap
                return super().open_file(name, **kwargs)
        return MappedFile(mapped, name=name, **kwargs)

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        # Before: the folder entries of every file made so far (the segment files the new
        # TOC names) are durable before the name that points to them appears.
        sync_folder(self.folder)
        super().rename_file(oldname, newname, safe)
        sync_folder(self.folder)  # after: the rename itself


class MappedFile(StructFile):  # type: ignore[misc]
    """A Whoosh structured file read from a memory map (the file may be deleted meanwhile:
    the map keeps it readable, as an open file does)."""

    def get(self, position: int, length: int) -> bytes:
        data: bytes = self.file[position : position + length]
        return data


class NewsIndex(FileIndex):  # type: ignore[misc]
    """Whoosh's index in a folder, on `DurableStorage`; a reader of a generation without
    segments still says which generation it reads (Whoosh's EmptyReader says None).

    A `pinned` index reads one generation, the newest when it was opened, for as long as it
    is open: Whoosh reads the newest table of contents again for every searcher and every
    look at the schema, which for a reader is both work and a risk (a commit may remove the
    table of contents it has just listed). Readers open it pinned (`IndexStore.open`);
    the indexer and `check` follow the newest."""

    def __init__(
        self, storage: Any, schema: Any = None, indexname: str = INDEX_NAME, *, pinned: bool = False
    ) -> None:
        super().__init__(storage, schema, indexname)
        self._pinned = TOC.read(storage, indexname, schema=schema) if pinned else None

    @property
    def pinned_generation(self) -> int | None:
        """The generation a pinned index reads (None: not pinned)."""
        return None if self._pinned is None else int(self._pinned.generation)

    def _read_toc(self) -> Any:
        return super()._read_toc() if self._pinned is None else self._pinned

    def reader(self, reuse: Any = None) -> Any:
        if self._pinned is None:
            return super().reader(reuse)
        # Whoosh's reader() tries 10 times, 50 ms apart, when a file is missing, reading
        # the newest table of contents each time; a pinned index has only its own, so the
        # caller opens the index again instead (`IndexStore.read`).
        toc = self._pinned
        return self._reader(self.storage, toc.schema, toc.segments, toc.generation, reuse=reuse)

    @classmethod
    def _reader(
        cls, storage: Any, schema: Any, segments: Any, generation: int, reuse: Any = None
    ) -> Any:
        reader = super()._reader(storage, schema, segments, generation, reuse=reuse)
        if isinstance(reader, EmptyReader):
            return _EmptyGeneration(schema, generation)
        return reader


class _EmptyGeneration(EmptyReader):  # type: ignore[misc]
    def __init__(self, schema: Any, generation: int) -> None:
        super().__init__(schema)
        self._generation = generation

    def generation(self) -> int:
        return self._generation


def open_index(directory: str, *, pinned: bool = False) -> Any:
    """The Whoosh index in `directory` (raises what Whoosh raises for a damaged one)."""
    return NewsIndex(DurableStorage(directory), indexname=INDEX_NAME, pinned=pinned)


def create_index(directory: str, schema: Any) -> Any:
    """A new, empty Whoosh index in `directory` (generation 0, no segments), replacing any
    table of contents there."""
    return NewsIndex.create(DurableStorage(directory), schema, INDEX_NAME)
