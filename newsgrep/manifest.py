"""The manifest: what the index knows of each file it read, and how it is kept on disk.

Change detection (`indexer`) decides from it which files to read again: a file whose size
and mtime are those recorded is not read; one whose stat changed is read and kept only if
its content hash changed too. `check` compares it with the folders.

One manifest per generation, `manifest-<N>.json` in the index folder: written (atomically)
*before* the engine commits generation N, and read only for the committed generation, so it
always describes exactly what is in the index. A run killed between the two leaves a stale
file that is ignored and cleaned up. If it is lost, it is rebuilt from the stored documents
(`recover`): each names its file, the folder it was indexed under and its content hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newsgrep.durable import utc_now, write_atomically
from newsgrep.model import Article
from newsgrep.paths import PATH_BYTES, covering_root

PREFIX = "manifest-"


@dataclass(slots=True)
class FileEntry:
    """What the index knows of one file: enough to tell, without reading it, whether it
    changed; `skip` is the reason it is not indexed, if it is not."""

    id: str
    size: int
    mtime_ns: int
    hash: str
    articles: int = 0
    skip: str | None = None
    # A file of many articles (JSON, JSON Lines): each article's record (the suffix of its
    # id) and fingerprint, in file order; an update re-indexes only the records that changed.
    records: list[tuple[str, str]] | None = None


@dataclass(slots=True)
class Manifest:
    folders: list[str] = field(default_factory=list)
    files: dict[str, FileEntry] = field(default_factory=dict)
    updated: str | None = None
    # The `--exclude` globs given for a folder, remembered so that a refresh honours them.
    excludes: dict[str, list[str]] = field(default_factory=dict)

    # Files as columns, not rows nor objects: JSON reads a few long arrays of strings and
    # numbers in a fraction of the time it takes to read a list per file, and each path is
    # its folder's number and its name, each id the length of the path's end it repeats.
    LAYOUT = 2

    def to_json(self) -> str:
        entries = list(self.files.values())
        folders: dict[str, int] = {}
        numbers, names, ids = [], [], []
        skips, records = {}, {}
        for n, (path, entry) in enumerate(self.files.items()):
            folder, slash, name = path.rpartition("/")
            numbers.append(folders.setdefault(folder, len(folders)) if slash else -1)
            names.append(name)
            same = len(entry.id) if path.endswith("/" + entry.id) else 0
            ids.append(same or entry.id)
            if entry.skip is not None:
                skips[n] = entry.skip
            if entry.records is not None:
                records[n] = entry.records
        payload = {
            "layout": self.LAYOUT,
            "folders": self.folders,
            "updated": self.updated,
            "excludes": self.excludes,
            "dirs": list(folders),
            "dir": numbers,
            "names": names,
            "ids": ids,
            "sizes": [e.size for e in entries],
            "mtimes": [e.mtime_ns for e in entries],
            "hashes": [e.hash for e in entries],
            "articles": [e.articles for e in entries],
            "skips": skips,
            "records": records,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    def set_excludes(self, roots: Iterable[str], globs: Sequence[str] | None) -> bool:
        """Remember `globs` for the indexed folders that `roots` are or lie in (None: keep
        those remembered; empty: forget them); forget those of folders no longer indexed.
        (A file indexed by itself has none: it was named.) Whether anything changed."""
        before = dict(self.excludes)
        if globs is not None:
            folders = set(self.folders)
            for root in roots:
                folder = covering_root(root, folders)
                if folder is None or not os.path.isdir(folder):
                    continue
                if globs:
                    self.excludes[folder] = list(globs)
                else:
                    self.excludes.pop(folder, None)
        self.excludes = {k: v for k, v in self.excludes.items() if k in self.folders}
        return self.excludes != before

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        payload = json.loads(text)
        if payload["layout"] != cls.LAYOUT:
            raise ValueError("a manifest of another layout")
        dirs = payload["dirs"]
        paths = [
            dirs[number] + "/" + name if number >= 0 else name
            for number, name in zip(payload["dir"], payload["names"], strict=True)
        ]
        ids = [
            path[-same:] if isinstance(same, int) else same
            for path, same in zip(paths, payload["ids"], strict=True)
        ]
        columns = (payload["sizes"], payload["mtimes"], payload["hashes"], payload["articles"])
        if any(len(column) != len(paths) for column in columns):
            raise ValueError("a manifest whose columns differ in length")
        entries = list(map(FileEntry, ids, *columns))
        for n, reason in payload["skips"].items():
            entries[int(n)].skip = reason
        for n, pairs in payload["records"].items():
            entries[int(n)].records = [(record, fingerprint) for record, fingerprint in pairs]
        excludes = {folder: list(globs) for folder, globs in payload["excludes"].items()}
        files = dict(zip(paths, entries, strict=True))
        return cls(list(payload["folders"]), files, payload["updated"], excludes)


@dataclass(frozen=True, slots=True)
class StoredSource:
    """What one stored document says of the file it came from (for `recover`)."""

    path: str
    file_id: str
    folder: str
    file_hash: str


def record_fingerprint(article: Article) -> str:
    """What tells an article of a many-article file changed: a hash of every field."""
    text = repr(article).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def content_hash(data: bytes) -> str:
    """The hash the manifest keeps of a file's content."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def path_of(directory: Path, generation: int) -> Path:
    return directory / f"{PREFIX}{generation}.json"


