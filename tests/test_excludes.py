"""Excludes: `--exclude GLOB` and `.newsgrepignore` files, in gitignore syntax, remembered with
the folder; `check` calls excluded files healthy; a file excluded after it was indexed is
removed by the next run. The case that asked for it: the BBC folder's `README.TXT`."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import newsgrep, write_corpus

from newsgrep.check import check_index
from newsgrep.findings import FindingKind
from newsgrep.ignore import ExcludeError, check_globs
from newsgrep.indexer import run_index
from newsgrep.walk import walk

BBC = {
    "README.TXT": "Consists of 2225 documents from the BBC news website.\n",
    "business/001.txt": "Ad sales boost Time Warner profit\n\nQuarterly profits rose.\n",
    "business/002.txt": "Dollar gains on Greenspan speech\n\nThe dollar hit its high.\n",
    "tech/001.txt": "Mobiles rack up 20 years of use\n\nMobile phones turn twenty.\n",
}


@pytest.fixture
def bbc(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "bbc", BBC)


def test_exclude_leaves_out_the_readme_and_a_bare_refresh_remembers_it(
    bbc: Path, index_dir: Path
) -> None:
    first = run_index(index_dir, [bbc], excludes=["README.TXT"])
    assert (first.added, first.total_articles) == (3, 3)

    again = run_index(index_dir)  # a bare refresh: the folder's excludes are remembered

    assert (again.added, again.removed, again.unchanged, again.total_articles) == (0, 0, 3, 3)
    report = check_index(index_dir)
    assert report.healthy, report.problems  # README.TXT is not "unindexed"


def test_a_file_indexed_then_excluded_is_removed_by_the_next_run(
    bbc: Path, index_dir: Path
) -> None:
    assert run_index(index_dir, [bbc]).total_articles == 4

    report = run_index(index_dir, excludes=["README.TXT"])

    assert (report.removed, report.total_articles) == (1, 3)
    assert run_index(index_dir, excludes=[]).added == 1  # forgotten: it comes back


def test_an_ignore_file_excludes_too_and_check_says_what_an_edit_left_behind(
    bbc: Path, index_dir: Path
) -> None:
    run_index(index_dir, [bbc])
    (bbc / ".newsgrepignore").write_text("# not articles\n/README.TXT\ntech/\n")

    report = check_index(index_dir)

    excluded = sorted(f.path for f in report.problems if f.kind is FindingKind.EXCLUDED)
    assert excluded == [str(bbc / "README.TXT"), str(bbc / "tech" / "001.txt")]
    assert not any(f.kind is FindingKind.MISSING for f in report.problems)
    refreshed = run_index(index_dir)
    assert (refreshed.removed, refreshed.total_articles) == (2, 2)
    assert check_index(index_dir).healthy


def test_gitignore_rules_nested_files_negation_and_pruned_folders(tmp_path: Path) -> None:
    folder = write_corpus(
        tmp_path / "news",
        {
            "a.txt": "A\n\nA.\n",
            "notes.txt": "N\n\nN.\n",
            "keep/notes.txt": "K\n\nK.\n",
            "drafts/keep.md": "# D\n\nD.\n",
            "drafts/x.txt": "X\n\nX.\n",
            "deep/er/notes.txt": "E\n\nE.\n",
        },
    )
    (folder / ".newsgrepignore").write_text("notes.txt\ndrafts/\n!drafts/keep.md\n")
    (folder / "keep" / ".newsgrepignore").write_text("!notes.txt\n")  # deeper file wins
    excluded: list[str] = []

    found = [c.path for c in walk(str(folder), "", [], [], excluded=excluded)]

    assert found == [str(folder / "a.txt"), str(folder / "keep" / "notes.txt")]
    # drafts/ is pruned whole, as git does: its `!keep.md` cannot include a file again
    assert sorted(excluded) == sorted(
        str(folder / p) for p in ("deep/er/notes.txt", "drafts", "notes.txt")
    )


def test_globs_are_relative_to_the_folder_and_apply_to_a_subfolder_given_alone(
    bbc: Path, index_dir: Path
) -> None:
    run_index(index_dir, [bbc], excludes=["/business/002.txt"])
    report = run_index(index_dir, [bbc / "business"])  # a part of the folder, refreshed

    assert (report.added, report.removed, report.unchanged) == (0, 0, 1)
    assert run_index(index_dir, [bbc / "business" / "002.txt"]).added == 0


def test_bad_globs_and_unreadable_lines(bbc: Path, index_dir: Path) -> None:
    for glob in ("!", "", "# comment"):
        with pytest.raises(ExcludeError):
            check_globs([glob])
    (bbc / ".newsgrepignore").write_text("!\nREADME.TXT\n")

    report = run_index(index_dir, [bbc])

    assert report.total_articles == 3  # the good line still counts
    assert any("not a gitignore pattern" in p.reason for p in report.skipped_files)


def test_cli_exclude_options(bbc: Path, index_dir: Path) -> None:
    result = newsgrep("index", "--index", index_dir, bbc, "--exclude", "README.TXT")
    assert result.exit_code == 0 and "3 added" in result.stderr
    stats = newsgrep("stats", "--index", index_dir)
    assert "(excluding README.TXT)" in stats.stdout

    result = newsgrep("index", "--index", index_dir, "--exclude", "!")
    assert result.exit_code == 2
    assert result.stderr.startswith("newsgrep: --exclude '!' is not a gitignore pattern")
    result = newsgrep("index", "--index", index_dir, "--exclude", "x", "--no-excludes")
    assert result.exit_code == 2 and "choose --exclude or --no-excludes" in result.stderr

    result = newsgrep("index", "--index", index_dir, "--no-excludes")
    assert result.exit_code == 0 and "1 added" in result.stderr


def test_a_search_and_a_run_without_excludes_load_neither_pathspec_nor_watchfiles(
    bbc: Path, index_dir: Path
) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from newsgrep.cli import app\n"
        "for args in (['index', sys.argv[2]], ['search', 'profit'], ['check', '-q']):\n"
        "    try:\n"
        "        app(['--config', '/dev/null', *args, '--index', sys.argv[1]],"
        " standalone_mode=False)\n"
        "    except BaseException:\n"
        "        pass\n"
        "loaded = [m for m in ('pathspec', 'watchfiles') if m in sys.modules]\n"
        "print('loaded:', *loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(index_dir), str(bbc)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert index_dir.exists(), result.stderr
    assert result.stdout.splitlines()[-1] == "loaded:"
