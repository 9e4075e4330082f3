"""Summary printers: the paths of matching files (`-l`, `-0`) and the count (`-c`)."""

from __future__ import annotations

import os
from typing import BinaryIO, TextIO

from newsgrep.model import SearchResult
from newsgrep.render.common import display_path, safe_line


def matching_paths(result: SearchResult) -> list[str]:
    """Each matching file once, in the rank order of its best article."""
    return list(dict.fromkeys(display_path(hit.path) for hit in result.hits))


def write_paths(result: SearchResult, out: BinaryIO, *, null: bool, to_terminal: bool) -> None:
    """One path per line, or NUL-terminated with `null`.

    Paths go out as the file system's own bytes, so `xargs` finds even names that are not
    UTF-8; on a terminal they are shown inert instead.
    """
    end = b"\0" if null else b"\n"
    for path in matching_paths(result):
        if to_terminal:
            out.write(safe_line(path).encode("utf-8", "replace") + end)
        else:
            out.write(os.fsencode(path) + end)


def write_count(result: SearchResult, out: TextIO, *, page: bool = False) -> None:
    """The number of matches; with `page` (-n or --offset given), of those on the page, as
    `-l` would list them (grep's `-c -m N` counts up to N too)."""
    out.write(f"{len(result.hits) if page else result.total}\n")
