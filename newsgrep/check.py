"""`newsgrep check`: whether the index can be trusted, and `--repair`.

The index is checked against itself, then against the folders it covers:

- it opens, and was made by this schema version;
- the committed generation has its manifest (if not, the next indexing run recovers it
  from the stored documents: a problem, but one that loses nothing);
- every stored document can be read; Whoosh's document count, the manifest's article
  count and the documents read agree; ids are unique; every stored `path` is a file of
  the manifest with as many articles as the manifest says, and the other way round;
- no leftovers of an interrupted run lie in the folder (see `engine.generations`);
- against the folders, walked as indexing walks them (`walk.walk`, with each folder's
  excludes): files indexed but gone, files indexed but excluded since, files whose size
  or mtime changed *and* whose content hash differs, and supported files the index does
  not know (a file the excludes leave out is not one of them).

Problems make the index unhealthy; notes do not: files skipped for a reason (they are in
the manifest with it), files touched without a change of content, folders that could not
be read, a covered folder that is missing with nothing of it in the index, a run in
progress. Each kind of problem has one repair (`REPAIRS`): removing leftovers,
re-indexing the difference, or a rebuild when the index cannot be read, is of another
schema version, or disagrees with itself. A missing folder whose articles are still in the
index is not repaired: it may be a disk that is not mounted.

This module returns data and never prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from newsgrep.engine.folder import IndexStore
from newsgrep.engine.index import Index
from newsgrep.engine.schema import SCHEMA_VERSION
from newsgrep.errors import (
    IndexNotFoundError,
    IndexVersionError,
    NewsgrepError,
    SourcePathError,
)
from newsgrep.findings import CheckReport, FindingKind, IndexContents, Repair, RepairReport
from newsgrep.indexer import DEFAULT_LOCK_WAIT_SECONDS, run_index
from newsgrep.manifest import Manifest, content_hash, salvage_folders
from newsgrep.model import IndexReport, Problem
from newsgrep.paths import covering_root, is_within, under_any
from newsgrep.walk import os_reason, same_stat, walk
from newsgrep.wording import format_size, plural

# A check that sees the index change under it starts again, this many times at most.
_ATTEMPTS = 3


def check_index(index_dir: Path) -> CheckReport:
    """Check the index at `index_dir` (read only: it takes the write lock for a moment,
    only to list leftovers, and only if no run holds it).

    Raises:
        IndexNotFoundError: no index there. IndexTrustError: others may write it.
    """
    store = IndexStore(index_dir)
    if not store.exists():
        return _not_made(store)
    store.check_trust()  # before Whoosh unpickles anything
    for _ in range(_ATTEMPTS):
        report, settled = _check_once(store)
        if settled:
            return report
    report.note(
        FindingKind.CHANGED_DURING_CHECK, "the index changed while it was checked; run it again"
    )
    return report


def repair_index(
    index_dir: Path, report: CheckReport, *, wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS
) -> RepairReport:
    """Do what `report.repair` says: remove leftovers, re-index the difference over the
    covered folders, or rebuild from them. Problems newsgrep cannot repair stay.

    Raises:
        IndexLockedError: an indexing run holds the lock past `wait_seconds`.
        SourcePathError: a rebuild, but the index names no folder to rebuild from.
    """
    done = RepairReport(before=report)
    store = IndexStore(index_dir)
    if report.repair == Repair.CLEAN:
        with store.lock(wait_seconds):
            removed = Index.open(store).remove_leftovers()
        done.actions.append(_leftovers_line(len(removed)))
    elif report.repair in (Repair.REINDEX, Repair.REBUILD):
        rebuild = report.repair == Repair.REBUILD
        if not report.folders:
            raise SourcePathError(
                f"cannot repair the index at {index_dir}: it names no folder to index again",
                hint="run: newsgrep index --rebuild FOLDER",
            )
        indexed = run_index(index_dir, rebuild=rebuild, wait_seconds=wait_seconds)
        if indexed.leftovers_removed:
            done.actions.append(_leftovers_line(len(indexed.leftovers_removed)))
        done.actions.append(_indexed_line(indexed, rebuild))
        done.warnings.extend(indexed.warnings)
    return done


def _leftovers_line(count: int) -> str:
    return f"removed {plural(count, 'leftover file')} of an interrupted run"


def _indexed_line(indexed: IndexReport, rebuild: bool) -> str:
    articles = plural(indexed.total_articles, "article")
    if rebuild:
        return f"rebuilt the index: {indexed.added} files, {articles}"
    return (
        f"re-indexed the difference: {indexed.added} added, {indexed.updated} updated, "
        f"{indexed.removed} removed · {articles} in the index"
    )


# --- one pass ---------------------------------------------------------------------------


def _check_once(store: IndexStore) -> tuple[CheckReport, bool]:
    """The report, and whether the index stayed at one generation while it was made."""
    report = CheckReport(index_dir=str(store.directory), schema_version=store.schema_version())
    try:
        ix = Index.open(store, pinned=True)
    except IndexVersionError as error:
        return _unopened(report, store, FindingKind.SCHEMA_VERSION, error), True
    except NewsgrepError as error:
        return _unopened(report, store, FindingKind.UNREADABLE, error), True
    try:
        contents = ix.contents()
    except NewsgrepError as error:
        # Unreadable, unless a commit removed the generation while it was read.
        return _unopened(report, store, FindingKind.UNREADABLE, error), ix.still_here()
    report.schema_version = SCHEMA_VERSION
    report.generation = contents.generation
    report.articles = contents.readable
    if ix.unfinished():
        report.problem(
            FindingKind.UNFINISHED,
            "the first `newsgrep index` did not finish: nothing is indexed yet; the next "
            "`newsgrep index` (or `newsgrep check --repair`) indexes the folders it was asked for",
        )
    manifest = ix.manifest(contents.generation)
    if manifest is None:
        report.problem(
            FindingKind.MANIFEST_MISSING,
            f"the manifest of generation {contents.generation} is missing or unreadable; "
            "it is recoverable: the next index run rebuilds it from the stored documents",
        )
        manifest = ix.recover_manifest()
    else:
        _check_against_manifest(report, contents, manifest)
    report.files = len(manifest.files)
    report.skipped_files = sum(1 for entry in manifest.files.values() if entry.skip)
    report.folders = list(manifest.folders)
    _check_leftovers(report, store, ix)
    _check_waste(report, ix)
    _check_folders(report, manifest, os.path.realpath(store.directory))
    return report, ix.latest_generation() == contents.generation


def _not_made(store: IndexStore) -> CheckReport:
    """No index, unless a first run was stopped while it made one (before Whoosh's first
    table of contents): then what it was asked to index is known, and can be repaired."""
    folders = salvage_folders(store.directory)
    if not folders:
        raise IndexNotFoundError(
            f"no index at {store.directory}", hint="run: newsgrep index seeds/"
        )
    report = CheckReport(index_dir=str(store.directory), schema_version=store.schema_version())
    report.folders = folders
    report.problem(
        FindingKind.UNFINISHED,
        "the first `newsgrep index` was stopped while it made the index: nothing is indexed "
        "yet; the next `newsgrep index` (or `newsgrep check --repair`) indexes the folders "
        "it was asked for",
    )
    return report


def _unopened(
    report: CheckReport, store: IndexStore, kind: FindingKind, error: NewsgrepError
) -> CheckReport:
    report.problem(kind, str(error), detail=error.detail)
    report.folders = salvage_folders(store.directory)
    return report


def _check_against_manifest(
    report: CheckReport, contents: IndexContents, manifest: Manifest
) -> None:
    listed = sum(entry.articles for entry in manifest.files.values())
    if not contents.doc_count == contents.readable == listed:
        report.problem(
            FindingKind.COUNT_MISMATCH,
            f"the index counts {contents.doc_count:,} articles and {contents.readable:,} "
            f"can be read, but its manifest lists {listed:,}",
        )
    for article_id, count in sorted(contents.ids.items()):
        if count > 1:
            report.problem(
                FindingKind.DUPLICATE_ID, f"id {article_id!r} is held by {count} articles"
            )
    for path, count in sorted(contents.paths.items()):
        entry = manifest.files.get(path)
        if entry is None:
            report.problem(
                FindingKind.NOT_IN_MANIFEST,
                f"{_articles(count)} in the index from a file the manifest does not list",
                path,
            )
        elif entry.articles != count:
            report.problem(
                FindingKind.ARTICLES_MISMATCH,
                f"{_articles(count)} in the index, {entry.articles} in the manifest",
                path,
            )
    for path, entry in sorted(manifest.files.items()):
        if entry.articles and path not in contents.paths:
            report.problem(
                FindingKind.ARTICLES_MISMATCH,
                f"no article in the index, {entry.articles} in the manifest",
                path,
            )


def _check_leftovers(report: CheckReport, store: IndexStore, ix: Index) -> None:
    with store.probe_lock() as holder:
        if holder is not None:
            report.note(
                FindingKind.BUSY,
                f"an indexing run is in progress ({holder}): leftovers were not looked "
                "for, and what it has not committed yet is not in the index",
            )
            return
        for leftover in ix.leftovers():
            path = os.path.abspath(store.directory / leftover.name)
            report.problem(FindingKind.LEFTOVER, leftover.reason, path)


def _check_waste(report: CheckReport, ix: Index) -> None:
    deleted, wasted = ix.waste()
    if deleted:
        report.note(
            FindingKind.WASTED_SPACE,
            f"{plural(deleted, 'replaced or removed article')} still "
            f"{'takes' if deleted == 1 else 'take'} about {format_size(wasted, spaced=True)}; "
            "it is freed as the index is updated, or at once by: newsgrep index --compact",
        )


def _check_folders(report: CheckReport, manifest: Manifest, index_real: str) -> None:
    seen: set[str] = set()
    not_checked: list[str] = []  # missing or unreadable folders: their files are not missing
    excluded: list[str] = []  # files and folders the excludes leave out
    touched = 0
    for root in manifest.folders:
        if not os.path.exists(root):
            if root not in manifest.files:  # (a lone file that is gone is a missing file)
                _missing_folder(report, manifest, root)
                not_checked.append(root)
            continue
        trouble: list[Problem] = []
        globs = manifest.excludes.get(root, ())
        for candidate in walk(
            root, index_real, trouble, not_checked, globs=globs, excluded=excluded
        ):
            seen.add(candidate.path)
            entry = manifest.files.get(candidate.path)
            if entry is None:
                report.problem(FindingKind.UNINDEXED, "not in the index", candidate.path)
            elif not same_stat(entry, candidate):
                try:
                    with open(candidate.path, "rb") as handle:
                        digest = content_hash(handle.read())
                except OSError as error:
                    trouble.append(Problem(candidate.path, "", os_reason(error)))
                    continue
                if digest != entry.hash:
                    report.problem(
                        FindingKind.CHANGED, "changed since it was indexed", candidate.path
                    )
                else:
                    touched += 1
        for problem in trouble:
            report.note(
                FindingKind.NOT_CHECKED, f"could not be read ({problem.reason})", problem.path
            )
    left_out = set(excluded)
    for path in sorted(_gone(manifest, seen, not_checked)):
        if covering_root(path, left_out) and os.path.lexists(path):
            message = "indexed, but excluded since (the next index run removes it)"
            report.problem(FindingKind.EXCLUDED, message, path)
        else:
            report.problem(FindingKind.MISSING, "indexed, but no longer on disk", path)
    if touched:
        report.note(
            FindingKind.TOUCHED,
            f"{plural(touched, 'file has', 'files have')} a new mtime but the same "
            "content (the next index run records it without reading them again)",
        )


def _missing_folder(report: CheckReport, manifest: Manifest, root: str) -> None:
    under = [entry for path, entry in manifest.files.items() if is_within(path, root)]
    if not under:
        report.note(
            FindingKind.FOLDER_MISSING,
            "a covered folder that is missing (nothing of it is in the index)",
            root,
        )
        return
    articles = sum(entry.articles for entry in under)
    report.problem(
        FindingKind.FOLDER_MISSING,
        f"a covered folder that is missing; its {len(under)} files ({_articles(articles)}) "
        "stay in the index until it is back, or `newsgrep index --rebuild` drops them",
        root,
    )


def _gone(manifest: Manifest, seen: set[str], not_checked: Iterable[str]) -> Iterable[str]:
    skipped_roots = list(not_checked)
    for path in manifest.files:
        if path in seen or under_any(path, skipped_roots):
            continue
        if under_any(path, manifest.folders):
            yield path


def _articles(count: int) -> str:
    return plural(count, "article")
