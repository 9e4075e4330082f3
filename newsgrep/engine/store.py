"""The index on disk: Whoosh schema, opening and creating, the write lock, and the manifest.

An index folder holds Whoosh's files plus three of ours:
- `newsgrep.json`: the schema version, so an index from another version is refused cleanly;
- `manifest-<generation>.json`: the folders the index covers and, per file, its size,
  mtime, content hash and id. It is written *before* Whoosh commits generation N and read
  only when N is the committed generation, so it always describes exactly what is in the
  index; a run killed between the two leaves a stale file that is ignored and cleaned up;
- `newsgrep.lock`: held (flock) for a whole indexing run, naming its pid and start time.
  The kernel lets go of a flock when its holder dies, so the file of a killed run names a
  dead process but never blocks the next run.

A run killed part way (even by SIGKILL) leaves only files that no commit refers to:
segment files and a temporary table of contents of the generation it was writing, Whoosh's
`MAIN.tmp` folder, a manifest of that generation, our `.*.tmp` files. `leftovers` names
them (a file is a leftover by its name and the committed table of contents, nothing else)
and every indexing run removes them, under the lock, before it starts.

An index folder is trusted input: Whoosh stores pickled Python objects in it (the schema
in each table of contents, stored fields) and loads them when it opens the index, so whoever
can write a file there can run code as whoever searches it. `open` and `lock` therefore
refuse a folder, or a file in it, that other users may write (`IndexTrustError`, with a
`chmod o-w` hint), and an indexing run writes nothing that others may write, whatever the
umask. Group-writable is allowed: with the user-private groups most Linux systems use (umask
002), every file a user makes is group-writable by a group of one, and a group sharing an
index on purpose is a group the owner chose to trust.

Whoosh objects stay in this module and in `search`; everything else sees plain data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import itertools
import json
import operator
import os
import re
import shutil
import stat
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import columns, fields, formats, index, query
from whoosh.writing import CLEAR, SegmentWriter

from newsgrep.errors import (
    IndexLockedError,
    IndexNotFoundError,
    IndexTrustError,
    IndexVersionError,
    NewsgrepError,
    QueryError,
)
from newsgrep.model import Article, SourceFile
from newsgrep.paths import PATH_BYTES, SURROGATE
from newsgrep.text.analysis import analyze, label_analyzer, text_analyzer
from newsgrep.text.dates import parse_date_span
from newsgrep.text.duplicates import pack_sketch, sketch

# Bump when the schema or the analysis changes: older indexes must then be rebuilt.
SCHEMA_VERSION = 5
TITLE_BOOST = 2.0
# Whoosh's posting pool, shared out among the worker processes: with 256 a 21.6k build
# peaked at ~500 MiB over its three processes, with 128 at ~340 MiB.
WRITER_MEMORY_MB = 128
# A run that reads at least this much uses worker processes: each takes ~0.3 s to start.
PARALLEL_MIN_BYTES = 2_000_000
WORKERS_VARIABLE = "NEWSGREP_WORKERS"
MAX_WORKERS = 4

META_FILE = "newsgrep.json"
LOCK_FILE = "newsgrep.lock"
MANIFEST_PREFIX = "manifest-"

# Whoosh's file names for the index "MAIN" (see whoosh.index.TOC and clean_files): the
# table of contents of each generation, its temporary name while being written, the files
# of each segment, and the lock file its writer flocks (kept: like ours, it never blocks
# once its holder is gone).
_WHOOSH_NAME = "MAIN"
_TOC = re.compile(rf"^_{_WHOOSH_NAME}_([0-9]+)\.toc$")
_TOC_TEMPORARY = re.compile(rf"^_{_WHOOSH_NAME}_[0-9]+\.toc\..+$")
_SEGMENT_FILE = re.compile(rf"^({_WHOOSH_NAME}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
_MANIFEST = re.compile(rf"^{MANIFEST_PREFIX}([0-9]+)\.json$")
_KEPT = frozenset({META_FILE, LOCK_FILE, f"{_WHOOSH_NAME}_WRITELOCK"})


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


@contextlib.contextmanager
def quiet_leaks() -> Iterator[Leaks]:
    """Whoosh leaves a damaged file open when it fails to read it. Around a read that may
    fail: the handle is let go (with its traceback) and, if the body says the read failed
    (`leaks.failed = True`), collected inside, quietly, rather than have its
    ResourceWarning surface at some later moment. (Collecting on every open cost ~15 ms.)"""
    leaks = Leaks()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield leaks
        finally:
            if leaks.failed:
                gc.collect()


@dataclass(slots=True)
class Leaks:
    failed: bool = False


def _date_span(text: str) -> Any:
    try:
        return parse_date_span(text)
    except ValueError as error:
        raise QueryError(f"in date: {error}") from None


class CompactPositions(formats.Positions):  # type: ignore[misc]
    """Whoosh's Positions, stored as varints: a word's count, then the gaps between its
    positions. Whoosh pickles the list for every posting, about 10 bytes where this takes 2."""

    # Most postings are a few small numbers, each one byte: those take the fast paths.

    def encode(self, poslist: list[int]) -> bytes:
        values = [len(poslist), poslist[0], *map(operator.sub, poslist[1:], poslist)]
        return bytes(values) if max(values) < 0x80 else _varints(values)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        values = list(valuestring) if max(valuestring) < 0x80 else _read_varints(valuestring)
        return list(itertools.accumulate(values[1 : values[0] + 1]))

    def decode_frequency(self, valuestring: bytes) -> int:
        first = valuestring[0]
        return first if first < 0x80 else _read_varints(valuestring, limit=1)[0]


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
class IndexContents:
    """What the stored documents of one generation say, for `check`."""

    generation: int
    doc_count: int  # as Whoosh counts them
    readable: int  # documents whose stored fields were read
    ids: Counter[str]  # articles per id
    paths: Counter[str]  # articles per file


@dataclass(frozen=True, slots=True)
class Leftover:
    """A file (or Whoosh's temporary folder) in the index folder that the committed
    generation does not use: what an interrupted run leaves behind."""

    name: str
    kind: str  # "segment", "toc", "manifest" or "temporary"
    reason: str


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
        self.check_trust()
        self._check_version()
        with quiet_leaks() as leaks:
            try:
                return index.open_dir(str(self.directory))
            except Exception as error:  # Whoosh raises many kinds for a damaged index
                failure = damaged_index_error(self.directory, error)
                leaks.failed = True
        raise failure  # (outside the except: the traceback, and what it holds, is gone)

    def check_trust(self) -> None:
        """Refuse an index folder that other users may write, or that holds such a file:
        Whoosh unpickles what it reads from there. (Group-writable is allowed.)

        Raises:
            IndexTrustError: naming the first such path, with a `chmod o-w` hint.
        """
        writable = [self.directory] if _others_may_write(self.directory) else []
        with contextlib.suppress(OSError), os.scandir(self.directory) as listing:
            # (a folder that cannot be listed cannot be opened either: that error tells)
            writable += sorted(
                Path(entry.path) for entry in listing if _others_may_write(Path(entry.path))
            )
        if writable:
            first = writable[0]
            more = f" (and {len(writable) - 1} more)" if len(writable) > 1 else ""
            target = self.directory if len(writable) > 1 else first
            raise IndexTrustError(
                f"refusing the index at {self.directory}: {first}{more} is writable by other "
                "users, and newsgrep loads pickled Python objects from an index's files",
                hint=f"if nobody else changed it, run: chmod {'-R ' if more else ''}o-w {target}",
            )

    def schema_version(self) -> Any:
        """The schema version `newsgrep.json` names (None when it cannot be read)."""
        try:
            meta = json.loads((self.directory / META_FILE).read_text(encoding="utf-8"))
            return meta.get("schema_version")
        except (OSError, ValueError, AttributeError):
            return None

    def _check_version(self) -> None:
        version = self.schema_version()
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

    # The manifest of the committed generation (or of `generation`); None when there is
    # none to trust.
    def read_manifest(self, ix: Any, generation: int | None = None) -> Manifest | None:
        if generation is None:
            generation = ix.latest_generation()
        path = self.manifest_path(generation)
        try:
            return Manifest.from_json(path.read_text(encoding="utf-8", errors=PATH_BYTES))
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
                text = path.read_text(encoding="utf-8", errors=PATH_BYTES)
                return Manifest.from_json(text).folders
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return []

    def contents(self, ix: Any) -> IndexContents:
        """Every stored document read once (so each must be readable): ids and paths
        counted, with the generation they were read from.

        Raises whatever Whoosh raises for a damaged index."""
        with ix.searcher() as searcher:
            ids: Counter[str] = Counter()
            paths: Counter[str] = Counter()
            readable = 0
            for stored in searcher.all_stored_fields():
                ids[stored.get("id", "")] += 1
                paths[stored.get("path", "")] += 1
                readable += 1
            generation = int(searcher.reader().generation())
            if generation < 0:  # an index without segments reads no table of contents
                generation = self.committed_generation(ix)
            return IndexContents(generation, int(searcher.doc_count()), readable, ids, paths)

    def committed_generation(self, ix: Any) -> int:
        """The generation whose table of contents `ix` reads now (the last commit)."""
        return int(ix._read_toc().generation)

    def leftovers(self, ix: Any) -> list[Leftover]:
        """What in the index folder neither the committed generation of `ix` nor the one
        before it (kept for searches opened on it, see `NewsWriter`) uses: segment files
        they do not list, other generations' tables of contents, manifests other than the
        committed one, and temporary files. Files newsgrep does not know are not leftovers
        (nor touched).

        Only meaningful under the lock: a running indexer's files are leftovers too."""
        toc = ix._read_toc()
        current = int(toc.generation)
        tocs, segments = _kept(ix.storage, ix.indexname, current, toc.segments)
        found = []
        for name in sorted(os.listdir(self.directory)):
            leftover = _classify(name, current, tocs, segments)
            if leftover is not None:
                found.append(leftover)
        return found

    def remove_leftovers(self, ix: Any) -> list[Leftover]:
        """Remove `leftovers(ix)` (call under the lock); returns those removed."""
        removed = []
        for leftover in self.leftovers(ix):
            path = self.directory / leftover.name
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:
                continue  # gone already, or not ours to remove: `check` still names it
            removed.append(leftover)
        return removed

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
    def probe_lock(self) -> Iterator[str | None]:
        """Hold the write lock while the block runs if no run holds it (yields None), else
        yield the holder's line (`pid …, started …`). Never waits, and makes no file: an
        index without a lock file has no run going (a run makes it before anything else);
        the lock file is opened for reading, which flock allows, so a read-only index can
        be probed too."""
        with contextlib.ExitStack() as stack:
            try:
                handle = stack.enter_context(open(self.directory / LOCK_FILE, encoding="utf-8"))
            except OSError:
                yield None
                return
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield handle.read().strip() or "unknown process"
                return
            try:
                yield None
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def lock(self, wait_seconds: float) -> Iterator[None]:
        """Hold the write lock for a whole run; wait up to `wait_seconds` for another run.

        Everything made while it is held (the folder too) is made without write
        permission for other users, whatever the process's umask (the umask is
        process-wide, so it is only ever made stricter, and restored afterwards).

        Raises:
            IndexLockedError: the other run still holds it when the wait is over.
            IndexTrustError: the folder, or a file in it, is writable by other users.
        """
        previous = os.umask(0o077)
        os.umask(previous | stat.S_IWOTH)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.check_trust()
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
        finally:
            os.umask(previous)


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
        self._workers = 1
        self._planned_bytes = 0
        self._sent_bytes = 0.0

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
                from newsgrep.engine.parallel import ParallelWriter

                self._writer = ParallelWriter(
                    self._ix,
                    workers=self._workers,
                    make_document=_document,
                    limitmb=WRITER_MEMORY_MB // self._workers,
                    compound=False,
                )
            else:
                self._writer = NewsWriter(self._ix, limitmb=WRITER_MEMORY_MB, compound=False)
        return self._writer

    def remove_file(self, path: str) -> None:
        self._open_writer().delete_by_term("path", index_term(path))

    def add_articles(
        self, source: SourceFile, articles: Sequence[Article], file_size: int = 0
    ) -> None:
        writer = self._open_writer()
        if self._workers == 1:
            for article in articles:
                writer.add_document(**_document(article, source))
            return
        # The first share of the bytes planned goes to the first worker, and so on: the
        # documents keep their order (a long JSON Lines file is shared out by its records).
        share = file_size / max(1, len(articles))
        last = len(articles) - 1
        for number, article in enumerate(articles):
            worker = min(
                self._workers - 1, int(self._sent_bytes * self._workers / self._planned_bytes)
            )
            writer.add(worker, (article, source), number == last)
            self._sent_bytes += share

    def written(self) -> tuple[int, int] | None:
        """Files and articles written so far by worker processes; None without workers."""
        if self._workers == 1 or self._writer is None:
            return None
        files, articles = self._writer.written()
        return int(files), int(articles)

    @property
    def changed(self) -> bool:
        return self._writer is not None or self._clear

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
            self._store.write_manifest(manifest, generation)
            self._store.remove_stale_manifests(generation)
            return
        writer = self._open_writer()
        generation = writer.generation
        self._store.write_manifest(manifest, generation)
        options: dict[str, Any] = {"mergetype": CLEAR} if self._clear else {}
        if self._workers > 1:
            options["waiting"] = waiting
        try:
            writer.commit(**options)
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


class NewsWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer, but a commit keeps the files of generation N - 1 until the
    next commit. Searches that opened N - 1 read some of its files lazily (stored fields,
    columns) and would fail if a commit deleted them in the meantime; and a search that has
    just listed the folder may still open TOC N - 1."""

    def _commit_toc(self, segments: list[Any]) -> None:
        # Whoosh's last step of a commit: write the TOC that makes generation N current,
        # then delete the files no longer used (here: by N or N - 1).
        generation = self.generation
        index.TOC(self.schema, segments, generation).write(self.storage, self.indexname)
        _clean_files(self.storage, self.indexname, generation, segments)


def _kept(
    storage: Any, indexname: str, generation: int, segments: list[Any]
) -> tuple[set[int], set[str]]:
    """The generations whose tables of contents stay (`generation` and the one before it),
    and the segments they use."""
    keep = {segment.segment_id() for segment in segments}
    tocs = {generation}
    previous = None
    with quiet_leaks() as leaks:
        try:
            previous = index.TOC.read(storage, indexname, generation - 1)
        except Exception:  # no N - 1 (a new index), or one unreadable: not kept
            leaks.failed = True
    if previous is not None:
        keep |= {segment.segment_id() for segment in previous.segments}
        tocs.add(generation - 1)
    return tocs, keep


def _clean_files(storage: Any, indexname: str, generation: int, segments: list[Any]) -> None:
    """Delete Whoosh's own files (tables of contents and segment files) that neither
    `generation` nor the one before uses: the leftovers `IndexStore.leftovers` names, less
    ours (manifests and temporary files are the run's to remove)."""
    tocs, keep = _kept(storage, indexname, generation, segments)
    for name in list(storage):
        leftover = _classify(name, generation, tocs, keep)
        if leftover is not None and leftover.kind in ("toc", "segment"):
            with contextlib.suppress(OSError):
                storage.delete_file(name)


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


def _document(article: Article, source: SourceFile) -> dict[str, Any]:
    document: dict[str, Any] = {
        # Indexed as terms that any name can make; stored as they are.
        "id": index_term(source.file_id + article.record),
        "_stored_id": source.file_id + article.record,
        "path": index_term(source.path),
        "_stored_path": source.path,
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


def _others_may_write(path: Path) -> bool:
    try:
        mode = path.stat().st_mode  # a symlink: what Whoosh would read through it
    except OSError:
        return False
    return bool(mode & stat.S_IWOTH)


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
            f"neither the committed generation {current} nor the one before",
        )
    if _TOC_TEMPORARY.match(name):
        return Leftover(name, "toc", "a table of contents an interrupted run was writing")
    if match := _SEGMENT_FILE.match(name):
        if match.group(1) in segments:
            return None
        return Leftover(
            name,
            "segment",
            f"a segment file that neither generation {current} nor the one before uses",
        )
    if match := _MANIFEST.match(name):
        if int(match.group(1)) == current:
            return None
        return Leftover(
            name,
            "manifest",
            f"the manifest of generation {match.group(1)}, "
            f"not of the committed generation {current}",
        )
    return None




def index_term(text: str) -> str:
    """`text` (an id or path) as an index term. A file name that is not UTF-8 reaches Python
    with each bad byte as a lone surrogate, which no term can hold: it becomes U+FFFD and
    the code in hex (`caf\udce9.txt` -> `caf\ufffddce9.txt`), so the name keeps a term
    of its own. Other text is its own term."""
    if not SURROGATE.search(text):
        return text
    return SURROGATE.sub(lambda found: f"\ufffd{ord(found.group()):04x}", text)


def _generation(manifest_path: Path) -> int:
    number = manifest_path.stem.removeprefix(MANIFEST_PREFIX)
    return int(number) if number.isdigit() else -1


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", errors=PATH_BYTES) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
