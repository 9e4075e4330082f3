"""Where the index is when neither `--index`, `NEWSGREP_INDEX` nor the config names one: the
nearest `index/` holding a newsgrep index, from the working folder up, as git finds `.git`.

A newsgrep index is a folder named `index` with a `newsgrep.json` in it (the file an index
run writes before anything else; `engine.folder.META_FILE`). So `newsgrep search` works
from anywhere inside an archive indexed from its top (`~/news/index` answers in
`~/news/2025/05`), and the "no index" error says where it looked. Stdlib only: the command
line asks before it loads the engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from newsgrep.config import Config
from newsgrep.errors import IndexNotFoundError

INDEX_NAME = "index"
MARKER = "newsgrep.json"  # = engine.folder.META_FILE (a test keeps them equal)


@dataclass(frozen=True, slots=True)
class Located:
    """An index folder and how it was chosen: `named` by --index, NEWSGREP_INDEX or the
    config (`by` says which), else found from `start` up (or the default, found or not)."""

    path: Path
    named: bool
    by: str = ""
    start: Path | None = None


def find_index(start: Path) -> Path | None:
    """The nearest `index/` holding a newsgrep index in `start` or a folder above it."""
    for folder in (start, *start.parents):
        if (folder / INDEX_NAME / MARKER).is_file():
            return folder / INDEX_NAME
    return None


def discovered(start: Path, *, inside: Iterable[Path] | None = None) -> Located:
    """The index found from `start` (absolute) up, shown relative when it is `./index`;
    the default `./index` when there is none. With `inside` (paths to index), an index
    found above is used only if they all lie in the folder that holds it: an index belongs
    to the folder it sits in, and paths elsewhere start an index of their own here."""
    found = find_index(start)
    if found is not None and found.parent != start and inside is not None:
        home = str(found.parent)
        for path in inside:
            absolute = os.path.abspath(path)
            if absolute != home and not absolute.startswith(home.rstrip(os.sep) + os.sep):
                found = None
                break
    if found is None or found.parent == start:
        return Located(Path(INDEX_NAME), named=False, start=start)
    return Located(found, named=False, start=start)


def require_index(located: Located, *, unfinished: bool = False) -> Path:
    """`located.path` if an index is there (its marker and a committed table of contents;
    with `unfinished`, its marker is enough: `check` describes a first run that stopped);
    else an error that says where newsgrep looked and what to run.

    Raises:
        IndexNotFoundError: no index there, or one whose first run never committed.
    """
    path = located.path
    marker = (path / MARKER).is_file()
    if marker and (unfinished or any(path.glob("_MAIN_*.toc"))):
        return path
    if marker:  # made, but its first run was stopped before it committed
        from newsgrep.manifest import salvage_folders  # (not loaded by a search that finds one)

        folders = " ".join(_quoted(folder) for folder in salvage_folders(path))
        raise IndexNotFoundError(
            f"no index yet at {path}: its first indexing run did not finish",
            hint=f"run: newsgrep index{_index_option(located)} {folders or 'FOLDER'}",
        )
    if located.named:
        raise IndexNotFoundError(
            f"no index at {path} ({located.by})",
            hint=f"run: newsgrep index{_index_option(located)} FOLDER, with the articles' folder",
        )
    start = located.start or Path.cwd()
    raise IndexNotFoundError(
        f"no index in {start} or any folder above it "
        f"(newsgrep looks for {INDEX_NAME}/{MARKER} from the working folder up)",
        hint=f"run: newsgrep index FOLDER to index a folder of articles (. for {start}), "
        "or name an index with --index",
    )


def locate_index(
    given: Path | None,
    config: Config,
    *,
    cwd: Path | None = None,
    inside: tuple[Path, ...] | None = None,
) -> Located:
    """--index / NEWSGREP_INDEX, else the config's `index`, else the nearest `index/`
    holding an index from the working folder up (`locate`), else ./index. `inside`: the
    paths an indexing run is given (an index found above is used only if they lie in its
    folder)."""
    if given is not None:
        return Located(given, named=True, by="--index or NEWSGREP_INDEX")
    if config.index is not None:
        return Located(config.index, named=True, by="the config's 'index'")
    return discovered(cwd or Path.cwd().absolute(), inside=inside)


def resolve_index_dir(given: Path | None, config: Config, *, cwd: Path | None = None) -> Path:
    """The index folder (see `locate_index`), whether or not an index is there yet."""
    return locate_index(given, config, cwd=cwd).path


def existing_index(
    given: Path | None, config: Config, *, cwd: Path | None = None, unfinished: bool = False
) -> Path:
    """The index folder (see `locate_index`, and `require_index` for `unfinished`).

    Raises:
        IndexNotFoundError: no index there, saying where newsgrep looked.
    """
    return require_index(locate_index(given, config, cwd=cwd), unfinished=unfinished)


def _index_option(located: Located) -> str:
    return f" --index {_quoted(str(located.path))}" if located.by.startswith("--index") else ""


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)
