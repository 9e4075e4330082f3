"""File paths as newsgrep compares and stores them.

A file name that is not UTF-8 reaches Python with each bad byte as a lone surrogate
(`surrogateescape`); such text is written back as the same bytes (`PATH_BYTES`), shown
with U+FFFD, and made into index terms with the byte's code (see `engine.schema`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable

PATH_BYTES = "surrogateescape"
# A lone surrogate: a byte of a name that is not UTF-8, or a bad escape in JSON.
SURROGATE = re.compile(r"[\ud800-\udfff]")


def is_within(path: str, root: str) -> bool:
    """Whether `path` is `root` or lies under it (both absolute, as given: no resolving)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def under_any(path: str, roots: Iterable[str]) -> bool:
    return any(is_within(path, root) for root in roots)


def covering_root(path: str, roots: Collection[str]) -> str | None:
    """The root in `roots` that `path` is or lies under (the nearest), or None. Looked up
    folder by folder up from `path`: with `roots` a set, a run given 100,000 files one by
    one (`find | newsgrep index -`) stays linear where a scan of every root was quadratic."""
    current = path
    while True:
        if current in roots:
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def covering_roots(roots: Iterable[str]) -> list[str]:
    """The roots with any root inside another one dropped, sorted. (Looked up folder by
    folder: linear in the roots, which `newsgrep index -` makes one per file.)"""
    unique = set(roots)
    parents = {root: os.path.dirname(root) for root in unique}
    return sorted(r for r in unique if parents[r] == r or not covering_root(parents[r], unique))
