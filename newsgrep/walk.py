"""The one walk of newsgrep: which files under the indexed folders are articles to read.

Indexing and `check` walk the same way, so they see the same files: folders recursively in
name order, hidden names and the index folder skipped, symlinked folders not followed,
what the folder's excludes leave out (`ignore`: `--exclude` globs, `.newsgrepignore`
files) not entered or not listed, files with a supported suffix; anything that cannot be
read is reported, not fatal.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Sequence
from operator import attrgetter
from stat import S_ISREG
from typing import NamedTuple

from newsgrep.formats import is_supported
from newsgrep.ignore import IGNORE_FILE, rules_for
from newsgrep.manifest import FileEntry
from newsgrep.model import Problem


class Candidate(NamedTuple):
    """A supported file found under a root, with the stat that change detection compares.
    (A tuple: a refresh makes one for every file, 108k of them in the 5x benchmark.)"""

    path: str
    root: str
    size: int
    mtime_ns: int


_NAME = attrgetter("name")


def same_stat(entry: FileEntry, candidate: Candidate) -> bool:
    """Whether a file's size and mtime are those the manifest has (then it is not read)."""
    return entry.size == candidate.size and entry.mtime_ns == candidate.mtime_ns


def walk(
    root: str,
    index_real: str,
    problems: list[Problem],
    unreadable: list[str],
    *,
    folder: str | None = None,
    globs: Sequence[str] = (),
    excluded: list[str] | None = None,
) -> Iterator[Candidate]:
    """Supported files under `root` (or `root` itself), hidden names and the index folder
    (`index_real`, a real path) skipped, in name order. Files and folders that cannot be
    read are added to `problems`; such folders are listed in `unreadable` too.

    `root` lies in the indexed `folder` (default: `root` itself), whose `--exclude` globs
    are `globs`: they and the `.newsgrepignore` files from `folder` down apply. What they
    leave out is added to `excluded` (a folder once, for all it holds).

    The one walk of newsgrep: indexing and `check` see the same files."""
    rules = rules_for(folder or root, root, globs, problems)
    if rules is None:  # root itself lies in what its folder leaves out
        if excluded is not None:
            excluded.append(root)
        return
    if os.path.isfile(root):
        candidate = _stat_candidate(root, root, problems)
        if candidate is not None:
            yield candidate
        return
    folders = [(root, rules)]
    while folders:
        current, rules = folders.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError as error:
            unreadable.append(current)
            problems.append(Problem(current, "", os_reason(error)))
            continue
        # (Asked of the folder, not of each of the thousands of names it may list.)
        if os.path.lexists(os.path.join(current, IGNORE_FILE)):
            rules = rules.entering(current, [IGNORE_FILE], problems)
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            is_dir = entry.is_dir(follow_symlinks=False)
            if not is_dir and not is_supported(name):
                continue
            if rules.layers and rules.excludes(entry.path, is_dir):
                if excluded is not None:
                    excluded.append(entry.path)
                continue
            if is_dir:
                if os.path.realpath(entry.path) != index_real:
                    subfolders.append((entry.path, rules))
            else:
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
