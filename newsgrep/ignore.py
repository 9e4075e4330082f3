"""What the walk leaves out: `--exclude` globs and `.newsgrepignore` files, in gitignore syntax.

Each indexed folder has its rules: the `--exclude` globs remembered for it (in the
manifest), then the `.newsgrepignore` of the folder itself and of each folder below it,
read as the walk reaches them. As in git, a pattern is relative to the folder whose file
holds it (the globs: to the indexed folder), the deeper file wins over the shallower one,
and the last matching line of a file decides (`!pattern` includes again). The globs come
first, as git's `info/exclude` comes before `.gitignore` files: an ignore file can include
again what a glob leaves out.

Folders are tested as folders (`drafts/`) and, when excluded, not entered at all: a file
under an excluded folder cannot be included again, as in git. (pathspec alone, asked about
`drafts/keep.md`, would include it under `drafts/` + `!drafts/keep.md`; the walk never asks.)

pathspec is imported only when there is a rule to compile, so a walk without any costs
nothing and a search never loads it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsgrep.errors import NewsgrepError
from newsgrep.model import Problem

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

IGNORE_FILE = ".newsgrepignore"


class ExcludeError(NewsgrepError):
    """An --exclude glob that is not a gitignore pattern."""


@dataclass(frozen=True, slots=True)
class _Layer:
    """The rules of one folder: patterns relative to `base` (a path ending in a separator)."""

    base: str
    spec: GitIgnoreSpec


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules in force in one folder of the walk: its ancestors' layers, deepest last."""

    layers: tuple[_Layer, ...] = ()

    def excludes(self, path: str, is_dir: bool) -> bool:
        """Whether `path` (under every layer's base) is left out."""
        for layer in reversed(self.layers):
            relative = path[len(layer.base) :].replace(os.sep, "/")
            result = layer.spec.check_file(relative + "/" if is_dir else relative).include
            if result is not None:
                return bool(result)
        return False

    def entering(self, folder: str, names: Sequence[str], problems: list[Problem]) -> Rules:
        """The rules inside `folder`, whose listing is `names`: these, plus its ignore file."""
        if IGNORE_FILE not in names:
            return self
        path = os.path.join(folder, IGNORE_FILE)
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError as error:
            problems.append(Problem(path, "", f"ignore file not read: {_reason(error)}"))
            return self
        spec = _compile(lines, lambda line: problems.append(_bad_line(path, line)))
        return Rules((*self.layers, _Layer(_base(folder), spec)))


def rules_for(
    folder: str, root: str, globs: Sequence[str], problems: list[Problem]
) -> Rules | None:
    """The rules in force at `root` (the indexed `folder`, or a folder or file under it),
    for the `globs` of `folder`: the ignore files of `folder` and of each folder between
    it and `root` are read. None when `root` itself is left out."""

    def fail(line: str) -> None:  # globs were checked when they were given
        raise ExcludeError(f"--exclude {line!r} is not a gitignore pattern")

    rules = Rules((_Layer(_base(folder), _compile(globs, fail)),) if globs else ())
    if root == folder:
        return rules
    relative = os.path.relpath(root, folder).split(os.sep)
    current = folder
    for name in relative:
        rules = rules.entering(current, _names(current), problems)
        current = os.path.join(current, name)
        if rules.excludes(current, os.path.isdir(current)):
            return None
    return rules


def check_globs(globs: Sequence[str]) -> None:
    """Raise ExcludeError for the first glob that is not a gitignore pattern."""

    def fail(line: str) -> None:
        raise ExcludeError(
            f"--exclude {line!r} is not a gitignore pattern",
            hint="e.g. --exclude README.TXT, --exclude '*.tmp', --exclude drafts/",
        )

    for glob in globs:
        if not glob.strip() or glob.lstrip().startswith("#"):
            fail(glob)  # it would exclude nothing, silently
    _compile(globs, fail)


def _compile(lines: Sequence[str], bad: Any) -> GitIgnoreSpec:
    """The lines as one spec; a line pathspec cannot read is reported to `bad` and left out."""
    from pathspec import GitIgnoreSpec

    # (pathspec's pattern error is a ValueError, under a name that moved between versions)
    try:
        return GitIgnoreSpec.from_lines(lines)
    except ValueError:
        kept = []
        for line in lines:
            try:
                GitIgnoreSpec.from_lines([line])
            except ValueError:
                bad(line)
                continue
            kept.append(line)
        return GitIgnoreSpec.from_lines(kept)


def _bad_line(path: str, line: str) -> Problem:
    return Problem(path, "", f"line left out, not a gitignore pattern: {line!r}")


def _base(folder: str) -> str:
    return folder.rstrip(os.sep) + os.sep


def _names(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
