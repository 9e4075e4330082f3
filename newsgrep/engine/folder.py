"""The index folder: where an index is, whether it may be read, its schema version, the
write lock, and opening and creating it.

An index folder holds Whoosh's files plus ours: `newsgrep.json` (the schema version, so an
index from another version is refused cleanly), the manifests (see `newsgrep.manifest`)
and `newsgrep.lock`, held (flock) for a whole indexing run and naming its pid and start
time. The kernel lets go of a flock when its holder dies, so the file of a killed run names
a dead process but never blocks the next run.

An index folder is trusted input: Whoosh stores pickled Python objects in it (the schema
in each table of contents, stored fields) and loads them when it opens the index, so whoever
can write a file there can run code as whoever searches it. `open` and `lock` therefore
refuse a folder, or a file in it, that other users may write (`IndexTrustError`, with a
`chmod o-w` hint), and an indexing run writes nothing that others may write, whatever the
umask. Group-writable is allowed: with the user-private groups most Linux systems use (umask
002), every file a user makes is group-writable by a group of one, and a group sharing an
index on purpose is a group the owner chose to trust.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import pickle
import stat
import struct
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import whoosh

from newsgrep.durable import sync_folder, utc_now, write_atomically
from newsgrep.engine.schema import SCHEMA_VERSION, build_schema
from newsgrep.engine.storage import INDEX_NAME, create_index, open_index
from newsgrep.errors import (
    IndexLockedError,
    IndexNotFoundError,
    IndexTrustError,
    IndexUnfinishedError,
    IndexVersionError,
    NewsgrepError,
)

if TYPE_CHECKING:
    from newsgrep.manifest import Manifest

META_FILE = "newsgrep.json"
LOCK_FILE = "newsgrep.lock"

# How many times a reader opens the index again when commits remove what it was opening.
OPEN_ATTEMPTS = 5


class DamagedFileError(Exception):
    """An index file read back as something no index holds (a stored article without id)."""


# What reading a damaged or vanished file raises (zlib.error: a stored article's deflated
# bytes); and, opening an index, what else Whoosh raises then (a missing column reads as
# None, hence TypeError).
DAMAGED_READ = (
    OSError,
    EOFError,
    struct.error,
    pickle.UnpicklingError,
    zlib.error,
    DamagedFileError,
)
DAMAGE = (*DAMAGED_READ, TypeError, ValueError)
# The code that decodes index files: what a damaged file makes it raise is of any kind
# (Whoosh raises `Exception` itself, FileFormatError, ValueError, OverflowError), so that
# where an error was raised, not its kind, tells damage from a bug of newsgrep's own.
_FILE_READERS = (
    os.path.dirname(whoosh.__file__) + os.sep,
    os.path.join(os.path.dirname(__file__), "codec.py"),
    os.path.join(os.path.dirname(__file__), "storage.py"),
)


def is_damage(error: BaseException) -> bool:
    """Whether `error`, raised while reading an index, says that a file of it is damaged:
    one of DAMAGED_READ, or any error raised inside Whoosh or newsgrep's codec."""
    return isinstance(error, DAMAGED_READ) or raised_reading_files(error)


def raised_reading_files(error: BaseException) -> bool:
    """Whether `error` was raised inside Whoosh or newsgrep's codec (`_FILE_READERS`)."""
    innermost = error.__traceback__
    while innermost is not None and innermost.tb_next is not None:
        innermost = innermost.tb_next
    return innermost is not None and innermost.tb_frame.f_code.co_filename.startswith(_FILE_READERS)


def damaged_index_error(directory: Path, error: BaseException) -> NewsgrepError:
    """The error for an index whose files cannot be read: in words, with Whoosh's own
    exception as the `detail` (what a bug report needs, not what a user reads)."""
    return NewsgrepError(
        f"the index at {directory} cannot be read: {_what_failed(error)}",
        hint="run: newsgrep index --rebuild",
        detail=f"{type(error).__name__}: {error}",
    )


def _what_failed(error: BaseException) -> str:
    if isinstance(error, FileNotFoundError):
        name = os.path.basename(os.fsdecode(error.filename)) if error.filename else ""
        return f"a file it needs is missing{f' ({name})' if name else ''}"
    if isinstance(error, PermissionError):
        return "one of its files may not be read (permission denied)"
    if isinstance(error, OSError) and error.strerror:
        return f"one of its files cannot be read ({error.strerror.lower()})"
    return "one of its files is damaged or incomplete"


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


class Leaks:
    """Whether the read `quiet_leaks` stands around failed."""

    __slots__ = ("failed",)

    def __init__(self) -> None:
        self.failed = False


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


def _others_may_write(path: Path) -> bool:
    try:
        mode = path.stat().st_mode  # a symlink: what Whoosh would read through it
    except OSError:
        return False
    return bool(mode & stat.S_IWOTH)


# The parts of an index folder, by the ends of their file names (the first that matches):
# the postings (which articles hold each word, and where), the terms, the stored articles
# (what a hit shows), the other columns (lengths, dates, ordinals, near-duplicate sketches),
# and the manifests of the files indexed.
PARTS = (
    ("postings", (".pst",)),
    ("terms", (".trm",)),
    ("stored articles", ("._stored.col",)),
    ("columns", (".col",)),
    ("manifest", (".json",)),
)
OTHER_PART = "other"
_MANIFEST_PREFIX = "manifest-"


def _part_of(name: str) -> str:
    for part, endings in PARTS:
        if name.endswith(endings) and (part != "manifest" or name.startswith(_MANIFEST_PREFIX)):
            return part
    return OTHER_PART


