"""One generation on disk: a commit deletes the files of the generation before it that it
does not use (its table of contents first), and readers open every file of the generation
they read at once, opening the index again when a commit removed it meanwhile
(`IndexStore.read`), so that no reader fails or reads a generation half deleted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write_corpus

from newsgrep import stats
from newsgrep.check import check_index
from newsgrep.engine import folder, session
from newsgrep.engine.folder import IndexStore
from newsgrep.engine.index import Index
from newsgrep.engine.session import SearchSession
from newsgrep.indexer import run_index
from newsgrep.model import SearchRequest

_SEGMENT = re.compile(r"^(MAIN_[0-9a-z]+)\.")


def whoosh_files(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.iterdir() if p.name.startswith(("MAIN_", "_MAIN_"))}


def named_by_the_committed_toc(index_dir: Path) -> set[str]:
    ix = Index.open(IndexStore(index_dir))
    segments = {segment.segment_id() for segment in ix._ix._read_toc().segments}
    toc = f"_MAIN_{ix.committed_generation()}.toc"
    files = {name: _SEGMENT.match(name) for name in whoosh_files(index_dir)}
    used = {name for name, match in files.items() if match and match[1] in segments}
    return {toc, "MAIN_WRITELOCK"} | used


def folder_bytes(index_dir: Path) -> int:
    return sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())


def test_a_rebuild_leaves_one_generation_on_disk(
    built_index: Path, corpus: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh"
    run_index(fresh, [corpus])
    before = whoosh_files(built_index)

    run_index(built_index, rebuild=True)

    after = whoosh_files(built_index)
    assert after == named_by_the_committed_toc(built_index)
    assert not (before - {"MAIN_WRITELOCK"}) & after  # every file of the old one is gone
    assert folder_bytes(built_index) <= 1.1 * folder_bytes(fresh)
    assert Index.open(IndexStore(built_index)).leftovers() == []


def test_an_update_deletes_what_the_new_generation_does_not_use(
    built_index: Path, corpus: Path
) -> None:
    (corpus / "grain.txt").write_text("Title: Copper\n\nCopper prices.\n", encoding="utf-8")
    write_corpus(corpus, {"new.txt": "Zeppelin sighted.\n"})

    run_index(built_index)

    assert whoosh_files(built_index) == named_by_the_committed_toc(built_index)
    assert sorted(p.name for p in built_index.glob("manifest-*.json")) == [
        f"manifest-{Index.open(IndexStore(built_index)).committed_generation()}.json"
    ]


def test_a_session_whose_generation_a_commit_removes_while_it_opens_opens_the_next(
    built_index: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session has read the table of contents of generation G; before it opens G's
    # files, a --rebuild commits G + 1 and deletes every file of G.
    write_corpus(corpus, {"new.txt": "Zeppelin sighted.\n"})
    real = session.open_lazy_files
    commits = []

    def commit_first(reader: object, schema: object) -> None:
        if not commits:
            commits.append(run_index(built_index, rebuild=True))
        real(reader, schema)

    monkeypatch.setattr(session, "open_lazy_files", commit_first)
    opened = Index.open(IndexStore(built_index)).committed_generation()

    with SearchSession(built_index) as reading:
        assert commits
        assert reading.generation == opened + 1
        assert reading.article_count() == 7
        hits = reading.search(SearchRequest("zeppelin", limit=None)).hits
        assert [hit.id for hit in hits] == ["new.txt"]


def test_a_table_of_contents_removed_between_listing_and_reading_is_listed_again(
    built_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = folder.open_index
    failures = []

    def vanished_once(directory: str, **options: bool) -> object:
        if not failures:
            failures.append(directory)
            raise FileNotFoundError(2, "No such file or directory", f"{directory}/_MAIN_1.toc")
        return real(directory, **options)

    monkeypatch.setattr(folder, "open_index", vanished_once)

    with SearchSession(built_index) as reading:
        assert failures and reading.article_count() == 6


def test_a_damaged_generation_still_on_disk_is_an_error_not_a_retry(built_index: Path) -> None:
    from newsgrep.errors import NewsgrepError

    next(built_index.glob("MAIN_*._stored.col")).unlink()

    with pytest.raises(NewsgrepError) as caught, SearchSession(built_index):
        pass

    assert "cannot be read" in str(caught.value) and caught.value.detail


def test_check_across_a_commit_that_removes_what_it_reads_checks_again(
    built_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Index._read_contents
    commits = []

    def commit_first(self: Index) -> object:
        if not commits:
            commits.append(run_index(built_index, rebuild=True))
        return real(self)

    monkeypatch.setattr(Index, "_read_contents", commit_first)

    report = check_index(built_index)

    assert commits
    assert report.healthy, report.problems
    assert report.articles == 6


def test_stats_across_a_commit_are_of_one_generation(
    built_index: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(corpus, {"new.txt": "Zeppelin sighted.\n"})
    real = session.open_lazy_files
    commits = []

    def commit_first(reader: object, schema: object) -> None:
        if not commits:
            commits.append(run_index(built_index, rebuild=True))
        real(reader, schema)

    monkeypatch.setattr(session, "open_lazy_files", commit_first)

    taken = stats.index_stats(built_index)

    assert commits and taken.articles == 7 and taken.folders == (str(corpus),)
