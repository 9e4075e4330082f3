"""Files written so that a crash leaves either the old content or the new, never a mix.

The text goes to a temporary file in the same folder, is flushed to the disk, and is then
renamed over the target: a rename within a folder is atomic.
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


def utc_now() -> str:
    """Now, as the index's files record times: ISO 8601, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
