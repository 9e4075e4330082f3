"""The index on disk: opening and its errors, the schema version, the manifest written per
generation (and recovered when lost), the write lock, searching beside a writer, and the
date field."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, lock_holder, run, write_corpus

from newsgrep.engine.folder import LOCK_FILE, META_FILE, IndexStore
from newsgrep.engine.index import Index
from newsgrep.engine.schema import SCHEMA_VERSION
from newsgrep.engine.session import search
from newsgrep.errors import (
    IndexLockedError,
    IndexNotFoundError,
    IndexUnfinishedError,
    IndexVersionError,
    NewsgrepError,
    QueryError,
    SourcePathError,
)
from newsgrep.indexer import run_index
from newsgrep.manifest import FileEntry, Manifest
from newsgrep.model import Article, SearchRequest, SourceFile

# --- helpers ----------------------------------------------------------------------------


def found(index_dir: Path, query: str) -> list[str]:
    result = search(index_dir, SearchRequest(query, limit=None))
    return sorted(hit.id for hit in result.hits)


def ids(index_dir: Path) -> list[str]:
    with IndexStore(index_dir).open().searcher() as searcher:
        return sorted(document["id"] for document in searcher.all_stored_fields())


def generation(index_dir: Path) -> int:
    return int(IndexStore(index_dir).open().latest_generation())


def manifest_files(index_dir: Path) -> list[str]:
    return sorted(path.name for path in index_dir.glob("manifest-*.json"))


def committed_manifest(index_dir: Path) -> Manifest:
    store = IndexStore(index_dir)
    manifest = Index.open(store).manifest()
    assert manifest is not None
    return manifest


def set_schema_version(index_dir: Path, version: object) -> None:
    meta_path = index_dir / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["schema_version"] = version
    meta_path.write_text(json.dumps(meta), encoding="utf-8")


# --- opening ----------------------------------------------------------------------------


def test_opening_a_missing_folder_raises_index_not_found(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError) as caught:
        IndexStore(tmp_path / "nowhere").open()

    assert str(tmp_path / "nowhere") in str(caught.value)
    assert caught.value.hint is not None and "newsgrep index" in caught.value.hint


def test_opening_an_empty_folder_raises_index_not_found(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    with pytest.raises(IndexNotFoundError) as caught:
        IndexStore(tmp_path / "empty").open()

    assert caught.value.hint is not None and "newsgrep index" in caught.value.hint


def test_searching_where_there_is_no_index_raises_index_not_found(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError):
        search(tmp_path / "nowhere", SearchRequest("peace"))


def test_exists_only_once_an_index_is_made(corpus: Path, index_dir: Path) -> None:
    store = IndexStore(index_dir)
    assert not store.exists()
    index_dir.mkdir()
    assert not store.exists()

    run_index(index_dir, [corpus])

    assert store.exists()
    assert json.loads((index_dir / META_FILE).read_text())["schema_version"] == SCHEMA_VERSION


def test_create_gives_an_empty_index_at_generation_0_with_its_folders(
    index_dir: Path, corpus: Path
) -> None:
    IndexStore(index_dir).create(Manifest(folders=[str(corpus)]))

    assert IndexStore(index_dir).exists()
    created = Index.open(IndexStore(index_dir))
    assert (created.committed_generation(), created.doc_count()) == (0, 0)
    assert created.unfinished()
    assert created.manifest(0) is not None and created.manifest(0).folders == [str(corpus)]
    # Searches have nothing to read in it: "no index yet", as a missing index says.
    with pytest.raises(IndexUnfinishedError) as caught:
        IndexStore(index_dir).open()
    assert isinstance(caught.value, IndexNotFoundError)
    assert "first `newsgrep index` did not finish" in str(caught.value)


def test_the_first_run_commits_generation_1_even_over_an_empty_folder(
    tmp_path: Path, index_dir: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    report = run_index(index_dir, [empty])

    assert report.total_articles == 0
    assert generation(index_dir) == 1
    assert ids(index_dir) == []


# SCHEMA_VERSION - 1: an index of the version before (12 changed how stored articles are
# compressed, and which codec its segments name): refused, never read.
@pytest.mark.parametrize("version", [SCHEMA_VERSION - 1, SCHEMA_VERSION + 1, 0, None, "1"])
def test_another_schema_version_raises_version_error_suggesting_rebuild(
    built_index: Path, version: object
) -> None:
    set_schema_version(built_index, version)

    with pytest.raises(IndexVersionError) as caught:
        IndexStore(built_index).open()

    assert "another version" in str(caught.value)
    assert caught.value.hint is not None and "--rebuild" in caught.value.hint


def test_an_unreadable_meta_file_raises_version_error(built_index: Path) -> None:
    (built_index / META_FILE).write_text("not json", encoding="utf-8")

    with pytest.raises(IndexVersionError):
        IndexStore(built_index).open()


@pytest.mark.parametrize("version", [SCHEMA_VERSION - 1, SCHEMA_VERSION + 1])
def test_search_on_another_version_raises_version_error(built_index: Path, version: int) -> None:
    set_schema_version(built_index, version)

    with pytest.raises(IndexVersionError):
        search(built_index, SearchRequest("istanbul"))


def test_indexing_into_another_version_is_refused_and_changes_nothing(
    built_index: Path, corpus: Path
) -> None:
    set_schema_version(built_index, SCHEMA_VERSION + 1)
    write_corpus(corpus, {"new.txt": "Zeppelin.\n"})

    with pytest.raises(IndexVersionError):
        run_index(built_index, [corpus])

    set_schema_version(built_index, SCHEMA_VERSION)
    assert found(built_index, "zeppelin") == []
    assert found(built_index, "istanbul") == ["briefs.jsonl#b2", "istanbul-talks.txt"]


def test_rebuild_recovers_from_another_version(built_index: Path, corpus: Path) -> None:
    set_schema_version(built_index, SCHEMA_VERSION + 1)

    report = run_index(built_index, [corpus], rebuild=True)

    assert report.added == 5 and report.total_articles == 6
    assert IndexStore(built_index).open() is not None
    assert found(built_index, "istanbul") == ["briefs.jsonl#b2", "istanbul-talks.txt"]
    assert len(ids(built_index)) == 6


def outcome(action: Callable[[], object]) -> tuple[type[BaseException] | None, str | None]:
    """Run `action`; returns the type of what it raised (None if nothing) and the hint.

    Whoosh leaves a damaged file open when it fails to read it: the handle is collected
    here, with its ResourceWarning ignored, so that it cannot fail some later test."""
    result: tuple[type[BaseException] | None, str | None] = (None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            action()
        except Exception as error:
            result = (type(error), getattr(error, "hint", None))
        gc.collect()
    return result


def damage(index_dir: Path, how: str) -> None:
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage" if how == "garbage" else b"")


@pytest.mark.parametrize("how", ["garbage", "empty"])
def test_a_damaged_index_raises_a_newsgrep_error_suggesting_rebuild(
    built_index: Path, how: str
) -> None:
    damage(built_index, how)

    raised, hint = outcome(lambda: IndexStore(built_index).open())

    assert raised is not None and issubclass(raised, NewsgrepError)
    assert hint is not None and "--rebuild" in hint


@pytest.mark.parametrize("how", ["garbage", "empty"])
def test_rebuild_recovers_from_a_damaged_index(built_index: Path, corpus: Path, how: str) -> None:
    damage(built_index, how)

    raised, _ = outcome(lambda: run_index(built_index, [corpus], rebuild=True))

    assert raised is None
    assert len(ids(built_index)) == 6


def test_bare_rebuild_of_a_damaged_index_remembers_its_folders(built_index: Path) -> None:
    damage(built_index, "garbage")

    raised, _ = outcome(lambda: run_index(built_index, rebuild=True))

    assert raised is None
    assert len(ids(built_index)) == 6


def _scramble_stored_articles(index_dir: Path) -> None:
    """Flip bytes in the deflated stored articles, past the column's header."""
    for column in index_dir.glob("*._stored.col"):
        data = bytearray(column.read_bytes())
        for position in range(len(data) // 4, len(data) - 16, 7):
            data[position] ^= 0x5A
        column.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "args", [["search", "istanbul"], ["search", "istanbul", "--json"], ["show", "grain.txt"]]
)
def test_damaged_stored_articles_are_one_clear_error(built_index: Path, args: list[str]) -> None:
    _scramble_stored_articles(built_index)

    result = run(*args, "--index", built_index)

    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert result.stderr.decode().startswith(f"newsgrep: the index at {built_index} cannot be read")
    assert b"--rebuild" in result.stderr


