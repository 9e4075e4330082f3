"""The indexing run: walking, ids, incremental updates, remembered folders, rebuilds, bad
files, progress and crash safety, each checked the way a user would notice it: through the
run's report and through what `search` then finds."""

from __future__ import annotations

import builtins
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, is_root, write_corpus

from newsgrep import indexing_pass
from newsgrep.engine.folder import IndexStore
from newsgrep.engine.index import Index
from newsgrep.engine.session import search
from newsgrep.errors import SourcePathError
from newsgrep.indexer import run_index
from newsgrep.model import IndexReport, Progress, SearchRequest

CORPUS_IDS = {
    "istanbul-talks.txt",
    "grain.txt",
    "world/floods.md",
    "briefs.jsonl#b1",
    "briefs.jsonl#b2",
    "undated.txt",
}


# --- helpers ----------------------------------------------------------------------------


def stored(index_dir: Path) -> list[dict[str, Any]]:
    """Every stored document of the index."""
    with IndexStore(index_dir).open().searcher() as searcher:
        return list(searcher.all_stored_fields())


def ids(index_dir: Path) -> list[str]:
    """Every article id in the index, sorted (duplicates kept, so they show)."""
    return sorted(document["id"] for document in stored(index_dir))


def id_of(index_dir: Path, path: Path) -> str:
    (found,) = {d["id"] for d in stored(index_dir) if d["path"] == str(path)}
    return found


def found(index_dir: Path, query: str) -> list[str]:
    """The ids of every article matching `query`, sorted."""
    result = search(index_dir, SearchRequest(query, limit=None))
    assert result.total == len(result.hits)
    return sorted(hit.id for hit in result.hits)


def skipped_paths(report: IndexReport) -> set[str]:
    return {problem.path for problem in report.skipped_files}


def reason_for(report: IndexReport, path: Path) -> str:
    (reason,) = [p.reason for p in report.skipped_files if p.path == str(path)]
    return reason


def counts(report: IndexReport) -> tuple[int, int, int, int]:
    """(added, updated, removed, unchanged)"""
    return report.added, report.updated, report.removed, report.unchanged