class IndexStore:
    """One index folder. Reading needs no lock; writing happens inside `lock()`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def exists(self) -> bool:
        """Whether an index (perhaps a damaged one) is here."""
        return any(self.directory.glob("_MAIN_*.toc"))

    def parts(self) -> list[tuple[str, int]]:
        """What the folder's files take, by what they hold (`PARTS`, then "other": tables
        of contents, deletions, the lock, newsgrep.json), largest first; a file an indexing
        run deletes meanwhile is skipped."""
        sizes = dict.fromkeys([*(name for name, _ in PARTS), OTHER_PART], 0)
        for path in self.directory.iterdir():
            with contextlib.suppress(FileNotFoundError):
                found = path.stat()
                if stat.S_ISREG(found.st_mode):
                    sizes[_part_of(path.name)] += found.st_size
        return sorted(
            ((name, size) for name, size in sizes.items() if size), key=itemgetter(1), reverse=True
        )

    def latest_generation(self) -> int:
        """The newest generation whose table of contents is here (-1: none), from the
        file names alone."""
        names = [toc.name for toc in self.directory.glob("_MAIN_*.toc")]
        numbers = [name[len("_MAIN_") : -len(".toc")] for name in names]
        return max((int(number) for number in numbers if number.isdigit()), default=-1)

    def open(self, *, unfinished: bool = False, pinned: bool = True) -> Any:
        """The Whoosh index (for the engine: `index.Index` is what others get), `pinned`
        to the generation that is newest now (for readers; see `storage.NewsIndex`). An
        index whose first run did not finish (generation 0, see `create`) is opened only
        if `unfinished` (to index or check it): there is nothing in it to search.

        Raises:
            IndexNotFoundError: no index here (IndexUnfinishedError: nothing indexed yet).
            IndexVersionError: an incompatible index. NewsgrepError: a damaged index.
        """
        if not self.exists():
            raise IndexNotFoundError(
                f"no index at {self.directory}", hint="run: newsgrep index seeds/"
            )
        self.check_trust()
        self._check_version()
        for _ in range(OPEN_ATTEMPTS):
            with quiet_leaks() as leaks:
                try:
                    ix = open_index(str(self.directory), pinned=pinned)
                except FileNotFoundError as error:
                    # The table of contents it listed was removed before it was read: a
                    # commit came in between, and the next listing finds the new one.
                    failure = damaged_index_error(self.directory, error)
                    leaks.failed = True
                    continue
                except Exception as error:  # Whoosh raises many kinds for a damaged index
                    failure = damaged_index_error(self.directory, error)
                    leaks.failed = True
                    break
            if unfinished or ix.latest_generation() > 0:
                return ix
            failure = IndexUnfinishedError(
                f"the index at {self.directory} has no articles yet: its first "
                "`newsgrep index` did not finish",
                hint="run: newsgrep index",
            )
            break
        raise failure  # (outside the except: the traceback, and what it holds, is gone)

    def holds(self, ix: Any) -> bool:
        """Whether the generation the pinned index `ix` reads is still here (its table of
        contents is: a commit removes a generation's table of contents before its other
        files, see `generations`)."""
        return (self.directory / f"_{INDEX_NAME}_{ix.pinned_generation}.toc").exists()

    def read(self, ix: Any, open_files: Callable[[Any], None], close: Callable[[], None]) -> Any:
        """Open every file a reader of the pinned index `ix` will read (`open_files(ix)`),
        and return the index they are of: `ix`, or, when a commit removed files of its
        generation before they were all open, the newer generation's (opened files stay
        readable, whatever commits come after). `close()` lets go of what an attempt that
        failed had opened.

        A generation whose table of contents is still here once every file is open had
        every file there when it was opened; else Whoosh may have failed on a missing file
        in any of several ways, or (a length column) read it as empty: then it is opened
        again.

        Raises:
            NewsgrepError: a damaged index (a file unreadable in a generation still here).
        """
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                open_files(ix)
            except Exception as error:  # Whoosh raises many kinds for a file that is gone
                close()
                if attempt == OPEN_ATTEMPTS or self.holds(ix):
                    if isinstance(error, DAMAGE) or raised_reading_files(error):
                        raise damaged_index_error(self.directory, error) from None
                    raise
            else:
                if self.holds(ix):
                    return ix
                close()
            ix = self.open()
        raise damaged_index_error(
            self.directory, OSError("every generation was removed while it was opened")
        )

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

    def create(self, manifest: Manifest) -> Any:
        """A new, empty Whoosh index (replacing whatever is here): generation 0, which no
        commit makes (a run's first commit makes generation 1), so that an index whose
        first run was stopped reads as such. `manifest` (the folders that run was asked
        for) is written as generation 0's first, so that the next run, or `check
        --repair`, knows what to index."""
        from newsgrep import manifest as manifest_file  # an index run's: not a search's

        self.directory.mkdir(parents=True, exist_ok=True)
        sync_folder(self.directory.parent)  # the index folder itself survives a crash
        # The version first: a run stopped in between leaves no index (the next run makes
        # one), where Whoosh's files without ours would read as an index of another version.
        meta = {"schema_version": SCHEMA_VERSION, "created": utc_now()}
        write_atomically(self.directory / META_FILE, json.dumps(meta))
        manifest_file.write(self.directory, manifest, 0)  # no table of contents without one
        return create_index(str(self.directory), build_schema())

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
                    handle.write(f"pid {os.getpid()}, started {utc_now()}\n")
                    handle.flush()
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            os.umask(previous)