def generation_of(name: str) -> int | None:
    """The generation a manifest's file name names; None for another file."""
    if not (name.startswith(PREFIX) and name.endswith(".json")):
        return None
    number = name[len(PREFIX) : -len(".json")]
    return int(number) if number.isdigit() else None


def read(directory: Path, generation: int) -> Manifest | None:
    """The manifest of `generation`; None when there is none to trust."""
    try:
        text = path_of(directory, generation).read_text(encoding="utf-8", errors=PATH_BYTES)
        return Manifest.from_json(text)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(directory: Path, manifest: Manifest, generation: int) -> None:
    """Write `manifest` as that of `generation` (stamping the time of the update)."""
    manifest.updated = utc_now()
    write_atomically(path_of(directory, generation), manifest.to_json())


def remove_others(directory: Path, generation: int) -> None:
    """Remove the manifests of generations other than `generation`."""
    keep = path_of(directory, generation).name
    for path in directory.glob(f"{PREFIX}*.json"):
        if path.name != keep:
            with contextlib.suppress(OSError):
                path.unlink()


def salvage_folders(directory: Path) -> list[str]:
    """The folders named by the newest readable manifest on disk, whatever state the index
    is in (to rebuild an index that cannot be opened)."""
    return salvage(directory).folders


def salvage(directory: Path) -> Manifest:
    """The newest readable manifest on disk, whatever state the index is in (its folders
    and excludes, to rebuild an index that cannot be opened or recover a lost manifest)."""
    found = [(generation_of(path.name), path) for path in directory.glob(f"{PREFIX}*.json")]
    for _, path in sorted(found, key=lambda item: item[0] or -1, reverse=True):
        try:
            text = path.read_text(encoding="utf-8", errors=PATH_BYTES)
            return Manifest.from_json(text)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return Manifest()


def recover(sources: Iterable[StoredSource]) -> Manifest:
    """A manifest rebuilt from the stored documents, when it is lost.

    mtimes are unknown (-1), so every file is read once more and kept if its hash matches;
    each document names the folder (or lone file) it was indexed under."""
    manifest = Manifest()
    folders = set()
    for source in sources:
        entry = manifest.files.get(source.path)
        if entry is None:
            entry = FileEntry(source.file_id, -1, -1, source.file_hash)
            manifest.files[source.path] = entry
            folders.add(source.folder)
        entry.articles += 1
    manifest.folders = sorted(folders)
    return manifest
