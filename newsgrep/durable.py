"""Files written so that a crash leaves either the old content or the new, never a mix,
even a crash of the machine.

The text goes to a temporary file in the same folder and is fsynced, then renamed over the
target (a rename within a folder is atomic), and the folder is fsynced: the data is on the
disk before the name that points to it, and the name is on the disk when the call returns
(the rule `engine.storage` keeps for Whoosh's files, see ARCHITECTURE.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

from newsgrep.paths import PATH_BYTES


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8; surrogate-escaped bytes written as themselves)."""
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
    sync_folder(path.parent)


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """fsync `folder`, so that the names made, renamed or removed in it are on the disk."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def utc_now() -> str:
    """Now, as the index's files record times: ISO 8601, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
