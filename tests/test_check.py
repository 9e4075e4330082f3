"""`newsgrep check`: a healthy index passes (exit 0); each fault it knows is found (exit 1)
with the right item; `--repair` makes each repairable one healthy again; errors exit 2."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import is_root, newsgrep, write_corpus

from newsgrep.check import check_index, repair_index
from newsgrep.engine.folder import META_FILE, IndexStore
from newsgrep.engine.index import Index
from newsgrep.engine.session import search
from newsgrep.errors import IndexLockedError
from newsgrep.findings import CheckReport
from newsgrep.indexer import run_index
from newsgrep.manifest import Manifest
from newsgrep.model import SearchRequest


def check(index_dir: Path) -> CheckReport:
    return check_index(index_dir)


def kinds(report: CheckReport) -> list[str]:
    return sorted(problem.kind for problem in report.problems)


def problem_paths(report: CheckReport, kind: str) -> list[str]:
    return sorted(str(p.path) for p in report.problems if p.kind == kind)


def found(index_dir: Path, query: str) -> list[str]:
    return sorted(hit.id for hit in search(index_dir, SearchRequest(query, limit=None)).hits)


def generation(index_dir: Path) -> int:
    store = IndexStore(index_dir)
    return Index.open(store).committed_generation()


def manifest_path(index_dir: Path) -> Path:
    return index_dir / f"manifest-{generation(index_dir)}.json"


def edit_manifest(index_dir: Path, change: object) -> None:
    path = manifest_path(index_dir)
    manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    change(manifest)  # type: ignore[operator]
    path.write_text(manifest.to_json(), encoding="utf-8")


def repaired(index_dir: Path) -> CheckReport:
    """--repair through the CLI, which must end healthy (exit 0); the check after it."""
    result = newsgrep("check", "--repair", "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    record = json.loads(result.stdout)
    assert record["healthy"] is True and record["repaired"]["actions"]
    after = check(index_dir)
    assert after.healthy, after.problems
    return after


# --- healthy ----------------------------------------------------------------------------


def test_a_fresh_index_is_healthy(built_index: Path, corpus: Path) -> None:
    report = check(built_index)

    assert report.healthy and report.problems == [] and report.notes == []
    assert (report.articles, report.files, report.skipped_files) == (6, 5, 0)
    assert report.folders == [str(corpus)]
    assert report.repair is None


def test_the_cli_says_healthy_and_exits_0(built_index: Path) -> None:
    result = newsgrep("check", "--index", built_index)

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"index    {built_index} · schema ")
    assert lines[1] == "articles 6 from 5 files"
    assert lines[-1] == "healthy"


def test_files_skipped_for_a_reason_are_healthy(built_index: Path, corpus: Path) -> None:
    write_corpus(corpus, {"bad.json": "{not json", "empty.txt": ""})
    run_index(built_index)

    report = check(built_index)

    assert report.healthy
    assert (report.files, report.skipped_files) == (7, 2)


def test_a_touched_file_with_the_same_content_is_a_note_not_a_problem(
    built_index: Path, corpus: Path
) -> None:
    os.utime(corpus / "grain.txt", ns=(1, 1))

    report = check(built_index)

    assert report.healthy
    assert [note.kind for note in report.notes] == ["touched"]
    assert "1 file has a new mtime but the same content" in report.notes[0].message


def test_hidden_unsupported_and_index_files_are_not_unindexed(corpus: Path) -> None:
    index_dir = corpus / "index"  # the index inside the folder it covers
    run_index(index_dir, [corpus])
    write_corpus(corpus, {".hidden.txt": "Secret.\n", ".git/x.txt": "Hidden.\n", "a.pdf": "x"})

    assert check(index_dir).healthy


def test_check_changes_nothing_on_disk(built_index: Path, corpus: Path) -> None:
    (corpus / "grain.txt").write_text("Title: Copper\n\nCopper.\n", encoding="utf-8")
    (built_index / "MAIN_zz0left0over.trm").write_bytes(b"x")
    manifest_path(built_index).unlink()

    def snapshot() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in built_index.iterdir()}

    before = snapshot()
    assert not check(built_index).healthy
    assert snapshot() == before


# --- against the folders ----------------------------------------------------------------


def test_a_deleted_file_is_missing_and_repair_removes_it(built_index: Path, corpus: Path) -> None:
    (corpus / "briefs.jsonl").unlink()

    report = check(built_index)

    assert kinds(report) == ["missing"]
    assert problem_paths(report, "missing") == [str(corpus / "briefs.jsonl")]
    assert report.repair == "reindex"
    after = repaired(built_index)
    assert after.articles == 4
    assert found(built_index, "mayor") == []


def test_a_changed_file_is_changed_and_repair_reads_it_again(
    built_index: Path, corpus: Path
) -> None:
    (corpus / "grain.txt").write_text("Title: Copper\n\nCopper prices.\n", encoding="utf-8")

    report = check(built_index)

    assert kinds(report) == ["changed"]
    assert problem_paths(report, "changed") == [str(corpus / "grain.txt")]
    repaired(built_index)
    assert found(built_index, "copper") == ["grain.txt"]


def test_a_new_file_is_unindexed_and_repair_adds_it(built_index: Path, corpus: Path) -> None:
    write_corpus(corpus, {"world/new.txt": "Zeppelin sighted.\n"})

    report = check(built_index)

    assert kinds(report) == ["unindexed"]
    assert problem_paths(report, "unindexed") == [str(corpus / "world" / "new.txt")]
    repaired(built_index)
    assert found(built_index, "zeppelin") == ["world/new.txt"]


def test_a_deleted_lone_file_is_missing_and_repair_forgets_it(
    tmp_path: Path, index_dir: Path
) -> None:
    lone = write_corpus(tmp_path / "one", {"lone.txt": "Zeppelin.\n"}) / "lone.txt"
    news = write_corpus(tmp_path / "news", {"a.txt": "Airship.\n"})
    run_index(index_dir, [lone, news])
    lone.unlink()

    assert problem_paths(check(index_dir), "missing") == [str(lone)]
    after = repaired(index_dir)
    assert after.folders == [str(news)]


def test_a_missing_folder_with_articles_is_a_problem_repair_leaves_alone(
    tmp_path: Path, index_dir: Path
) -> None:
    kept = write_corpus(tmp_path / "kept", {"a.txt": "Airship.\n"})
    gone = write_corpus(tmp_path / "gone", {"b.txt": "Zeppelin.\n", "c.txt": "Blimp.\n"})
    run_index(index_dir, [kept, gone])
    for path in gone.iterdir():
        path.unlink()
    gone.rmdir()

    report = check(index_dir)
    assert kinds(report) == ["folder_missing"]  # not two missing files
    assert "2 files (2 articles) stay in the index" in report.problems[0].message
    assert report.repair is None and report.unrepairable

    result = newsgrep("check", "--repair", "--index", index_dir)
    assert result.exit_code == 1
    assert "newsgrep cannot repair" in result.stdout.splitlines()[-1]
    assert found(index_dir, "zeppelin") == ["b.txt"]  # a disk not mounted: kept


def test_a_missing_folder_with_nothing_indexed_is_only_a_note(
    tmp_path: Path, index_dir: Path
) -> None:
    kept = write_corpus(tmp_path / "kept", {"a.txt": "Airship.\n"})
    empty = tmp_path / "empty"
    empty.mkdir()
    run_index(index_dir, [kept, empty])
    empty.rmdir()

    report = check(index_dir)

    assert report.healthy
    assert [(note.kind, note.path) for note in report.notes] == [("folder_missing", str(empty))]


@pytest.mark.skipif(is_root(), reason="root reads folders whatever their mode")
def test_a_folder_that_cannot_be_read_is_a_note_and_its_files_are_not_missing(
    built_index: Path, corpus: Path
) -> None:
    (corpus / "world").chmod(0)
    try:
        report = check(built_index)
    finally:
        (corpus / "world").chmod(stat.S_IRWXU)

    assert report.healthy
    assert [(note.kind, note.path) for note in report.notes] == [
        ("not_checked", str(corpus / "world"))
    ]


# --- the index itself -------------------------------------------------------------------


def fabricate_leftovers(index_dir: Path) -> None:
    current = generation(index_dir)
    (index_dir / "MAIN_zz0killed0run0.trm").write_bytes(b"x")
    (index_dir / f"manifest-{current + 1}.json").write_text("{}", encoding="utf-8")
    (index_dir / f".manifest-{current + 1}.json.4242.tmp").write_text("{", encoding="utf-8")
    (index_dir / "MAIN.tmp").mkdir()


def test_leftovers_of_a_killed_run_are_found_and_removed_by_repair(built_index: Path) -> None:
    fabricate_leftovers(built_index)
    current = generation(built_index)

    report = check(built_index)

    assert kinds(report) == ["leftover"] * 4
    assert problem_paths(report, "leftover") == sorted(
        str(built_index / name)
        for name in (
            "MAIN_zz0killed0run0.trm",
            f"manifest-{current + 1}.json",
            f".manifest-{current + 1}.json.4242.tmp",
            "MAIN.tmp",
        )
    )
    assert report.repair == "clean"
    repaired(built_index)
    assert generation(built_index) == current  # removing leftovers commits nothing
    assert not (built_index / "MAIN.tmp").exists()


def test_a_deleted_manifest_is_a_recoverable_problem(built_index: Path) -> None:
    manifest_path(built_index).unlink()

    report = check(built_index)

    assert kinds(report) == ["manifest_missing"]
    assert "recoverable" in report.problems[0].message
    assert report.files == 5  # the files check ran on the manifest recovered from documents
    repaired(built_index)
    assert manifest_path(built_index).is_file()


def test_a_garbled_manifest_is_a_recoverable_problem(built_index: Path) -> None:
    manifest_path(built_index).write_text('{"columns": 3', encoding="utf-8")

    assert kinds(check(built_index)) == ["manifest_missing"]
    repaired(built_index)


def test_a_stale_manifest_alone_is_a_leftover(built_index: Path) -> None:
    current = generation(built_index)
    stale = built_index / f"manifest-{current - 1}.json"
    stale.write_text(manifest_path(built_index).read_text(encoding="utf-8"), encoding="utf-8")

    assert problem_paths(check(built_index), "leftover") == [str(stale)]
    repaired(built_index)
    assert not stale.exists()


def test_duplicate_ids_are_found_and_repair_rebuilds(built_index: Path, corpus: Path) -> None:
    from whoosh import index

    # A second document with an existing id, written behind newsgrep's back; the manifest
    # moves to the new generation so that only the duplicate is wrong.
    old_manifest = manifest_path(built_index)
    writer = index.open_dir(str(built_index)).writer()
    writer.add_document(
        id="grain.txt", path=str(corpus / "grain.txt"), title="Grain", body="Again.", undated=1
    )
    writer.commit()
    old_manifest.rename(manifest_path(built_index))

    report = check(built_index)

    assert kinds(report) == ["articles_mismatch", "count_mismatch", "duplicate_id"]
    duplicate = next(problem for problem in report.problems if problem.kind == "duplicate_id")
    assert duplicate.message == "id 'grain.txt' is held by 2 articles"
    assert report.repair == "rebuild"
    after = repaired(built_index)
    assert after.articles == 6
    assert found(built_index, "grain") == ["grain.txt"]


def test_a_manifest_that_disagrees_with_the_index_needs_a_rebuild(
    built_index: Path, corpus: Path
) -> None:
    def drop_grain_and_miscount_briefs(manifest: Manifest) -> None:
        del manifest.files[str(corpus / "grain.txt")]
        manifest.files[str(corpus / "briefs.jsonl")].articles = 4

    edit_manifest(built_index, drop_grain_and_miscount_briefs)

    report = check(built_index)

    assert kinds(report) == ["articles_mismatch", "count_mismatch", "not_in_manifest", "unindexed"]
    assert problem_paths(report, "not_in_manifest") == [str(corpus / "grain.txt")]
    assert problem_paths(report, "articles_mismatch") == [str(corpus / "briefs.jsonl")]
    assert report.repair == "rebuild"
    assert repaired(built_index).articles == 6


def test_another_schema_version_fails_with_the_rebuild_hint_and_repair_rebuilds(
    built_index: Path,
) -> None:
    meta = built_index / META_FILE
    meta.write_text(json.dumps({"schema_version": 1}), encoding="utf-8")

    report = check(built_index)
    result = newsgrep("check", "--index", built_index)

    assert kinds(report) == ["schema_version"] and report.schema_version == 1
    assert result.exit_code == 1
    assert "another version of newsgrep (schema 1" in result.stdout
    assert "run: newsgrep check --repair (rebuilds the index)" in result.stdout
    assert repaired(built_index).articles == 6


@pytest.mark.parametrize("damage", ["garbage toc", "empty toc", "lost stored fields"])
def test_an_index_that_cannot_be_read_is_found_and_repair_rebuilds(
    built_index: Path, damage: str
) -> None:
    if damage == "lost stored fields":
        next(built_index.glob("MAIN_*._stored.col")).unlink()
    else:
        # The committed one: the generation before it is kept for searches opened on it.
        toc = max(built_index.glob("_MAIN_*.toc"), key=lambda p: int(p.stem.split("_")[-1]))
        toc.write_bytes(b"garbage" if damage == "garbage toc" else b"")

    report = check(built_index)
    result = newsgrep("check", "--index", built_index)

    assert kinds(report) == ["unreadable"] and report.articles is None
    assert report.repair == "rebuild"
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr
    assert repaired(built_index).articles == 6


# --- while another run goes on; errors --------------------------------------------------


@pytest.fixture
def lock_held(built_index: Path) -> Iterator[None]:
    acquired, release = threading.Event(), threading.Event()

    def hold() -> None:
        with IndexStore(built_index).lock(5):
            acquired.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert acquired.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join(5)


def test_a_run_in_progress_is_a_note_and_its_files_are_not_leftovers(
    built_index: Path, lock_held: None
) -> None:
    fabricate_leftovers(built_index)  # as the running indexer's own files would look

    report = check(built_index)

    assert report.healthy
    assert [note.kind for note in report.notes] == ["busy"]
    assert f"pid {os.getpid()}" in report.notes[0].message


def test_repair_waits_for_a_run_then_fails_with_exit_2(
    built_index: Path, corpus: Path, lock_held: None
) -> None:
    (corpus / "grain.txt").unlink()

    result = newsgrep("check", "--repair", "--wait", "0.1", "--index", built_index)

    assert result.exit_code == 2
    assert "being updated by another newsgrep run" in result.stderr
    with pytest.raises(IndexLockedError):
        repair_index(built_index, check(built_index), wait_seconds=0)


def test_no_index_is_an_error(tmp_path: Path) -> None:
    result = newsgrep("check", "--index", tmp_path / "nowhere")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("newsgrep: no index at ")


def test_an_index_others_may_write_is_an_error_not_a_report(built_index: Path) -> None:
    built_index.chmod(built_index.stat().st_mode | stat.S_IWOTH)

    result = newsgrep("check", "--repair", "--index", built_index)

    assert result.exit_code == 2
    assert "writable by other users" in result.stderr and "chmod o-w" in result.stderr


def test_repair_of_an_unreadable_index_naming_no_folder_is_an_error(built_index: Path) -> None:
    for path in [*built_index.glob("_MAIN_*.toc"), *built_index.glob("manifest-*.json")]:
        path.write_bytes(b"garbage")

    result = newsgrep("check", "--repair", "--index", built_index)

    assert result.exit_code == 2
    assert "names no folder" in result.stderr and "--rebuild FOLDER" in result.stderr


# --- output -----------------------------------------------------------------------------


def test_json_is_one_object_with_every_field(built_index: Path, corpus: Path) -> None:
    (corpus / "grain.txt").unlink()

    result = newsgrep("check", "--json", "--index", built_index)

    assert result.exit_code == 1
    record = json.loads(result.stdout)
    assert result.stdout.count("\n") == 1
    assert record == {
        "v": 1,
        "index": str(built_index),
        "healthy": False,
        "schema_version": record["schema_version"],
        "generation": generation(built_index),
        "articles": 6,
        "files": 5,
        "skipped_files": 0,
        "folders": [str(corpus)],
        "problems": [
            {
                "kind": "missing",
                "path": str(corpus / "grain.txt"),
                "message": "indexed, but no longer on disk",
                "detail": None,
            }
        ],
        "notes": [],
        "repair": "reindex",
        "repaired": None,
    }


def test_json_after_repair_tells_what_was_found_and_done(built_index: Path, corpus: Path) -> None:
    (corpus / "grain.txt").unlink()

    record = json.loads(newsgrep("check", "--json", "--repair", "--index", built_index).stdout)

    assert record["healthy"] is True and record["problems"] == [] and record["repair"] is None
    assert [f["kind"] for f in record["repaired"]["found"]] == ["missing"]
    assert record["repaired"]["actions"] == [
        "re-indexed the difference: 0 added, 0 updated, 1 removed · 5 articles in the index"
    ]


def test_quiet_prints_nothing(built_index: Path, corpus: Path) -> None:
    assert newsgrep("check", "-q", "--index", built_index).stdout == ""
    (corpus / "grain.txt").unlink()
    result = newsgrep("check", "-q", "--index", built_index)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")
    assert newsgrep("check", "-q", "--json", "--index", built_index).exit_code == 2


def test_human_report_lists_problems_with_safe_paths(built_index: Path, corpus: Path) -> None:
    write_corpus(corpus, {"evil\x1b[31m.txt": "Zeppelin.\n"})
    for number in range(12):
        write_corpus(corpus, {f"more/{number:02}.txt": "Blimp.\n"})

    result = newsgrep("check", "--index", built_index)

    assert result.exit_code == 1
    assert "\x1b" not in result.stdout
    assert "evil␛[31m.txt: not in the index" in result.stdout
    assert "… and 3 more (--json lists them all)" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "not healthy: 13 problems — run: newsgrep check --repair (re-indexes the difference)"
    )
