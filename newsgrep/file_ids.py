"""Article ids: which id each indexed file takes. A file's id is its path relative to the
folder that covers it (a file indexed by itself: its name); when two covered folders hold
the same relative path, the later one takes the folder-qualified form (`news/a.txt`), and
after that a numbered one (`news/a.txt~2`). An article's id is its file's id, plus `#…` for
a record of a file of many articles.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from newsgrep.manifest import Manifest
from newsgrep.paths import is_within
from newsgrep.walk import Candidate


def settle_ids(
    found: list[Candidate], manifest: Manifest, paths_by_id: dict[str, str], *, settled: bool
) -> dict[str, str]:
    """Each file's id. A file keeps its id while that is still right for the folder that
    covers it (always, when the folders are those its id was `settled` for); the others
    get theirs once every kept id is known, so that an id freed in this run goes to
    whoever needs it now, and the next run changes nothing. `paths_by_id` (id → path) is
    brought up to date."""
    ids: dict[str, str] = {}
    pending = []
    for candidate in found:
        entry = manifest.files.get(candidate.path)
        if entry is not None and (
            settled or _is_id_choice(entry.id, *_id_forms(candidate, manifest.folders))
        ):
            ids[candidate.path] = entry.id
        else:
            pending.append(candidate)
            if entry is not None and paths_by_id.get(entry.id) == candidate.path:
                del paths_by_id[entry.id]
    for candidate in pending:
        file_id = next(
            choice
            for choice in _id_choices(*_id_forms(candidate, manifest.folders))
            if paths_by_id.get(choice, candidate.path) == candidate.path
        )
        paths_by_id[file_id] = candidate.path
        ids[candidate.path] = file_id
    return ids


def _id_forms(candidate: Candidate, folders: list[str]) -> tuple[str, str]:
    """A file's id and its qualified form: the path relative to the folder that covers it
    (a file indexed by itself: its name), and that prefixed with the folder's name."""
    path = candidate.path
    root = covering_folder(candidate, folders)
    if root == path:
        name = os.path.basename(path)
        return name, f"{os.path.basename(os.path.dirname(path))}/{name}"
    prefix = root.rstrip(os.sep) + os.sep
    relative = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, root)
    relative = relative.replace(os.sep, "/")
    return relative, f"{os.path.basename(root)}/{relative}"


def covering_folder(candidate: Candidate, folders: list[str]) -> str:
    return next((folder for folder in folders if is_within(candidate.path, folder)), candidate.root)


def _id_choices(relative: str, qualified: str) -> Iterator[str]:
    """The ids a file may take, best first: first come, first served."""
    yield relative
    yield qualified
    number = 2
    while True:
        yield f"{qualified}~{number}"
        number += 1


def _is_id_choice(file_id: str, relative: str, qualified: str) -> bool:
    numbered = file_id.removeprefix(qualified + "~")
    return file_id in (relative, qualified) or (numbered != file_id and numbered.isdigit())
