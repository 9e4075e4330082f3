"""The index on disk: Whoosh schema, opening and creating, the write lock, and the manifest.

An index folder holds Whoosh's files plus three of ours:
- `newsgrep.json`: the schema version, so an index from another version is refused cleanly;
- `manifest-<generation>.json`: the folders the index covers and, per file, its size,
  mtime, content hash and id. It is written *before* Whoosh commits generation N and read
  only when N is the committed generation, so it always describes exactly what is in the
  index; a run killed between the two leaves a stale file that is ignored and cleaned up;
- `newsgrep.lock`: held (flock) for a whole indexing run, naming its pid and start time.

Whoosh objects stay in this module and in `search`; everything else sees plain data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import columns, fields, formats, index, query
from whoosh.writing import CLEAR

from newsgrep.analysis import analyze, label_analyzer, text_analyzer
from newsgrep.articles import Article
from newsgrep.dates import parse_date_span
from newsgrep.duplicates import pack_sketch, sketch
from newsgrep.errors import (
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    NewsgrepError,
    QueryError,
)

# Bump when the schema or the analysis changes: older indexes must then be rebuilt.
SCHEMA_VERSION = 5
TITLE_BOOST = 2.0
WRITER_MEMORY_MB = 256

META_FILE = "newsgrep.json"
LOCK_FILE = "newsgrep.lock"
MANIFEST_PREFIX = "manifest-"


class NewsDateField(fields.DATETIME):  # type: ignore[misc]
    """A DATETIME that reads dates the way users type them (`2025-05`, `7d`, `yesterday`)
    and gives `>`/`<` their strict meaning: `date:>2025-05-01` starts on May 2."""

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> Any:
        span = _date_span(qstring)
        return query.NumericRange(
            fieldname, self._number(span.start), self._number(span.end), boost=boost
        )

    def parse_range(
        self,
        fieldname: str,
        start: str | None,
        end: str | None,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> Any:
        if start is None and end is None:
            return query.Every(fieldname, boost=boost)
        low = high = None
        if start is not None:
            span = _date_span(start)
            low = self._number(span.end) + 1 if startexcl else self._number(span.start)
        if end is not None:
            span = _date_span(end)
            high = self._number(span.start) - 1 if endexcl else self._number(span.end)
        return query.NumericRange(fieldname, low, high, boost=boost)

    def _number(self, value: dt.datetime) -> int:
        return int(self.prepare_datetime(value))


def damaged_index_error(directory: Path, error: BaseException) -> NewsgrepError:
    return NewsgrepError(
        f"the index at {directory} is damaged ({type(error).__name__}: {error})",
        hint="run: newsgrep index --rebuild",
    )


def _date_span(text: str) -> Any:
    try:
        return parse_date_span(text)
    except ValueError as error:
        raise QueryError(f"in date: {error}") from None


class CompactPositions(formats.Positions):  # type: ignore[misc]
    """Whoosh's Positions, stored as varints: a word's count, then the gaps between its
    positions. Whoosh pickles the list for every posting, about 10 bytes where this takes 2."""

    def encode(self, poslist: list[int]) -> bytes:
        gaps = [poslist[0], *(b - a for a, b in zip(poslist, poslist[1:], strict=False))]
        return _varints([len(poslist), *gaps])

    def decode_positions(self, valuestring: bytes) -> list[int]:
        count, *gaps = _read_varints(valuestring)
        positions, position = [], 0
        for gap in gaps[:count]:
            position += gap
            positions.append(position)
        return positions

    def decode_frequency(self, valuestring: bytes) -> int:
        return _read_varints(valuestring, limit=1)[0]


def _varints(values: list[int]) -> bytes:
    out = bytearray()
    for value in values:
        while value >= 0x80:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


def _read_varints(data: bytes, limit: int = 0) -> list[int]:
    values: list[int] = []
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        values.append(value)
        if len(values) == limit:
            break
        value = shift = 0
    return values


class NewsTextField(fields.TEXT):  # type: ignore[misc]
    """A TEXT field indexed through `analysis.analyze`, one fast pass that gives the terms
    and positions the field's Whoosh analyzer gives (which still reads queries)."""

    def __init__(self, field_boost: float = 1.0) -> None:
        super().__init__(analyzer=text_analyzer(), stored=True, field_boost=field_boost)
        self.format = CompactPositions(field_boost=field_boost)

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        positions: dict[str, list[int]] = {}
        for term, position, _, _ in analyze(value):
            positions.setdefault(term, []).append(position)
        boost = self.format.field_boost
        for term, found in positions.items():
            yield term.encode("utf-8"), len(found), len(found) * boost, self.format.encode(found)