def bump_mtime(path: Path, seconds: int = 10) -> None:
    """Move the file's mtime on, whatever the file system's timestamp resolution."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def rewrite(path: Path, text: str) -> None:
    """Change a file's content and make sure its stat changes too."""
    path.write_text(text, encoding="utf-8")
    bump_mtime(path)


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The base names of the files the indexer parses, in order."""
    calls: list[str] = []
    real = indexing_pass.parse_article_file

    def spy(name: str, data: bytes, **options: Any) -> Any:
        calls.append(name)
        return real(name, data, **options)

    monkeypatch.setattr(indexing_pass, "parse_article_file", spy)
    return calls


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the indexer opens (its `open` is looked up as a module global)."""
    paths: list[str] = []

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        paths.append(os.fspath(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(indexing_pass, "open", spy, raising=False)
    return paths


# --- walking ----------------------------------------------------------------------------


def test_a_folder_is_indexed_recursively(corpus: Path, index_dir: Path) -> None:
    report = run_index(index_dir, [corpus])

    assert counts(report) == (5, 0, 0, 0)
    assert report.articles_added == 6
    assert report.total_articles == 6
    assert report.skipped_files == [] and report.skipped_records == []
    assert set(ids(index_dir)) == CORPUS_IDS
    assert found(index_dir, "valley") == ["world/floods.md"]  # from the subfolder


def test_deeply_nested_folders_are_walked(tmp_path: Path, index_dir: Path) -> None:
    news = write_corpus(tmp_path / "news", {"a/b/c/d/deep.txt": "Zeppelin sighted.\n"})

    run_index(index_dir, [news])

    assert found(index_dir, "zeppelin") == ["a/b/c/d/deep.txt"]


def test_hidden_files_and_folders_are_skipped(tmp_path: Path, index_dir: Path) -> None:
    news = write_corpus(
        tmp_path / "news",
        {
            "visible.txt": "Zeppelin over the harbour.\n",
            ".hidden.txt": "Zeppelin in a hidden file.\n",
            ".git/notes.txt": "Zeppelin in a hidden folder.\n",
            "sub/.draft.md": "Zeppelin in a hidden draft.\n",
            "sub/.cache/deep/more.txt": "Zeppelin deep in a hidden folder.\n",
        },
    )

    report = run_index(index_dir, [news])

    assert ids(index_dir) == ["visible.txt"]
    assert found(index_dir, "zeppelin") == ["visible.txt"]
    assert report.added == 1 and report.skipped_files == []


def test_unsupported_suffixes_are_ignored_silently(tmp_path: Path, index_dir: Path) -> None:
    news = write_corpus(
        tmp_path / "news",
        {
            "story.txt": "Zeppelin story.\n",
            "page.pdf": "Zeppelin page\n",
            "backup.tar.gz": "Zeppelin archive\n",
            "notes.rst": "Zeppelin notes\n",
            "README": "Zeppelin readme\n",
            "data.csv": "zeppelin,1\n",
        },
    )

    report = run_index(index_dir, [news])

    assert ids(index_dir) == ["story.txt"]
    assert report.added == 1
    assert report.skipped_files == []  # ignored, not reported as problems


def test_every_supported_suffix_is_read_whatever_its_case(tmp_path: Path, index_dir: Path) -> None:
    news = write_corpus(
        tmp_path / "news",
        {
            "a.txt": "Zeppelin a.\n",
            "b.md": "# Zeppelin b\n\ntext\n",
            "c.markdown": "# Zeppelin c\n\ntext\n",
            "d.json": '{"title": "Zeppelin d"}',
            "e.jsonl": '{"title": "Zeppelin e"}\n',
            "f.ndjson": '{"title": "Zeppelin f"}\n',
            "G.TXT": "Zeppelin g.\n",
        },
    )

    report = run_index(index_dir, [news])

    assert report.added == 7
    assert found(index_dir, "zeppelin") == sorted(
        ["a.txt", "b.md", "c.markdown", "d.json", "e.jsonl#1", "f.ndjson#1", "G.TXT"]
    )


def test_index_folder_inside_the_indexed_folder_is_skipped(corpus: Path) -> None:
    index_dir = corpus / "index"  # not hidden: only its location keeps it out

    first = run_index(index_dir, [corpus])
    second = run_index(index_dir, [corpus])

    assert first.skipped_files == [] and second.skipped_files == []
    assert set(ids(index_dir)) == CORPUS_IDS
    assert counts(second) == (0, 0, 0, 5)
    assert second.total_articles == 6


def test_index_folder_inside_is_skipped_when_reached_through_a_symlink(
    corpus: Path, tmp_path: Path
) -> None:
    (corpus / "index").mkdir()
    link = tmp_path / "index-link"
    link.symlink_to(corpus / "index")

    run_index(link, [corpus])
    report = run_index(link, [corpus])

    assert counts(report) == (0, 0, 0, 5)
    assert set(ids(link)) == CORPUS_IDS


# --- ids --------------------------------------------------------------------------------


def test_ids_are_paths_relative_to_the_folder_with_record_suffixes(
    tmp_path: Path, index_dir: Path
) -> None:
    news = write_corpus(
        tmp_path / "news",
        {
            "top.txt": "Top story.\n",
            "europe/france/paris.md": "# Paris\n\nA story from Paris.\n",
            "feeds/wire.jsonl": (
                '{"id": "w-1", "title": "First wire"}\n\n{"title": "Second wire, no id"}\n'
            ),
            "list.json": '[{"id": 7, "title": "Seven"}, {"title": "No id"}]',
        },
    )

    run_index(index_dir, [news])

    assert ids(index_dir) == sorted(
        [
            "top.txt",
            "europe/france/paris.md",
            "feeds/wire.jsonl#w-1",
            "feeds/wire.jsonl#3",  # no id: its line number
            "list.json#7",
            "list.json#2",  # no id: its position
        ]
    )


def test_a_file_given_directly_is_identified_by_its_name(tmp_path: Path, index_dir: Path) -> None:
    news = write_corpus(tmp_path / "news", {"deep/inside/story.txt": "Zeppelin story.\n"})

    report = run_index(index_dir, [news / "deep" / "inside" / "story.txt"])

    assert report.added == 1
    assert found(index_dir, "zeppelin") == ["story.txt"]


def test_a_directly_given_multi_article_file_gets_record_suffixes(
    corpus: Path, index_dir: Path
) -> None:
    run_index(index_dir, [corpus / "briefs.jsonl"])

    assert ids(index_dir) == ["briefs.jsonl#b1", "briefs.jsonl#b2"]


def test_ids_stay_the_same_across_refreshes(built_index: Path, corpus: Path) -> None:
    before = {d["path"]: d["id"] for d in stored(built_index)}
    write_corpus(corpus, {"aaa-new.txt": "A new story sorts first.\n"})
    rewrite(corpus / "grain.txt", "Title: Grain exports stall\n\nShipments stalled.\n")

    run_index(built_index)
    after = {d["path"]: d["id"] for d in stored(built_index)}

    assert {path: after[path] for path in before} == before
    assert after[str(corpus / "aaa-new.txt")] == "aaa-new.txt"


def test_same_relative_path_in_two_folders_gets_two_distinct_ids(
    tmp_path: Path, index_dir: Path
) -> None:
    first = write_corpus(tmp_path / "first", {"world/x.txt": "Zeppelin from the first folder.\n"})
    second = write_corpus(tmp_path / "second", {"world/x.txt": "Zeppelin from the second.\n"})

    report = run_index(index_dir, [first, second])

    assert report.added == 2 and report.total_articles == 2
    assert id_of(index_dir, first / "world" / "x.txt") == "world/x.txt"  # first keeps it
    second_id = id_of(index_dir, second / "world" / "x.txt")
    assert second_id != "world/x.txt" and second_id.endswith("world/x.txt")
    assert found(index_dir, "zeppelin") == sorted(["world/x.txt", second_id])


def test_same_relative_path_in_a_folder_indexed_later_gets_a_distinct_id(
    tmp_path: Path, index_dir: Path
) -> None:
    first = write_corpus(tmp_path / "first", {"x.txt": "Zeppelin one.\n"})
    second = write_corpus(tmp_path / "second", {"x.txt": "Zeppelin two.\n"})
    run_index(index_dir, [first])

    run_index(index_dir, [second])
    refresh = run_index(index_dir)

    assert id_of(index_dir, first / "x.txt") == "x.txt"
    assert id_of(index_dir, second / "x.txt") not in ("x.txt", "")
    assert counts(refresh) == (0, 0, 0, 2)
    assert len(ids(index_dir)) == len(set(ids(index_dir))) == 2


def test_same_relative_path_in_folders_with_the_same_name_gets_distinct_ids(
    tmp_path: Path, index_dir: Path
) -> None:
    one = write_corpus(tmp_path / "one" / "news", {"x.txt": "Zeppelin one.\n"})
    two = write_corpus(tmp_path / "two" / "news", {"x.txt": "Zeppelin two.\n"})
    three = write_corpus(tmp_path / "three" / "news", {"x.txt": "Zeppelin three.\n"})

    run_index(index_dir, [one, two, three])
    refresh = run_index(index_dir)

    assert len(set(ids(index_dir))) == 3
    assert counts(refresh) == (0, 0, 0, 3)


def test_two_directly_given_files_with_the_same_name_get_distinct_ids(
    tmp_path: Path, index_dir: Path
) -> None:
    one = write_corpus(tmp_path / "one", {"x.txt": "Zeppelin one.\n"}) / "x.txt"
    two = write_corpus(tmp_path / "two", {"x.txt": "Zeppelin two.\n"}) / "x.txt"

    run_index(index_dir, [one, two])

    assert id_of(index_dir, one) == "x.txt"
    assert id_of(index_dir, two) != "x.txt"
    # (Today the second one is "x.txt/x.txt": see the report on this file.)


def test_ids_settle_after_the_first_holder_of_a_shared_path_is_deleted(
    tmp_path: Path, index_dir: Path
) -> None:
    first = write_corpus(tmp_path / "first", {"x.txt": "Zeppelin one.\n"})
    second = write_corpus(tmp_path / "second", {"x.txt": "Zeppelin two.\n"})
    run_index(index_dir, [first, second])
    (first / "x.txt").unlink()
    run_index(index_dir)  # notices the deletion
    settled = ids(index_dir)

    refresh = run_index(index_dir)  # nothing changed on disk since the last run

    assert counts(refresh) == (0, 0, 0, 1)
    assert ids(index_dir) == settled


def test_ids_are_stable_after_widening_to_a_parent_folder(tmp_path: Path, index_dir: Path) -> None:
    parent = write_corpus(
        tmp_path / "parent", {"a.txt": "Zeppelin on top.\n", "sub/a.txt": "Zeppelin below.\n"}
    )
    run_index(index_dir, [parent / "sub"])
    run_index(index_dir, [parent])
    after_widening = ids(index_dir)

    refresh = run_index(index_dir)  # nothing changed on disk

    assert counts(refresh) == (0, 0, 0, 2)
    assert ids(index_dir) == after_widening == ["a.txt", "sub/a.txt"]


def test_widening_to_a_parent_folder_reindexes_ids_relative_to_it(
    tmp_path: Path, index_dir: Path
) -> None:
    parent = write_corpus(tmp_path / "parent", {"sub/b.txt": "Zeppelin below.\n"})
    run_index(index_dir, [parent / "sub"])
    assert ids(index_dir) == ["b.txt"]

    report = run_index(index_dir, [parent])

    assert report.folders == [str(parent)]
    assert ids(index_dir) == ["sub/b.txt"]
    assert found(index_dir, "zeppelin") == ["sub/b.txt"]


def test_subfolder_of_a_covered_folder_keeps_ids_relative_to_the_covering_folder(
    built_index: Path, corpus: Path
) -> None:
    write_corpus(corpus, {"world/asia/typhoon.txt": "Typhoon nears the coast.\n"})

    report = run_index(built_index, [corpus / "world"])

    assert report.added == 1
    assert report.unchanged == 1  # world/floods.md only: the rest is not looked at
    assert report.removed == 0
    assert report.folders == [str(corpus)]
    assert found(built_index, "typhoon") == ["world/asia/typhoon.txt"]
    assert found(built_index, "valley") == ["world/floods.md"]
    assert report.total_articles == 7


def test_a_file_inside_a_covered_folder_keeps_its_relative_id(
    built_index: Path, corpus: Path
) -> None:
    rewrite(corpus / "world" / "floods.md", "---\ntitle: Floods recede\n---\nWater drains.\n")

    report = run_index(built_index, [corpus / "world" / "floods.md"])

    assert counts(report) == (0, 1, 0, 0)
    assert report.folders == [str(corpus)]
    assert found(built_index, "recede") == ["world/floods.md"]


# --- incremental updates ----------------------------------------------------------------


def test_a_new_file_is_added(built_index: Path, corpus: Path) -> None:
    write_corpus(corpus, {"world/quake.txt": "An earthquake shook the coast.\n"})

    report = run_index(built_index)

    assert counts(report) == (1, 0, 0, 5)
    assert report.articles_added == 1 and report.articles_removed == 0
    assert report.total_articles == 7
    assert found(built_index, "earthquake") == ["world/quake.txt"]


def test_a_changed_file_is_replaced(built_index: Path, corpus: Path) -> None:
    rewrite(corpus / "grain.txt", "Title: Copper prices climb\n\nCopper rose sharply.\n")

    report = run_index(built_index)

    assert counts(report) == (0, 1, 0, 4)
    assert report.articles_added == 1 and report.articles_removed == 1
    assert found(built_index, "wheat") == []
    assert found(built_index, "copper") == ["grain.txt"]
    assert ids(built_index) == sorted(CORPUS_IDS)  # no duplicate
    assert report.total_articles == 6


def test_a_change_that_keeps_the_size_is_found(built_index: Path, corpus: Path) -> None:
    path = corpus / "undated.txt"
    old = path.read_text(encoding="utf-8")
    new = old.replace("columnist", "zeppelins")
    assert len(new) == len(old)
    rewrite(path, new)

    report = run_index(built_index)

    assert report.updated == 1
    assert found(built_index, "zeppelin") == ["undated.txt"]
    assert found(built_index, "columnist") == []


def test_a_touched_file_is_unchanged_and_not_parsed_again(
    built_index: Path, corpus: Path, parse_calls: list[str]
) -> None:
    bump_mtime(corpus / "grain.txt")

    report = run_index(built_index)

    assert counts(report) == (0, 0, 0, 5)
    assert report.articles_added == 0 and report.articles_removed == 0
    assert parse_calls == []
    assert ids(built_index) == sorted(CORPUS_IDS)


def test_a_touched_file_is_not_even_opened_on_the_run_after(
    built_index: Path, corpus: Path, opened: list[str]
) -> None:
    bump_mtime(corpus / "grain.txt")
    run_index(built_index)  # reads it once to compare the hash, records the new mtime
    assert opened.count(str(corpus / "grain.txt")) == 1
    opened.clear()

    report = run_index(built_index)

    assert report.unchanged == 5
    assert [p for p in opened if p.startswith(str(corpus))] == []


def test_unchanged_files_are_not_read(
    built_index: Path, corpus: Path, opened: list[str], parse_calls: list[str]
) -> None:
    rewrite(corpus / "grain.txt", "Title: Copper prices climb\n\nCopper rose.\n")

    report = run_index(built_index)

    assert counts(report) == (0, 1, 0, 4)
    assert [p for p in opened if p.startswith(str(corpus))] == [str(corpus / "grain.txt")]
    assert parse_calls == ["grain.txt"]


def test_a_deleted_file_is_removed(built_index: Path, corpus: Path) -> None:
    (corpus / "world" / "floods.md").unlink()

    report = run_index(built_index)

    assert counts(report) == (0, 0, 1, 4)
    assert report.articles_removed == 1
    assert report.total_articles == 5
    assert found(built_index, "valley") == []
    assert "world/floods.md" not in ids(built_index)


def test_a_deleted_subfolder_removes_its_articles(built_index: Path, corpus: Path) -> None:
    shutil.rmtree(corpus / "world")

    report = run_index(built_index)

    assert report.removed == 1
    assert report.warnings == []  # only a covered folder's disappearance warns
    assert found(built_index, "valley") == []


def test_deleting_a_multi_article_file_removes_all_its_articles(
    built_index: Path, corpus: Path
) -> None:
    (corpus / "briefs.jsonl").unlink()

    report = run_index(built_index)

    assert report.removed == 1 and report.articles_removed == 2
    assert not any(i.startswith("briefs.jsonl") for i in ids(built_index))
    assert report.total_articles == 4


def test_a_record_removed_from_a_jsonl_file_disappears(built_index: Path, corpus: Path) -> None:
    first_line = CORPUS["briefs.jsonl"].splitlines(keepends=True)[0]
    rewrite(corpus / "briefs.jsonl", first_line)

    report = run_index(built_index)

    assert report.updated == 1
    # Only the record that went is removed; the one that stayed is not written again.
    assert report.articles_removed == 1 and report.articles_added == 0
    assert found(built_index, "mayor") == []
    assert found(built_index, "central bank") == ["briefs.jsonl#b1"]
    assert report.total_articles == 5


def test_an_edited_jsonl_record_is_replaced_without_duplicates(
    built_index: Path, corpus: Path
) -> None:
    rewrite(
        corpus / "briefs.jsonl",
        CORPUS["briefs.jsonl"].replace("spoke about housing", "spoke about zeppelins"),
    )

    run_index(built_index)

    assert found(built_index, "zeppelin") == ["briefs.jsonl#b2"]
    assert found(built_index, "housing") == []
    assert ids(built_index) == sorted(CORPUS_IDS)


def test_a_run_with_nothing_changed_changes_nothing(built_index: Path) -> None:
    before = stored(built_index)

    report = run_index(built_index)

    assert counts(report) == (0, 0, 0, 5)
    assert report.articles_added == report.articles_removed == 0
    assert report.total_articles == 6
    assert stored(built_index) == before


def test_a_file_changed_twice_between_runs_counts_once(built_index: Path, corpus: Path) -> None:
    rewrite(corpus / "grain.txt", "Title: First\n\nAlpha.\n")
    rewrite(corpus / "grain.txt", "Title: Second\n\nZeppelin.\n")

    report = run_index(built_index)

    assert report.updated == 1
    assert found(built_index, "zeppelin") == ["grain.txt"]


# --- the folders an index covers --------------------------------------------------------


def test_a_bare_run_refreshes_every_remembered_folder(tmp_path: Path, index_dir: Path) -> None:
    one = write_corpus(tmp_path / "one", {"a.txt": "Apples.\n"})
    two = write_corpus(tmp_path / "two", {"b.txt": "Bananas.\n"})
    run_index(index_dir, [one])
    run_index(index_dir, [two])
    write_corpus(one, {"c.txt": "Cherries.\n"})
    (two / "b.txt").unlink()

    report = run_index(index_dir)

    assert report.folders == [str(one), str(two)]
    assert counts(report) == (1, 0, 1, 1)
    assert found(index_dir, "cherries") == ["c.txt"]
    assert found(index_dir, "bananas") == []


def test_naming_one_folder_leaves_the_other_folders_alone(tmp_path: Path, index_dir: Path) -> None:
    one = write_corpus(tmp_path / "one", {"a.txt": "Apples.\n"})
    two = write_corpus(tmp_path / "two", {"b.txt": "Bananas.\n"})
    run_index(index_dir, [one, two])
    (two / "b.txt").unlink()

    report = run_index(index_dir, [one])

    assert counts(report) == (0, 0, 0, 1)
    assert found(index_dir, "bananas") == ["b.txt"]  # two/ was not looked at
    assert report.folders == [str(one), str(two)]


def test_a_bare_run_on_a_new_index_raises_source_path_error(index_dir: Path) -> None:
    with pytest.raises(SourcePathError) as caught:
        run_index(index_dir)

    assert "no folders" in str(caught.value)
    assert caught.value.hint is not None and "newsgrep index" in caught.value.hint


def test_a_nonexistent_path_raises_source_path_error(tmp_path: Path, index_dir: Path) -> None:
    missing = tmp_path / "no-such-folder"

    with pytest.raises(SourcePathError) as caught:
        run_index(index_dir, [missing])

    assert str(missing) in str(caught.value)
    assert not index_dir.exists()  # refused before anything was created


def test_a_nonexistent_path_among_good_ones_changes_nothing(
    built_index: Path, corpus: Path, tmp_path: Path
) -> None:
    write_corpus(corpus, {"new.txt": "Zeppelin.\n"})

    with pytest.raises(SourcePathError):
        run_index(built_index, [corpus, tmp_path / "missing"])

    assert found(built_index, "zeppelin") == []
    assert Index.open(IndexStore(built_index)).manifest() is not None


@pytest.mark.parametrize("extra", ["world", "."])
def test_overlapping_paths_in_one_request_count_each_file_once(
    corpus: Path, index_dir: Path, extra: str
) -> None:
    calls: list[tuple[int, int]] = []

    first = run_index(
        index_dir,
        [corpus, corpus / extra],
        progress=lambda p: calls.append((p.files_done, p.files_total)),
    )
    again = run_index(index_dir, [corpus, corpus / extra])

    assert counts(first) == (5, 0, 0, 0)
    assert calls[-1] == (5, 5)
    assert counts(again) == (0, 0, 0, 5)
    assert ids(index_dir) == sorted(CORPUS_IDS)


def test_relative_paths_are_remembered_as_absolute(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    report = run_index(Path("index"), [Path("news")])

    assert report.folders == [str(corpus)]
    monkeypatch.chdir(corpus)  # a bare run later, from elsewhere, still finds the folder
    again = run_index(tmp_path / "index")
    assert again.unchanged == 5


def test_a_vanished_folder_warns_and_keeps_its_articles(tmp_path: Path, index_dir: Path) -> None:
    one = write_corpus(tmp_path / "one", {"a.txt": "Apples.\n"})
    two = write_corpus(tmp_path / "two", {"b.txt": "Bananas.\n", "sub/c.txt": "Cherries.\n"})
    run_index(index_dir, [one, two])
    shutil.rmtree(two)
    write_corpus(one, {"d.txt": "Dates.\n"})

    report = run_index(index_dir)

    assert len(report.warnings) == 1
    assert str(two) in report.warnings[0] and "missing" in report.warnings[0]
    assert found(index_dir, "bananas") == ["b.txt"]
    assert found(index_dir, "cherries") == ["sub/c.txt"]
    assert found(index_dir, "dates") == ["d.txt"]  # the other folder is still refreshed
    assert report.removed == 0
    assert report.total_articles == 4
    assert report.folders == [str(one), str(two)]


def test_a_vanished_folder_that_comes_back_is_refreshed(tmp_path: Path, index_dir: Path) -> None:
    news = write_corpus(tmp_path / "news", {"a.txt": "Apples.\n", "b.txt": "Bananas.\n"})
    run_index(index_dir, [news])
    parked = news.rename(tmp_path / "parked")
    run_index(index_dir)
    (parked / "b.txt").unlink()
    parked.rename(news)

    report = run_index(index_dir)

    assert report.warnings == []
    assert report.removed == 1
    assert found(index_dir, "bananas") == []


# --- rebuild ----------------------------------------------------------------------------


def test_rebuild_reports_every_file_as_added(built_index: Path) -> None:
    report = run_index(built_index, rebuild=True)

    assert counts(report) == (5, 0, 0, 0)
    assert report.articles_added == 6
    assert report.total_articles == 6
    assert ids(built_index) == sorted(CORPUS_IDS)  # no duplicates left behind


def test_rebuild_starts_from_empty(tmp_path: Path, index_dir: Path) -> None:
    news = write_corpus(tmp_path / "news", {"a.txt": "Apples.\n", "b.txt": "Bananas.\n"})
    run_index(index_dir, [news])
    (news / "b.txt").unlink()

    report = run_index(index_dir, [news], rebuild=True)

    assert counts(report) == (1, 0, 0, 0)
    assert found(index_dir, "bananas") == []
    assert ids(index_dir) == ["a.txt"]


def test_rebuild_reassigns_ids(tmp_path: Path, index_dir: Path) -> None:
    first = write_corpus(tmp_path / "first", {"x.txt": "Zeppelin one.\n"})
    second = write_corpus(tmp_path / "second", {"x.txt": "Zeppelin two.\n"})
    run_index(index_dir, [first, second])
    assert id_of(index_dir, second / "x.txt") != "x.txt"
    (first / "x.txt").unlink()

    run_index(index_dir, rebuild=True)

    assert ids(index_dir) == ["x.txt"]
    assert id_of(index_dir, second / "x.txt") == "x.txt"


def test_rebuild_keeps_the_remembered_folders(tmp_path: Path, index_dir: Path) -> None:
    one = write_corpus(tmp_path / "one", {"a.txt": "Apples.\n"})
    two = write_corpus(tmp_path / "two", {"b.txt": "Bananas.\n"})
    run_index(index_dir, [one, two])

    report = run_index(index_dir, rebuild=True)

    assert report.folders == [str(one), str(two)]
    assert report.added == 2
    assert ids(index_dir) == ["a.txt", "b.txt"]


def test_rebuild_forgets_skipped_files_and_reads_them_again(
    corpus: Path, index_dir: Path, parse_calls: list[str]
) -> None:
    (corpus / "broken.json").write_text("{", encoding="utf-8")
    run_index(index_dir, [corpus])
    parse_calls.clear()

    report = run_index(index_dir, rebuild=True)

    assert "broken.json" in parse_calls
    assert skipped_paths(report) == {str(corpus / "broken.json")}


def test_rebuild_with_a_vanished_folder_does_not_claim_its_articles_stay(
    tmp_path: Path, index_dir: Path
) -> None:
    one = write_corpus(tmp_path / "one", {"a.txt": "Apples.\n"})
    two = write_corpus(tmp_path / "two", {"b.txt": "Bananas.\n"})
    run_index(index_dir, [one, two])
    shutil.rmtree(two)

    report = run_index(index_dir, rebuild=True)

    kept = found(index_dir, "bananas") == ["b.txt"]
    claims_kept = any("stay" in warning for warning in report.warnings)
    assert kept == claims_kept


# --- bad files --------------------------------------------------------------------------

BAD_FILES: dict[str, bytes] = {
    "binary.txt": b"\x00\x01\x02\x03PK\x00\x00 binary junk",
    "empty.txt": b"",
    "blank.md": b"   \n\n\t\n",
    "malformed.json": b'{"title": "Unfinished", ',
    "front-matter.md": b"---\ntitle: Never closed\nBody text follows.\n",
    "bad-yaml.md": b"---\ntitle: [unclosed\n---\nBody.\n",
}


def write_bad_files(folder: Path) -> None:
    for name, data in BAD_FILES.items():
        (folder / name).write_bytes(data)


def test_bad_files_are_skipped_with_a_reason_and_the_rest_is_indexed(
    corpus: Path, index_dir: Path
) -> None:
    write_bad_files(corpus)

    report = run_index(index_dir, [corpus])

    assert skipped_paths(report) == {str(corpus / name) for name in BAD_FILES}
    assert "binary" in reason_for(report, corpus / "binary.txt")
    assert "empty" in reason_for(report, corpus / "empty.txt")
    assert "empty" in reason_for(report, corpus / "blank.md")
    assert "JSON" in reason_for(report, corpus / "malformed.json")
    assert "front matter" in reason_for(report, corpus / "front-matter.md")
    assert "front matter" in reason_for(report, corpus / "bad-yaml.md")
    assert report.added == 5
    assert report.total_articles == 6
    assert set(ids(index_dir)) == CORPUS_IDS


def test_bad_jsonl_lines_are_skipped_records_and_good_lines_kept(
    tmp_path: Path, index_dir: Path
) -> None:
    news = write_corpus(
        tmp_path / "news",
        {
            "feed.jsonl": (
                '{"id": "ok1", "title": "Zeppelin one"}\n'
                "{not json}\n"
                '["an", "array"]\n'
                "{}\n"
                '{"id": "ok2", "title": "Zeppelin two"}\n'
            )
        },
    )

    report = run_index(index_dir, [news])

    assert report.skipped_files == []
    assert report.added == 1 and report.articles_added == 2
    wheres = [(p.path, p.where) for p in report.skipped_records]
    feed = str(news / "feed.jsonl")
    assert wheres == [(feed, "line 2"), (feed, "line 3"), (feed, "line 4")]
    assert "invalid JSON" in report.skipped_records[0].reason
    assert report.skipped == 3
    assert found(index_dir, "zeppelin") == ["feed.jsonl#ok1", "feed.jsonl#ok2"]


def test_a_good_file_that_turns_bad_loses_its_articles(built_index: Path, corpus: Path) -> None:
    (corpus / "grain.txt").write_bytes(b"\x00\x00 now binary \x00")
    bump_mtime(corpus / "grain.txt")

    report = run_index(built_index)

    assert skipped_paths(report) == {str(corpus / "grain.txt")}
    assert report.articles_removed == 1
    assert found(built_index, "wheat") == []
    assert report.total_articles == 5


def test_a_jsonl_file_that_turns_malformed_loses_its_old_records(
    built_index: Path, corpus: Path
) -> None:
    rewrite(corpus / "briefs.jsonl", '{"id": "b1", "title": "Central bank holds rates"}\n{oops\n')

    report = run_index(built_index)

    assert [(p.where, p.path) for p in report.skipped_records] == [
        ("line 2", str(corpus / "briefs.jsonl"))
    ]
    assert found(built_index, "mayor") == []
    assert found(built_index, "central bank") == ["briefs.jsonl#b1"]


def test_a_skipped_file_that_gets_fixed_is_added(built_index: Path, corpus: Path) -> None:
    broken = corpus / "late.json"
    broken.write_text('{"title": "Zeppelin', encoding="utf-8")
    first = run_index(built_index)
    assert skipped_paths(first) == {str(broken)}

    rewrite(broken, '{"title": "Zeppelin lands"}')
    report = run_index(built_index)

    assert report.skipped_files == []
    assert counts(report) == (1, 0, 0, 5)
    assert found(built_index, "zeppelin") == ["late.json"]


def test_an_unchanged_skipped_file_is_reported_again_without_being_read(
    corpus: Path, index_dir: Path, opened: list[str], parse_calls: list[str]
) -> None:
    write_bad_files(corpus)
    first = run_index(index_dir, [corpus])
    opened.clear()
    parse_calls.clear()

    again = run_index(index_dir)

    assert sorted(map(str, again.skipped_files)) == sorted(map(str, first.skipped_files))
    assert [p for p in opened if p.startswith(str(corpus))] == []
    assert parse_calls == []
    assert counts(again) == (0, 0, 0, 5)


def test_a_touched_skipped_file_stays_skipped_without_being_parsed(
    corpus: Path, index_dir: Path, parse_calls: list[str]
) -> None:
    (corpus / "broken.json").write_text("{", encoding="utf-8")
    run_index(index_dir, [corpus])
    bump_mtime(corpus / "broken.json")
    parse_calls.clear()

    report = run_index(index_dir)

    assert skipped_paths(report) == {str(corpus / "broken.json")}
    assert parse_calls == []


def test_a_deleted_skipped_file_is_forgotten(corpus: Path, index_dir: Path) -> None:
    (corpus / "broken.json").write_text("{", encoding="utf-8")
    run_index(index_dir, [corpus])
    (corpus / "broken.json").unlink()

    report = run_index(index_dir)

    assert report.skipped_files == []
    assert report.total_articles == 6


def test_an_unsupported_file_given_directly_is_skipped_with_a_reason(
    tmp_path: Path, index_dir: Path
) -> None:
    page = tmp_path / "page.pdf"
    page.write_text("Zeppelin", encoding="utf-8")

    report = run_index(index_dir, [page])

    assert "unsupported" in reason_for(report, page)
    assert report.total_articles == 0


def test_an_unreadable_file_is_skipped_and_the_rest_indexed(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = str(corpus / "grain.txt")
    real_open = builtins.open

    def failing_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(file) == victim:
            raise PermissionError(13, "Permission denied", victim)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(indexing_pass, "open", failing_open, raising=False)

    report = run_index(index_dir, [corpus])

    assert reason_for(report, Path(victim)) == "permission denied"
    assert report.total_articles == 5


@pytest.mark.skipif(is_root(), reason="root reads files whatever their mode")
def test_a_file_without_read_permission_is_skipped(corpus: Path, index_dir: Path) -> None:
    locked = corpus / "grain.txt"
    locked.chmod(0)
    try:
        report = run_index(index_dir, [corpus])
    finally:
        locked.chmod(0o644)

    assert "permission" in reason_for(report, locked)
    assert report.total_articles == 5


def test_notes_are_reported_without_skipping(tmp_path: Path, index_dir: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "old.txt").write_bytes(
        "Title: Caf\xe9 opens\nDate: someday\n\nZeppelin.\n".encode("cp1252")
    )

    report = run_index(index_dir, [news])

    notes = [p.reason for p in report.notes]
    assert any("cp1252" in note for note in notes)
    assert any("someday" in note for note in notes)
    assert report.skipped_files == []
    assert found(index_dir, "cafe") == ["old.txt"]


# --- progress ---------------------------------------------------------------------------


def test_progress_counts_up_to_the_number_of_files_read(corpus: Path, index_dir: Path) -> None:
    calls: list[tuple[int, int]] = []

    run_index(index_dir, [corpus], progress=lambda p: calls.append((p.files_done, p.files_total)))

    assert calls == [(done, 5) for done in range(1, 6)]


def test_progress_covers_only_the_files_that_need_reading(built_index: Path, corpus: Path) -> None:
    rewrite(corpus / "grain.txt", "Title: Copper\n\nCopper.\n")
    write_corpus(corpus, {"new.txt": "New.\n"})
    calls: list[tuple[int, int]] = []

    run_index(built_index, progress=lambda p: calls.append((p.files_done, p.files_total)))

    assert calls == [(1, 2), (2, 2)]


def test_progress_is_not_called_when_nothing_needs_reading(built_index: Path) -> None:
    calls: list[tuple[int, int]] = []

    run_index(built_index, progress=lambda p: calls.append((p.files_done, p.files_total)))

    assert calls == []


# --- crash safety -----------------------------------------------------------------------


def interrupt_on_call(monkeypatch: pytest.MonkeyPatch, number: int) -> Callable[[], None]:
    """Make the `number`th parse raise KeyboardInterrupt; returns an undo function."""
    real = indexing_pass.parse_article_file
    calls = 0

    def parse(name: str, data: bytes, **options: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == number:
            raise KeyboardInterrupt
        return real(name, data, **options)

    monkeypatch.setattr(indexing_pass, "parse_article_file", parse)
    return lambda: monkeypatch.setattr(indexing_pass, "parse_article_file", real)


def test_an_interrupted_run_commits_nothing(
    built_index: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(built_index)
    before = stored(built_index)
    generation = store.open().latest_generation()
    manifest = Index.open(store).manifest()
    rewrite(corpus / "grain.txt", "Title: Copper\n\nCopper prices.\n")
    write_corpus(corpus, {"zz-new.txt": "Zeppelin.\n"})
    (corpus / "undated.txt").unlink()
    restore = interrupt_on_call(monkeypatch, 2)

    with pytest.raises(KeyboardInterrupt):
        run_index(built_index)

    assert stored(built_index) == before
    assert store.open().latest_generation() == generation
    assert Index.open(store).manifest() == manifest
    assert found(built_index, "wheat") == ["grain.txt"]
    assert found(built_index, "copper") == []
    assert found(built_index, "columnist") == ["undated.txt"]

    restore()
    report = run_index(built_index, wait_seconds=0)  # the lock was let go
    assert counts(report) == (1, 1, 1, 3)
    assert found(built_index, "copper") == ["grain.txt"]
    assert found(built_index, "zeppelin") == ["zz-new.txt"]
    assert found(built_index, "columnist") == []
    assert report.total_articles == 6


def test_an_interrupted_first_run_leaves_an_index_the_next_run_fills(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    restore = interrupt_on_call(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        run_index(index_dir, [corpus])
    restore()

    report = run_index(index_dir, [corpus], wait_seconds=0)

    assert report.added == 5
    assert ids(index_dir) == sorted(CORPUS_IDS)


def test_an_error_in_the_progress_callback_commits_nothing(built_index: Path, corpus: Path) -> None:
    before = stored(built_index)
    write_corpus(corpus, {"new.txt": "Zeppelin.\n"})

    def fail(progress: Progress) -> None:
        raise RuntimeError("display broke")

    with pytest.raises(RuntimeError):
        run_index(built_index, progress=fail)

    assert stored(built_index) == before
    assert run_index(built_index, wait_seconds=0).added == 1
