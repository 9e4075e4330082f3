"""What a killed run leaves behind never blocks the next one: the lock file of a dead process
is free, and every indexing run removes, under the lock, the files no commit refers to
(segment files, other generations' tables of contents and manifests, temporary files)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import lock_holder, newsgrep, write_corpus

from newsgrep.check import check_index
from newsgrep.engine.folder import LOCK_FILE, IndexStore
from newsgrep.engine.index import Index
from newsgrep.engine.session import search
from newsgrep.indexer import run_index
from newsgrep.model import SearchRequest


def found(index_dir: Path, query: str) -> list[str]:
    return sorted(hit.id for hit in search(index_dir, SearchRequest(query, limit=None)).hits)


def leftover_names(index_dir: Path) -> list[str]:
    store = IndexStore(index_dir)
    return [leftover.name for leftover in Index.open(store).leftovers()]


def generation(index_dir: Path) -> int:
    store = IndexStore(index_dir)
    return Index.open(store).committed_generation()


def fabricate_leftovers(index_dir: Path) -> list[str]:
    """The files a run killed at various points leaves; returns their names, sorted."""
    current = generation(index_dir)
    names = [
        "MAIN_zz0killed0run0.trm",  # a segment the killed run was writing
        "MAIN_zz0killed0run0.pst",
        "MAIN_zz0killed0run0._stored.col",
        f"_MAIN_{current - 1}.toc",  # a generation Whoosh had not cleaned up yet
        f"_MAIN_{current + 1}.toc.1715780000.25",  # a table of contents being written
        f"manifest-{current - 1}.json",
        f"manifest-{current + 1}.json",  # written before the commit that never came
        f".manifest-{current + 1}.json.4242.tmp",
        ".newsgrep.json.4242.tmp",
    ]
    for name in names:
        (index_dir / name).write_bytes(b"left over")
    (index_dir / "MAIN.tmp").mkdir()  # Whoosh's temporary storage, with its pool files
    (index_dir / "MAIN.tmp" / "abc.run").write_bytes(b"pool")
    return sorted([*names, "MAIN.tmp"])


def test_a_fresh_index_has_no_leftovers(built_index: Path) -> None:
    assert leftover_names(built_index) == []


def test_leftovers_are_named_by_what_the_committed_generation_does_not_use(
    built_index: Path,
) -> None:
    names = fabricate_leftovers(built_index)
    (built_index / "README.txt").write_text("mine\n", encoding="utf-8")

    assert leftover_names(built_index) == names  # README.txt is not ours: never a leftover


def test_an_index_run_removes_leftovers_and_keeps_everything_else(
    built_index: Path, corpus: Path
) -> None:
    fabricate_leftovers(built_index)
    (built_index / "README.txt").write_text("mine\n", encoding="utf-8")
    write_corpus(corpus, {"new.txt": "Zeppelin sighted.\n"})

    report = run_index(built_index, wait_seconds=0)

    assert len(report.leftovers_removed) == 10
    assert leftover_names(built_index) == []
    assert (built_index / "README.txt").exists()
    assert (built_index / LOCK_FILE).exists() and (built_index / "MAIN_WRITELOCK").exists()
    assert report.added == 1 and report.total_articles == 7
    assert found(built_index, "zeppelin") == ["new.txt"]
    assert found(built_index, "wheat") == ["grain.txt"]


def test_a_run_that_changes_nothing_still_removes_leftovers(built_index: Path) -> None:
    fabricate_leftovers(built_index)

    report = run_index(built_index, wait_seconds=0)

    assert report.unchanged == 5 and leftover_names(built_index) == []


def test_verbose_index_says_it_removed_leftovers(built_index: Path) -> None:
    fabricate_leftovers(built_index)

    result = newsgrep("index", "--index", built_index, "-v")

    assert result.exit_code == 0
    assert "removed 10 files an interrupted run left" in result.stderr


# --- the lock of a dead process ------------------------------------------------------


def test_a_lock_file_naming_a_dead_process_does_not_block(built_index: Path) -> None:
    # The pid of a process that has exited (and been reaped): nobody holds its flock.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (built_index / LOCK_FILE).write_text(
        f"pid {dead.stdout.strip()}, started 2025-01-01T00:00:00Z\n"
    )

    result = newsgrep("index", "--index", built_index, "--wait", "0")

    assert result.exit_code == 0, result.stderr
    assert "being updated" not in result.stderr


def test_the_lock_of_a_sigkilled_holder_is_free_at_once(built_index: Path) -> None:
    with lock_holder(built_index) as holder:
        busy = newsgrep("index", "--index", built_index, "--wait", "0")
        holder.kill()
        assert holder.wait(5) == -signal.SIGKILL

    assert busy.exit_code == 2
    assert f"being updated by another newsgrep run (pid {holder.pid}" in busy.stderr
    assert f"pid {holder.pid}" in (built_index / LOCK_FILE).read_text(encoding="utf-8")
    after = newsgrep("index", "--index", built_index, "--wait", "0")
    assert after.exit_code == 0, after.stderr
    assert "being updated" not in after.stderr


# --- a real `newsgrep index`, SIGKILLed part way ----------------------------------------

# Runs `newsgrep index` (the real CLI, in its own process) and SIGKILLs it at one point:
# while reading files, just before Whoosh writes the new table of contents, or after it
# did but before the files of older generations were cleaned up.
KILLED_INDEX = """
import os, signal, sys
import whoosh.index
import newsgrep.indexer
import newsgrep.indexing_pass

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point, index_dir = sys.argv[1], sys.argv[2]
if point == "reading":
    real, calls = newsgrep.indexing_pass.parse_article_file, []
    def parse(name, data, **options):
        calls.append(name)
        if len(calls) == 150:
            die()
        return real(name, data, **options)
    newsgrep.indexing_pass.parse_article_file = parse
elif point == "before-toc":
    whoosh.index.TOC.write = die
elif point == "before-cleanup":
    newsgrep.engine.generations._clean_files = die
sys.argv = ["newsgrep", "index", "--index", index_dir, "-q"]
from newsgrep.cli import run
run()
"""


def generated(count: int, start: int = 0) -> dict[str, str]:
    return {
        f"gen/{number:04}.txt": f"Title: Story {number}\n\nReport number {number} on "
        f"harvest{number} and the weather in town {number % 17}.\n"
        for number in range(start, start + count)
    }


@pytest.mark.parametrize("point", ["reading", "before-toc", "before-cleanup"])
def test_a_sigkilled_index_run_leaves_nothing_that_blocks_the_next(
    tmp_path: Path, index_dir: Path, point: str
) -> None:
    news = write_corpus(tmp_path / "news", generated(20))
    run_index(index_dir, [news])
    write_corpus(news, generated(280, start=20))

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_INDEX, point, str(index_dir)],
        capture_output=True,
        timeout=60,
    )

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert leftover_names(index_dir)  # it did leave something behind
    committed = point == "before-cleanup"
    assert len(found(index_dir, "report")) == (300 if committed else 20)
    before = check_index(index_dir)
    assert {problem.kind for problem in before.problems} == (
        {"leftover"} if committed else {"leftover", "unindexed"}
    )
    report = run_index(index_dir, wait_seconds=0)
    assert report.leftovers_removed
    assert leftover_names(index_dir) == []
    assert check_index(index_dir).healthy
    assert report.total_articles == 300
    assert (report.added, report.unchanged) == ((0, 300) if committed else (280, 20))
    assert found(index_dir, "harvest299") == ["gen/0299.txt"]