def build_schema() -> Any:
    """The Whoosh schema: searchable text, sortable date, and what change detection needs."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),  # the file's absolute path: how a file's articles go
        title=NewsTextField(field_boost=TITLE_BOOST),
        body=NewsTextField(),  # positions: phrase queries and proximity
        date=NewsDateField(stored=True, sortable=True),
        # Sorting by date puts articles without one last, whatever the direction.
        undated=fields.NUMERIC(int, bits=8, sortable=True),
        source=fields.TEXT(analyzer=label_analyzer(), stored=True),
        url=fields.ID(stored=True),
        tags=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        # What a lost manifest is rebuilt from: the file's part of the id, the folder it was
        # indexed under, and the content hash it was read from.
        file_id=fields.STORED(),
        folder=fields.STORED(),
        # The MinHash sketch that tells near-duplicate articles (see `duplicates`), in a
        # column so that folding reads it without loading whole stored documents.
        sketch=fields.COLUMN(columns.VarBytesColumn()),
        file_hash=fields.STORED(),
    )


# --- the manifest -----------------------------------------------------------------------


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


@dataclass(slots=True)
class Manifest:
    folders: list[str] = field(default_factory=list)
    files: dict[str, FileEntry] = field(default_factory=dict)
    updated: str | None = None

    # Files as rows, not objects: at 108k files the manifest loads and saves in a fraction
    # of the time, at half the size.
    _COLUMNS = ("id", "size", "mtime_ns", "hash", "articles", "skip")

    def to_json(self) -> str:
        rows = {
            path: [e.id, e.size, e.mtime_ns, e.hash, e.articles, e.skip]
            for path, e in self.files.items()
        }
        payload = {
            "folders": self.folders,
            "updated": self.updated,
            "columns": self._COLUMNS,
            "files": rows,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        payload = json.loads(text)
        if tuple(payload["columns"]) != cls._COLUMNS:
            raise ValueError("a manifest of another layout")
        files = {path: FileEntry(*row) for path, row in payload["files"].items()}
        return cls(list(payload["folders"]), files, payload.get("updated"))


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The file a batch of articles comes from."""

    path: str
    file_id: str
    folder: str  # the indexed folder (or lone file) it lies under
    file_hash: str


# --- the store --------------------------------------------------------------------------


