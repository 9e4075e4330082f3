"""File paths as newsgrep compares and stores them.

A file name that is not UTF-8 reaches Python with each bad byte as a lone surrogate
(`surrogateescape`); such text is written back as the same bytes (`PATH_BYTES`), shown
with U+FFFD, and made into index terms with the byte's code (see `engine.schema`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

PATH_BYTES = "surrogateescape"
# A lone surrogate: a byte of a name that is not UTF-8, or a bad escape in JSON.
SURROGATE = re.compile(r"[\ud800-\udfff]")


def is_within(path: str, root: str) -> bool:
    """Whether `path` is `root` or lies under it (both absolute, as given: no resolving)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def under_any(path: str, roots: Iterable[str]) -> bool:
    return any(is_within(path, root) for root in roots)
