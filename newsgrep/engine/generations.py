"""Generations of the index, and the files an interrupted run leaves behind.

Each commit makes a new generation N: Whoosh's table of contents `_MAIN_<N>.toc` names the
segments it uses, and our `manifest-<N>.json` describes its files. Once N is committed, the
files of generation N - 1 that N does not use are deleted at once (the index takes no more
room than one generation), its table of contents first: a reader opens every file of the
generation it read at once, and opens the index again if that table of contents is gone by
then (`folder.IndexStore.read`), so that no reader ever reads a generation half deleted.

A run killed part way (even by SIGKILL) leaves only files that no kept generation refers
to: segment files and a temporary table of contents of the generation it was writing,
Whoosh's `MAIN.tmp` folder, a manifest and a deletions file of that generation, our
`.*.tmp` files. `leftovers`
names them (a file is a leftover by its name and the kept tables of contents, nothing
else), and every indexing run removes them, under the lock, before it starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

from whoosh import index

from newsgrep import manifest
from newsgrep.engine import statistics
from newsgrep.engine.codec import NewsCodec
from newsgrep.engine.folder import LOCK_FILE, META_FILE
from newsgrep.engine.segment_writer import ArraySegmentWriter
from newsgrep.engine.storage import INDEX_NAME
from newsgrep.findings import Leftover

# Whoosh's file names for the index (see whoosh.index.TOC and clean_files): the table of
# contents of each generation, its temporary name while being written, the files of each
# segment, and the lock file its writer flocks (kept: like ours, it never blocks once its
# holder is gone).
_WHOOSH_NAME = INDEX_NAME
_TOC = re.compile(rf"^_{_WHOOSH_NAME}_([0-9]+)\.toc$")
_TOC_TEMPORARY = re.compile(rf"^_{_WHOOSH_NAME}_[0-9]+\.toc\..+$")
_SEGMENT_FILE = re.compile(rf"^({_WHOOSH_NAME}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
_KEPT = frozenset({META_FILE, LOCK_FILE, f"{_WHOOSH_NAME}_WRITELOCK"})
_CLEANED = ("toc", "segment", "deletions")  # what a commit deletes (the rest: the next run)


class NewsWriter(ArraySegmentWriter):
    """Whoosh's segment writer, its postings collected in arrays (`segment_writer`), and a
    commit deletes what it no longer uses in the order
    readers rely on (see the module's docstring)."""

    def __init__(self, ix: Any, **options: Any) -> None:
        options.setdefault("codec", NewsCodec())
        super().__init__(ix, **options)

    def _commit_toc(self, segments: list[Any]) -> None:
        # Whoosh's last step of a commit: write the TOC that makes generation N current,
        # then delete the files no longer used.
        generation = self.generation
        directory = Path(self.storage.folder)
        statistics.write_deletions(directory, self.storage, self.schema, generation, segments)
        index.TOC(self.schema, segments, generation).write(self.storage, self.indexname)
        _clean_files(self.storage, self.indexname, generation, segments)


def committed_generation(ix: Any) -> int:
    """The generation whose table of contents `ix` reads now (the last commit)."""
    return int(ix._read_toc().generation)


def leftovers(ix: Any, directory: Path) -> list[Leftover]:
    """What in the index folder the committed generation of `ix` does not use: segment
    files it does not list, other generations' tables of contents, manifests and
    deletions, and temporary files. Files newsgrep does not know are not leftovers (nor
    touched).

    Only meaningful under the lock: a running indexer's files are leftovers too."""
    toc = ix._read_toc()
    current = int(toc.generation)
    tocs, segments = _kept(ix.storage, ix.indexname, current, toc.segments)
    found = []
    for name in sorted(os.listdir(directory)):
        leftover = _classify(name, current, tocs, segments)
        if leftover is not None:
            found.append(leftover)
    return found


def remove_leftovers(ix: Any, directory: Path) -> list[Leftover]:
    """Remove `leftovers(ix, directory)` (call under the lock); returns those removed."""
    removed = []
    for leftover in leftovers(ix, directory):
        path = directory / leftover.name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue  # gone already, or not ours to remove: `check` still names it
        removed.append(leftover)
    return removed


def _kept(
    storage: Any, indexname: str, generation: int, segments: list[Any]
) -> tuple[set[int], set[str]]:
    """The generations whose tables of contents stay (`generation` alone) and the segments
    it uses."""
    del storage, indexname  # (what is kept is named by `generation` and its segments)
    return {generation}, {segment.segment_id() for segment in segments}


def _clean_files(storage: Any, indexname: str, generation: int, segments: list[Any]) -> None:
    """Delete Whoosh's own files (tables of contents and segment files) and the deletions
    files that `generation` does not use: the leftovers `leftovers` names, less ours
    (manifests and temporary files are the run's to remove). Tables of contents go first:
    a reader that finds its generation's still there after opening its files knows that
    none of them was deleted (`folder.IndexStore.read`)."""
    tocs, keep = _kept(storage, indexname, generation, segments)
    found = [_classify(name, generation, tocs, keep) for name in list(storage)]
    doomed = [left for left in found if left is not None and left.kind in _CLEANED]
    for leftover in sorted(doomed, key=lambda left: left.kind != "toc"):
        with contextlib.suppress(OSError):
            storage.delete_file(leftover.name)


def _classify(name: str, current: int, tocs: set[int], segments: set[str]) -> Leftover | None:
    if name in _KEPT:
        return None
    if name.endswith(".tmp"):
        return Leftover(name, "temporary", "a temporary file of an interrupted run")
    if match := _TOC.match(name):
        if int(match.group(1)) in tocs:
            return None
        return Leftover(
            name,
            "toc",
            f"the table of contents of generation {match.group(1)}, "
            f"not of the committed generation {current}",
        )
    if _TOC_TEMPORARY.match(name):
        return Leftover(name, "toc", "a table of contents an interrupted run was writing")
    if match := _SEGMENT_FILE.match(name):
        if match.group(1) in segments:
            return None
        return Leftover(
            name,
            "segment",
            f"a segment file that the committed generation {current} does not use",
        )
    deletions = statistics.generation_of(name)
    if deletions is not None:
        if deletions in tocs:
            return None
        return Leftover(
            name,
            "deletions",
            f"the deletions of generation {deletions}, not of the committed generation {current}",
        )
    generation = manifest.generation_of(name)
    if generation is not None:
        if generation == current:
            return None
        return Leftover(
            name,
            "manifest",
            f"the manifest of generation {generation}, not of the committed generation {current}",
        )
    return None