class IndexStore:
    """One index folder. Reading needs no lock; writing happens inside `lock()`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def exists(self) -> bool:
        """Whether an index (perhaps a damaged one) is here."""
        return any(self.directory.glob("_MAIN_*.toc"))

    def open(self) -> Any:
        """The Whoosh index, for searching.

        Raises:
            IndexNotFoundError: no index here. IndexVersionError: an incompatible index.
            NewsgrepError: a damaged index.
        """
        if not self.exists():
            raise IndexNotFoundError(
                f"no index at {self.directory}", hint="run: newsgrep index seeds/"
            )
        self._check_version()
        try:
            return index.open_dir(str(self.directory))
        except Exception as error:  # Whoosh raises many kinds for a damaged index
            raise damaged_index_error(self.directory, error) from None

    def _check_version(self) -> None:
        try:
            meta = json.loads((self.directory / META_FILE).read_text(encoding="utf-8"))
            version = meta.get("schema_version")
        except (OSError, ValueError, AttributeError):
            version = None
        if version != SCHEMA_VERSION:
            raise IndexVersionError(
                f"the index at {self.directory} was made by another version of newsgrep "
                f"(schema {version}, this version reads {SCHEMA_VERSION})",
                hint="run: newsgrep index --rebuild",
            )

    def create(self) -> Any:
        """A new, empty index (replacing whatever is here)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        # The version first: a run stopped in between leaves no index (the next run makes
        # one), where Whoosh's files without ours would read as an index of another version.
        meta = {"schema_version": SCHEMA_VERSION, "created": _now()}
        _write_atomically(self.directory / META_FILE, json.dumps(meta))
        return index.create_in(str(self.directory), build_schema())

    def current_manifest(self) -> Manifest | None:
        """The manifest of the committed generation, read without holding the lock."""
        return self.read_manifest(self.open())

    # The manifest of the committed generation; None when there is none to trust.
    def read_manifest(self, ix: Any) -> Manifest | None:
        path = self.manifest_path(ix.latest_generation())
        try:
            return Manifest.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def recover_manifest(self, ix: Any) -> Manifest:
        """Rebuild the manifest from the stored documents, when it is lost.

        mtimes are unknown, so every file is read once more and kept if its hash matches;
        each document names the folder (or lone file) it was indexed under.
        """
        manifest = Manifest()
        folders = set()
        with ix.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                path = stored["path"]
                entry = manifest.files.get(path)
                if entry is None:
                    entry = FileEntry(stored["file_id"], -1, -1, stored["file_hash"])
                    manifest.files[path] = entry
                    folders.add(stored["folder"])
                entry.articles += 1
        manifest.folders = sorted(folders)
        return manifest

    def salvage_folders(self) -> list[str]:
        """The folders named by the newest manifest on disk, whatever state the index is in."""
        for path in sorted(
            self.directory.glob(f"{MANIFEST_PREFIX}*.json"), key=_generation, reverse=True
        ):
            try:
                return Manifest.from_json(path.read_text(encoding="utf-8")).folders
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return []

    def manifest_path(self, generation: int) -> Path:
        return self.directory / f"{MANIFEST_PREFIX}{generation}.json"

    def write_manifest(self, manifest: Manifest, generation: int) -> None:
        manifest.updated = _now()
        _write_atomically(self.manifest_path(generation), manifest.to_json())

    def remove_stale_manifests(self, generation: int) -> None:
        keep = self.manifest_path(generation).name
        for path in self.directory.glob(f"{MANIFEST_PREFIX}*.json"):
            if path.name != keep:
                with contextlib.suppress(OSError):
                    path.unlink()

    @contextlib.contextmanager
    def lock(self, wait_seconds: float) -> Iterator[None]:
        """Hold the write lock for a whole run; wait up to `wait_seconds` for another run.

        Raises:
            IndexLockedError: the other run still holds it when the wait is over.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / LOCK_FILE
        with open(path, "a+", encoding="utf-8") as handle:
            _acquire(handle, wait_seconds, self.directory)
            try:
                handle.truncate(0)
                handle.write(f"pid {os.getpid()}, started {_now()}\n")
                handle.flush()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle: Any, wait_seconds: float, directory: Path) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "unknown process"
                raise IndexLockedError(
                    f"the index at {directory} is being updated by another newsgrep run "
                    f"({holder}); gave up after {wait_seconds:g} s",
                    hint="wait for it to finish, or pass --wait SECONDS",
                ) from None
            time.sleep(0.05)


# --- writing ----------------------------------------------------------------------------


class Batch:
    """The changes of one indexing run, committed all at once (or not at all).

    The Whoosh writer opens on the first change, so a run that changes nothing commits
    nothing.
    """

    def __init__(self, store: IndexStore, ix: Any, *, clear: bool) -> None:
        self._store = store
        self._ix = ix
        self._clear = clear
        self._writer: Any = None

    def _open_writer(self) -> Any:
        if self._writer is None:
            # Separate segment files: Whoosh copies each part of a compound file into memory
            # when it opens an index, which made opening grow with the index size.
            writer = self._ix.writer(limitmb=WRITER_MEMORY_MB, compound=False)
            writer._commit_toc = functools.partial(_commit_toc, writer)
            self._writer = writer
        return self._writer

    def remove_file(self, path: str) -> None:
        self._open_writer().delete_by_term("path", path)

    def add_articles(self, source: SourceFile, articles: Sequence[Article]) -> None:
        writer = self._open_writer()
        for article in articles:
            writer.add_document(**_document(article, source))

    @property
    def changed(self) -> bool:
        return self._writer is not None or self._clear

    def commit(self, manifest: Manifest, *, manifest_changed: bool = True) -> None:
        """Commit the changes together with the manifest that describes them (which is not
        rewritten when neither it nor the index changed)."""
        if not self.changed and not manifest_changed:
            return
        if not self.changed:
            generation = self._ix.latest_generation()
            self._store.write_manifest(manifest, generation)
            self._store.remove_stale_manifests(generation)
            return
        writer = self._open_writer()
        generation = writer.generation
        self._store.write_manifest(manifest, generation)
        try:
            writer.commit(mergetype=CLEAR) if self._clear else writer.commit()
        except BaseException:
            # Not committed: the manifest describes nothing (and may fill a full disk).
            with contextlib.suppress(OSError):
                if self._ix.latest_generation() < generation:
                    self._store.manifest_path(generation).unlink()
            raise
        self._writer = None
        self._store.remove_stale_manifests(generation)

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
            for path in self._store.directory.glob(prefix + "*"):
                with contextlib.suppress(OSError):
                    path.unlink()


def _commit_toc(writer: Any, segments: list[Any]) -> None:
    """Whoosh's last step of a commit (write the TOC that makes generation N current, then
    delete the files no longer used), with the files of generation N - 1 kept until the
    next commit. Searches that opened N - 1 read some of its files lazily (stored fields,
    columns) and would fail if a commit deleted them in the meantime; and a search that has
    just listed the folder may still open TOC N - 1."""
    generation = writer.generation
    index.TOC(writer.schema, segments, generation).write(writer.storage, writer.indexname)
    _clean_files(writer.storage, writer.indexname, generation, segments)


def _clean_files(storage: Any, indexname: str, generation: int, segments: list[Any]) -> None:
    keep = {segment.segment_id() for segment in segments}
    tocs = {generation}
    with contextlib.suppress(Exception):  # no N - 1 (a new index), or one unreadable
        keep |= {
            s.segment_id() for s in index.TOC.read(storage, indexname, generation - 1).segments
        }
        tocs.add(generation - 1)
    toc_pattern = re.compile(rf"^_{indexname}_(\d+)\.toc(\.[0-9.]+)?$")
    segment_pattern = re.compile(rf"^({indexname}_[0-9a-z]+)\.")
    for name in list(storage):
        toc = toc_pattern.match(name)
        segment = segment_pattern.match(name)
        # Not ours to delete: TOCs kept, TOC temporaries of a run that died are.
        stale = (
            toc is not None and (toc.group(2) is not None or int(toc.group(1)) not in tocs)
        ) or (segment is not None and segment.group(1) not in keep)
        if stale:
            with contextlib.suppress(OSError):
                storage.delete_file(name)


def _document(article: Article, source: SourceFile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": source.file_id + article.record,
        "path": source.path,
        # A title made from the body's first sentence is shown, not searched as a title.
        "title": "" if article.title_from_body else article.title,
        "_stored_title": article.title,
        "body": article.body,
        "undated": int(article.date is None),
        "sketch": pack_sketch(sketch(article.title, article.body)),
        "file_id": source.file_id,
        "folder": source.folder,
        "file_hash": source.file_hash,
    }
    if article.date is not None:
        document["date"] = article.date
    if article.source:
        document["source"] = article.source
    if article.url:
        document["url"] = article.url
    if article.tags:
        document["tags"] = ",".join(tag.replace(",", " ") for tag in article.tags)
    return document


def _generation(manifest_path: Path) -> int:
    number = manifest_path.stem.removeprefix(MANIFEST_PREFIX)
    return int(number) if number.isdigit() else -1


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
