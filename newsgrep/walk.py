"""The one walk of newsgrep: which files under the indexed folders are articles to read.

Indexing and `check` walk the same way, so they see the same files: folders recursively in
name order, hidden names and the index folder skipped, symlinked folders not followed,
files with a supported suffix; anything that cannot be read is reported, not fatal.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from stat import S_ISREG
from typing import NamedTuple

from newsgrep.formats import is_supported
from newsgrep.manifest import FileEntry
from newsgrep.model import Problem


class Candidate(NamedTuple):
    """A supported file found under a root, with the stat that change detection compares.
    (A tuple: a refresh makes one for every file, 108k of them in the 5x benchmark.)"""

    path: str
    root: str
    size: int
    mtime_ns: int


def same_stat(entry: FileEntry, candidate: Candidate) -> bool:
    """Whether a file's size and mtime are those the manifest has (then it is not read)."""
    return entry.size == candidate.size and entry.mtime_ns == candidate.mtime_ns


def walk(
    root: str, index_real: str, problems: list[Problem], unreadable: list[str]
) -> Iterator[Candidate]:
    """Supported files under `root` (or `root` itself), hidden names and the index folder
    (`index_real`, a real path) skipped, in name order. Files and folders that cannot be
    read are added to `problems`; such folders are listed in `unreadable` too.

    The one walk of newsgrep: indexing and `check` see the same files."""
    if os.path.isfile(root):
        candidate = _stat_candidate(root, root, problems)
        if candidate is not None:
            yield candidate
        return
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            unreadable.append(folder)
            problems.append(Problem(folder, "", os_reason(error)))
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if os.path.realpath(entry.path) != index_real:
                    subfolders.append(entry.path)
            elif is_supported(name):
                candidate = _stat_candidate(entry.path, root, problems)
                if candidate is not None:
                    yield candidate
        folders.extend(reversed(subfolders))  # depth first, in name order


def _stat_candidate(path: str, root: str, problems: list[Problem]) -> Candidate | None:
    try:
        stat = os.stat(path)
    except OSError as error:
        reason = os_reason(error)
        if error.errno == errno.ENOENT and os.path.islink(path):
            reason = "broken symbolic link"
        problems.append(Problem(path, "", reason))
        return None
    if not S_ISREG(stat.st_mode):  # a FIFO would stop the run, a device never end
        problems.append(Problem(path, "", "not a regular file"))
        return None
    return Candidate(path, root, stat.st_size, stat.st_mtime_ns)


def os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