def _zero(data: bytes) -> bytes:
    return bytes(len(data))


def _halve(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _oversize_sketches(data: bytes) -> bytes:
    from newsgrep.text.duplicates import SKETCH_BYTES

    damaged = bytearray(data)
    damaged[::SKETCH_BYTES] = b"\xff" * len(damaged[::SKETCH_BYTES])  # each one's count
    return bytes(damaged)


# Each damage found by flipping, truncating and zeroing every file of an index (what
# Whoosh raises then: FileFormatError, a bare Exception, ValueError, OverflowError...).
DAMAGES = {
    "terms zeroed": ("*.trm", _zero),
    "postings zeroed": ("*.pst", _zero),
    "postings cut": ("*.pst", _halve),
    "dates cut": ("*.date.col", _halve),
    "stored articles zeroed": ("*._stored.col", _zero),
    "sketches too long": ("*.sketch.col", _oversize_sketches),
}
COMMANDS = {
    "search": ["search", "istanbul OR grain", "--json"],
    "show": ["show", "grain.txt"],
    "stats": ["stats"],
    "index": ["index"],
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_index_file_is_one_clear_error_for_every_command(
    built_index: Path, damage: str
) -> None:
    pattern, change = DAMAGES[damage]
    for path in built_index.glob(pattern):
        path.write_bytes(change(path.read_bytes()))
    results = {name: run(*args, "--index", built_index) for name, args in COMMANDS.items()}
    failed = set()
    for name, result in results.items():
        assert b"Traceback" not in result.stderr, (name, result.stderr.decode()[-300:])
        if result.returncode != 0:  # (a command that does not read the file may not fail)
            assert result.returncode == 2, (name, result.stderr.decode())
            assert f"index at {built_index} cannot be read" in result.stderr.decode(), name
            failed.add(name)
    assert "search" in failed  # a search reads every one of these files
    if damage == "postings cut":  # what the error says to do, then works
        assert run("index", "--rebuild", "--index", built_index).returncode == 0
        assert run("search", "istanbul", "-c", "--index", built_index).stdout == b"2\n"


def test_an_error_of_newsgreps_own_is_not_taken_for_damage(
    built_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where it was raised tells damage (in Whoosh's or the codec's reading) from a bug,
    which keeps its traceback rather than send the user to rebuild."""
    from newsgrep.engine import session as session_module
    from newsgrep.engine.session import SearchSession
    from newsgrep.model import SearchRequest

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(session_module, "hit", broken)
    with SearchSession(built_index) as session, pytest.raises(ValueError, match="a bug"):
        session.search(SearchRequest("istanbul"))


# --- the manifest -----------------------------------------------------------------------


def test_manifest_round_trips_through_json() -> None:
    manifest = Manifest(
        folders=["/news", "/more news"],
        files={
            "/news/a.txt": FileEntry("a.txt", 10, 123, "abc", 1),
            "/news/b.json": FileEntry("b.json", 5, 456, "def", 0, "invalid JSON"),
            "/news/é.md": FileEntry("é.md", 7, 789, "0f", 1),
            # an id that is not the path's end, a record file, a name of bytes not UTF-8,
            # a lone file at the root and a folder-qualified id
            "/more news/sub/a.txt": FileEntry("more news/sub/a.txt#2", 1, 2, "aa", 1),
            "/news/x.jsonl": FileEntry("x.jsonl", 3, 4, "bb", 2, None, [("#1", "f"), ("#2", "g")]),
            "/news/\udcff.txt": FileEntry("\udcff.txt", 0, -1, "", 0, "empty"),
            "/top.txt": FileEntry("top.txt", 8, 9, "cc", 1),
            "/more news/b/a.txt": FileEntry("b/a.txt", 8, 9, "cc", 1),
        },
        updated="2025-01-01T00:00:00Z",
        excludes={"/news": ["*.tmp"]},
    )

    text = manifest.to_json()
    assert Manifest.from_json(text) == manifest
    assert list(Manifest.from_json(text).files) == list(manifest.files)  # walk order kept


def test_a_manifest_is_written_for_the_committed_generation(corpus: Path, index_dir: Path) -> None:
    run_index(index_dir, [corpus])

    assert manifest_files(index_dir) == [f"manifest-{generation(index_dir)}.json"]
    manifest = committed_manifest(index_dir)
    assert manifest.folders == [str(corpus)]
    assert {path: entry.id for path, entry in manifest.files.items()} == {
        str(corpus / name): name for name in CORPUS
    }
    entry = manifest.files[str(corpus / "briefs.jsonl")]
    stat = (corpus / "briefs.jsonl").stat()
    assert (entry.size, entry.mtime_ns, entry.articles, entry.skip) == (
        stat.st_size,
        stat.st_mtime_ns,
        2,
        None,
    )
    assert manifest.updated is not None


def test_each_commit_moves_the_manifest_to_the_new_generation(
    built_index: Path, corpus: Path
) -> None:
    first = generation(built_index)
    write_corpus(corpus, {"new.txt": "Zeppelin.\n"})

    run_index(built_index)

    assert generation(built_index) == first + 1
    assert manifest_files(built_index) == [f"manifest-{first + 1}.json"]
    assert str(corpus / "new.txt") in committed_manifest(built_index).files


def test_a_run_with_no_changes_commits_no_new_generation(built_index: Path) -> None:
    first = generation(built_index)

    run_index(built_index)

    assert generation(built_index) == first
    assert manifest_files(built_index) == [f"manifest-{first}.json"]


def test_skipped_files_are_remembered_with_their_reason(corpus: Path, index_dir: Path) -> None:
    (corpus / "broken.json").write_text("{", encoding="utf-8")

    run_index(index_dir, [corpus])

    entry = committed_manifest(index_dir).files[str(corpus / "broken.json")]
    assert entry.skip is not None and "JSON" in entry.skip
    assert entry.articles == 0


def test_recover_manifest_rebuilds_the_file_list_from_documents(built_index: Path) -> None:
    store = IndexStore(built_index)
    kept = committed_manifest(built_index)

    recovered = Index.open(store).recover_manifest()

    assert recovered.files.keys() == kept.files.keys()
    for path, entry in recovered.files.items():
        assert entry.id == kept.files[path].id
        assert entry.hash == kept.files[path].hash
        assert entry.articles == kept.files[path].articles
        assert (entry.size, entry.mtime_ns) == (-1, -1)  # unknown: every file is read again


def test_a_deleted_manifest_is_recovered_without_duplicates(
    built_index: Path, corpus: Path
) -> None:
    for path in built_index.glob("manifest-*.json"):
        path.unlink()

    report = run_index(built_index, [corpus])

    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 5)
    assert report.total_articles == 6
    assert len(ids(built_index)) == len(set(ids(built_index))) == 6
    assert committed_manifest(built_index).folders == [str(corpus)]
    assert run_index(built_index).unchanged == 5  # remembered again


def test_a_deleted_manifest_still_notices_real_changes(built_index: Path, corpus: Path) -> None:
    for path in built_index.glob("manifest-*.json"):
        path.unlink()
    (corpus / "grain.txt").write_text("Title: Copper\n\nCopper prices.\n", encoding="utf-8")
    (corpus / "undated.txt").unlink()

    report = run_index(built_index, [corpus])

    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 1, 3)
    assert found(built_index, "copper") == ["grain.txt"]
    assert found(built_index, "wheat") == []
    assert found(built_index, "columnist") == []
    assert report.total_articles == 5


def test_a_garbled_manifest_is_treated_as_lost(built_index: Path, corpus: Path) -> None:
    (built_index / f"manifest-{generation(built_index)}.json").write_text("{", encoding="utf-8")

    report = run_index(built_index, [corpus])

    assert report.unchanged == 5 and report.added == 0
    assert len(ids(built_index)) == 6


def test_a_bare_refresh_after_losing_the_manifest_still_knows_its_folders(
    built_index: Path, corpus: Path
) -> None:
    for path in built_index.glob("manifest-*.json"):
        path.unlink()

    report = run_index(built_index)

    assert report.folders == [str(corpus)]
    assert report.unchanged == 5


def test_recovery_keeps_ids_of_file_names_holding_a_hash_sign(
    tmp_path: Path, index_dir: Path
) -> None:
    news = write_corpus(
        tmp_path / "news",
        {"issue#12.txt": "Zeppelin issue.\n", "c#/notes.md": "# Notes\n\nZeppelin notes.\n"},
    )
    run_index(index_dir, [news])
    for path in index_dir.glob("manifest-*.json"):
        path.unlink()

    report = run_index(index_dir, [news])

    assert (report.added, report.updated, report.unchanged) == (0, 0, 2)


def test_a_stale_manifest_from_a_killed_run_is_ignored(built_index: Path, corpus: Path) -> None:
    # A run killed between writing manifest-<N+1> and Whoosh's commit of generation N+1
    # leaves a manifest that describes files the index does not hold.
    current = generation(built_index)
    new = corpus / "new.txt"
    new.write_text("Zeppelin sighted.\n", encoding="utf-8")
    stale = committed_manifest(built_index)
    stat = new.stat()
    stale.files[str(new)] = FileEntry("new.txt", stat.st_size, stat.st_mtime_ns, "x", 1)
    (built_index / f"manifest-{current + 1}.json").write_text(stale.to_json(), encoding="utf-8")

    assert str(new) not in committed_manifest(built_index).files
    report = run_index(built_index)

    assert report.added == 1
    assert found(built_index, "zeppelin") == ["new.txt"]
    assert manifest_files(built_index) == [f"manifest-{current + 1}.json"]
    assert str(new) in committed_manifest(built_index).files


def test_a_stale_manifest_does_not_hide_files_on_an_unchanged_run(
    built_index: Path, corpus: Path
) -> None:
    current = generation(built_index)
    (built_index / f"manifest-{current + 1}.json").write_text("{", encoding="utf-8")

    report = run_index(built_index)

    assert report.unchanged == 5 and report.added == 0
    assert generation(built_index) == current


# --- the lock ---------------------------------------------------------------------------


@contextlib.contextmanager
def lock_held_by_thread(index_dir: Path) -> Iterator[threading.Event]:
    """Hold the index's write lock in another thread; set the yielded event to let go."""
    acquired, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with IndexStore(index_dir).lock(5):
                acquired.set()
                release.wait(5)
        except BaseException as error:  # surfaced below, not lost in the thread
            errors.append(error)
            acquired.set()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert acquired.wait(5)
        assert not errors
        yield release
    finally:
        release.set()
        thread.join(5)
    assert not errors


def test_a_run_waits_out_another_process_holding_the_lock_and_names_it(
    built_index: Path,
) -> None:
    with lock_holder(built_index) as holder:
        try:
            with pytest.raises(IndexLockedError) as caught:
                run_index(built_index, wait_seconds=0.2)
        finally:
            assert holder.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                holder.stdin.write("\n")
                holder.stdin.flush()
        assert holder.wait(5) == 0

    assert f"pid {holder.pid}" in str(caught.value)
    assert caught.value.hint is not None and "--wait" in caught.value.hint
    assert run_index(built_index, wait_seconds=0).unchanged == 5


def test_a_held_lock_stops_a_run_and_release_lets_it_through(
    built_index: Path, corpus: Path
) -> None:
    write_corpus(corpus, {"new.txt": "Zeppelin.\n"})

    with lock_held_by_thread(built_index), pytest.raises(IndexLockedError) as caught:
        run_index(built_index, wait_seconds=0.2)
    assert "pid" in str(caught.value)
    assert found(built_index, "zeppelin") == []  # the refused run changed nothing

    report = run_index(built_index, wait_seconds=0)
    assert report.added == 1
    assert found(built_index, "zeppelin") == ["new.txt"]


def test_a_run_waits_for_a_lock_released_within_its_wait(built_index: Path, corpus: Path) -> None:
    write_corpus(corpus, {"new.txt": "Zeppelin.\n"})

    with lock_held_by_thread(built_index) as release:
        threading.Timer(0.1, release.set).start()
        report = run_index(built_index, wait_seconds=5)

    assert report.added == 1


def test_the_lock_file_names_its_holder(index_dir: Path) -> None:
    with IndexStore(index_dir).lock(0):
        text = (index_dir / LOCK_FILE).read_text(encoding="utf-8")

    assert text.startswith(f"pid {os.getpid()}, started ")


def test_the_lock_is_let_go_after_a_failed_run(index_dir: Path) -> None:
    IndexStore(index_dir).create(Manifest())  # an index that covers no folders
    with pytest.raises(SourcePathError):
        run_index(index_dir)  # fails inside the lock: no folders yet

    with IndexStore(index_dir).lock(0):
        pass


def test_a_bare_run_with_no_index_creates_nothing(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with pytest.raises(SourcePathError) as caught:
        run_index(index_dir)

    assert str(caught.value) == (
        f"nothing to index: there is no index at {index_dir} yet, and no folders were given"
    )
    assert not index_dir.exists()


def test_a_bare_run_finishes_an_index_whose_creation_was_stopped(
    corpus: Path, index_dir: Path
) -> None:
    # Stopped after the manifest of generation 0, before Whoosh's table of contents: no
    # index yet, but the folders the first run was asked for are known.
    IndexStore(index_dir).create(Manifest(folders=[str(corpus)]))
    next(index_dir.glob("_MAIN_0.toc")).unlink()
    assert not IndexStore(index_dir).exists()

    report = run_index(index_dir)

    assert report.total_articles == 6 and report.folders == [str(corpus)]


def test_the_lock_creates_the_index_folder(tmp_path: Path) -> None:
    with IndexStore(tmp_path / "new" / "index").lock(0):
        assert (tmp_path / "new" / "index" / LOCK_FILE).is_file()


# --- searching while writing ------------------------------------------------------------


@pytest.mark.parametrize("hook", ["date_span", "__enter__"])
def test_stats_describe_one_generation_though_a_commit_comes_while_they_are_taken(
    built_index: Path, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: str
) -> None:
    # stats used to read the newest manifest on disk after its session (opened on the
    # generation before) had counted the articles: a folder without its articles.
    from newsgrep import stats
    from newsgrep.engine.session import SearchSession

    more = write_corpus(tmp_path / "more", {"zeppelin.txt": "Zeppelin sighted.\n"})
    real = getattr(SearchSession, hook)
    commits: list[object] = []

    def then_commit(self: SearchSession, *args: object) -> object:
        result = real(self, *args)
        if not commits:  # one commit, in the middle of the first attempt
            commits.append(run_index(built_index, [more]))
        return result

    monkeypatch.setattr(SearchSession, hook, then_commit)
    taken = stats.index_stats(built_index)

    assert commits
    assert (taken.articles, taken.folders) in [
        (6, (str(corpus),)),
        (7, tuple(sorted([str(corpus), str(more)]))),
    ]


def test_search_works_while_the_lock_is_held(built_index: Path) -> None:
    with lock_held_by_thread(built_index):
        assert found(built_index, "istanbul") == ["briefs.jsonl#b2", "istanbul-talks.txt"]


def test_search_sees_the_last_commit_while_a_batch_is_open(built_index: Path, corpus: Path) -> None:
    store = IndexStore(built_index)
    with store.lock(0):
        batch = Index.open(store).batch(clear=False)
        batch.remove_file(str(corpus / "grain.txt"))
        source = SourceFile("/elsewhere/z.txt", "z.txt", "/elsewhere", "h")
        batch.add_articles(source, [(0, Article("", "Zeppelin", "Up."))])
        try:
            assert found(built_index, "zeppelin") == []
            assert found(built_index, "wheat") == ["grain.txt"]
        finally:
            batch.cancel()

    assert found(built_index, "zeppelin") == []
    assert len(ids(built_index)) == 6


def test_search_works_in_the_middle_of_an_indexing_run(built_index: Path, corpus: Path) -> None:
    (corpus / "grain.txt").write_text("Title: Copper\n\nCopper prices.\n", encoding="utf-8")
    write_corpus(corpus, {"zz-new.txt": "Zeppelin.\n"})
    seen: list[tuple[list[str], list[str]]] = []

    def peek(progress: object) -> None:
        seen.append((found(built_index, "wheat"), found(built_index, "copper")))

    run_index(built_index, progress=peek)

    assert seen == [(["grain.txt"], [])] * 2  # the old content until the commit
    assert found(built_index, "copper") == ["grain.txt"]


def test_a_batch_with_nothing_in_it_commits_no_generation(built_index: Path) -> None:
    store = IndexStore(built_index)
    before = generation(built_index)
    manifest = committed_manifest(built_index)

    with store.lock(0):
        Index.open(store).batch(clear=False).commit(manifest)

    assert generation(built_index) == before
    assert committed_manifest(built_index).files == manifest.files


# --- the date field ---------------------------------------------------------------------


def test_date_field_matches_a_month(built_index: Path) -> None:
    assert found(built_index, "date:2025-05") == ["briefs.jsonl#b2", "istanbul-talks.txt"]


def test_date_field_greater_than_is_strict(built_index: Path) -> None:
    assert found(built_index, "date:>2025-05-15") == ["briefs.jsonl#b2"]
    assert found(built_index, "date:>=2025-05-15") == ["briefs.jsonl#b2", "istanbul-talks.txt"]


def test_date_field_less_than_is_strict(built_index: Path) -> None:
    assert found(built_index, "date:<2025-03-01") == ["world/floods.md"]


def test_date_field_range_includes_both_ends(built_index: Path) -> None:
    assert found(built_index, "date:[2025-03-01 TO 2025-04-02]") == [
        "briefs.jsonl#b1",
        "grain.txt",
    ]


def test_date_field_open_range(built_index: Path) -> None:
    assert found(built_index, "date:[2025-05-16 TO]") == ["briefs.jsonl#b2"]


def test_an_unreadable_date_in_a_query_raises_query_error(built_index: Path) -> None:
    with pytest.raises(QueryError) as caught:
        search(built_index, SearchRequest("date:whenever"))

    assert "date" in str(caught.value)


def _stored_dates(index_dir: Path) -> dict[str, Any]:
    with IndexStore(index_dir).open().searcher() as searcher:
        return {d["id"]: d.get("date") for d in searcher.all_stored_fields()}


def test_undated_articles_store_no_date(built_index: Path) -> None:
    dates = _stored_dates(built_index)

    assert dates["undated.txt"] is None
    assert dates["grain.txt"] is not None and dates["grain.txt"].date().isoformat() == "2025-04-02"


def test_index_files_are_read_through_memory_maps_alike(tmp_path: Path) -> None:
    """Index files are read memory-mapped (a read is one slice): the same bytes, numbers
    and arrays as through the buffered file Whoosh opens, and an empty file still opens."""
    from array import array

    from whoosh.filedb.filestore import FileStorage

    from newsgrep.engine.storage import DurableStorage, MappedFile

    values = array("i", [3, -1, 70000])
    with FileStorage(str(tmp_path)).create_file("data") as made:
        made.write(b"head")
        made.write_int(12345)
        made.write_array(values)
    FileStorage(str(tmp_path)).create_file("empty").close()
    mapped, plain = DurableStorage(str(tmp_path)), FileStorage(str(tmp_path))
    with mapped.open_file("data") as fast, plain.open_file("data") as slow:
        assert isinstance(fast, MappedFile)
        assert fast.get(0, 4) == slow.get(0, 4) == b"head"
        assert fast.get_int(4) == slow.get_int(4) == 12345
        assert fast.get_array(8, "i", 3) == slow.get_array(8, "i", 3) == values
        fast.seek(4)
        assert fast.read_int() == 12345
    with mapped.open_file("empty") as empty:
        assert empty.read() == b""
