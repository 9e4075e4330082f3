"""Bad and hostile input: odd indexes, odd paths, odd file systems, and the limits.

Each test is what a user would run into, with what they should see.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from conftest import newsgrep, run, write_corpus


def cli(*args: str | Path, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    """`newsgrep(...)`, failing the test on a traceback: the runner reports an exception
    that escaped as exit status 1, which would pass for "no match"."""
    result = newsgrep(*args, input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"newsgrep {args} raised") from result.exception
    return result


# --- an index that holds no articles ----------------------------------------------------


@pytest.fixture
def empty_index(tmp_path: Path, index_dir: Path) -> Path:
    """An index whose only file was skipped: it exists, but holds no articles."""
    news = write_corpus(tmp_path / "news", {"blank.txt": "   \n"})
    assert newsgrep("index", news, "--index", index_dir).exit_code == 0
    return index_dir


@pytest.mark.parametrize(
    "args",
    [
        ["search", "zeppelin"],
        ["search", "zeppelin", "--sort", "newest"],
        ["search", "zeppelin", "--since", "2020"],
        ["search", "date:2025"],
        ["search", "zeppelin", "--json"],
        ["search", "zeppelin", "-l"],
        ["search", "zeppelin", "--timeline"],
    ],
)
def test_an_index_without_articles_finds_nothing(empty_index: Path, args: list[str]) -> None:
    result = cli(*args, "--index", empty_index)
    assert (result.exit_code, result.stdout) == (1, ""), result.stderr


@pytest.mark.parametrize("by", ["month", "year", "source"])
def test_an_index_without_articles_has_empty_stats(empty_index: Path, by: str) -> None:
    stats = cli("stats", "--json", "--index", empty_index)
    assert stats.exit_code == 0, stats.stderr
    record = json.loads(stats.stdout)
    assert (record["articles"], record["first_date"], record["last_date"]) == (0, None, None)
    chart = cli("stats", "--by", by, "--json", "--index", empty_index)
    assert (chart.exit_code, json.loads(chart.stdout)["counts"]) == (0, [])
    assert "articles 0" in cli("stats", "--index", empty_index).stdout


# --- file names: spaces, newlines, bytes that are not UTF-8 -------------------------------

ODD_NAMES = {
    b"caf\xe9.txt": "Cafe report",  # Latin-1, not UTF-8
    b"with space.txt": "Space report",
    b"line\nbreak.txt": "Newline report",
}


@pytest.fixture
def odd_names(tmp_path: Path, index_dir: Path) -> Path:
    news = tmp_path / "news"
    news.mkdir()
    for name, title in ODD_NAMES.items():
        with open(os.path.join(os.fsencode(news), name), "wb") as handle:
            handle.write(f"{title}\n\nThe zeppelin landed.\n".encode())
    indexed = cli("index", news, "--index", index_dir)
    assert indexed.exit_code == 0 and "3 added" in indexed.stderr, indexed.stderr
    return news


def test_odd_file_names_are_indexed_and_listed_as_their_bytes(
    odd_names: Path, index_dir: Path
) -> None:
    listed = cli("search", "zeppelin", "-l0", "--index", index_dir)
    expected = {os.path.join(os.fsencode(odd_names), name) for name in ODD_NAMES}
    assert set(listed.stdout_bytes.split(b"\0")[:-1]) == expected
    lines = cli("search", "zeppelin", "--format", "{id}", "--index", index_dir)
    assert b"caf\xe9.txt\n" in lines.stdout_bytes


def test_odd_file_names_show_on_one_line_in_human_output(odd_names: Path, index_dir: Path) -> None:
    shown = cli("search", "zeppelin", "--index", index_dir).stdout
    assert f"{odd_names}/caf\ufffd.txt · score" in shown
    assert f"{odd_names}/line\u240abreak.txt · score" in shown  # ␊, not a line break
    assert f"{odd_names}/with space.txt · score" in shown


def test_odd_file_names_in_json_are_valid_text_with_the_exact_bytes_beside(
    odd_names: Path, index_dir: Path
) -> None:
    result = cli("search", "zeppelin", "--json", "--index", index_dir)
    records = {r["title"]: r for r in map(json.loads, result.stdout_bytes.splitlines())}
    cafe = records["Cafe report"]
    assert (cafe["id"], cafe["path"]) == ("caf\ufffd.txt", f"{odd_names}/caf\ufffd.txt")
    assert base64.b64decode(cafe["path_bytes"]) == os.fsencode(odd_names) + b"/caf\xe9.txt"
    assert records["Newline report"]["path"] == f"{odd_names}/line\nbreak.txt"
    assert records["Newline report"]["path_bytes"] is None
    result.stdout_bytes.decode("utf-8")  # strict UTF-8 throughout


def test_odd_file_names_can_be_shown_by_path_and_id(odd_names: Path, index_dir: Path) -> None:
    by_path = os.fsdecode(os.path.join(os.fsencode(odd_names), b"caf\xe9.txt"))
    shown = cli("show", by_path, "--json", "--index", index_dir)
    assert json.loads(shown.stdout)["title"] == "Cafe report"
    by_id = cli("show", os.fsdecode(b"caf\xe9.txt"), "--index", index_dir)
    assert by_id.exit_code == 0 and "Cafe report" in by_id.stdout


def test_odd_file_names_stay_unchanged_then_go(odd_names: Path, index_dir: Path) -> None:
    again = cli("index", "--index", index_dir)
    assert "0 added, 0 updated, 0 removed, 3 unchanged" in again.stderr
    os.remove(os.path.join(os.fsencode(odd_names), b"caf\xe9.txt"))
    gone = cli("index", "--index", index_dir)
    assert "1 removed, 2 unchanged" in gone.stderr and "2 articles" in gone.stderr


def test_odd_file_names_through_a_real_process(odd_names: Path, index_dir: Path) -> None:
    listed = run("search", "zeppelin", "-l", "--index", index_dir)
    assert os.fsencode(odd_names) + b"/caf\xe9.txt\n" in listed.stdout
    assert (listed.returncode, listed.stderr) == (0, b"")


def test_a_skipped_file_with_a_newline_in_its_name_is_one_summary_line(
    tmp_path: Path, index_dir: Path
) -> None:
    news = write_corpus(tmp_path / "news", {"bad\nname.txt": "", "good.txt": "Fine.\n"})
    result = cli("index", news, "--index", index_dir)
    assert f"  skipped {news}/bad\u240aname.txt: empty file\n" in result.stderr


# --- symbolic links ------------------------------------------------------------------------


def test_symlink_loops_and_broken_links_are_skipped_with_reasons(
    tmp_path: Path, index_dir: Path
) -> None:
    news = write_corpus(tmp_path / "news", {"sub/real.txt": "Zeppelin news.\n"})
    (news / "sub" / "up").symlink_to("..")  # a folder link to an ancestor: not followed
    (news / "a.txt").symlink_to("b.txt")
    (news / "b.txt").symlink_to("a.txt")
    (news / "gone.txt").symlink_to("nowhere.txt")
    (news / "alias.txt").symlink_to("sub/real.txt")  # a file link: read, like any file

    result = cli("index", news, "--index", index_dir, "-v")

    assert result.exit_code == 0
    assert "2 added" in result.stderr and "3 skipped" in result.stderr
    assert f"skipped {news}/a.txt: too many levels of symbolic links" in result.stderr
    assert f"skipped {news}/gone.txt: broken symbolic link (to nowhere.txt)" in result.stderr
    ids = cli("search", "zeppelin", "--format", "{id}", "--no-collapse", "--index", index_dir)
    assert sorted(ids.stdout.split()) == ["alias.txt", "sub/real.txt"]


# --- found by the property tests (tests/test_properties.py) -------------------------------


@pytest.mark.parametrize("query", ["zeppelin~9", "talks~3", "title:talks~5"])
def test_a_fuzzy_word_with_more_than_two_edits_is_an_error_not_a_hang(
    built_index: Path, query: str
) -> None:
    result = cli("search", query, "--index", built_index)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "at most 2 edits" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["talks OR grain OR column", "--since", "2030"],
        ["talks OR grain OR column", "--until", "1990", "-c"],
        ["(talks OR grain) date:2031"],
        ["talks", "--since", "9999-12-31", "--json"],
    ],
)
def test_dates_that_no_article_has_find_nothing(built_index: Path, args: list[str]) -> None:
    # Whoosh reads an empty set of allowed articles as "no filter": every match came back.
    result = cli("search", *args, "--index", built_index)
    assert result.exit_code == 1
    assert result.stdout in ("", "0\n")


@pytest.mark.parametrize("since", ["9999-12-31", "9999-12", "9999"])
def test_the_last_dates_python_can_name_are_dates(built_index: Path, since: str) -> None:
    dated = cli("search", "talks OR grain", "--until", "2030", "-c", "--index", built_index)
    assert dated.stdout == "2\n"  # the undated article is not in any span of dates
    result = cli("search", "talks OR grain", "--until", since, "-c", "--index", built_index)
    assert (result.exit_code, result.stdout) == (0, "2\n")
    in_query = cli("search", f"(talks OR grain) date:<={since}", "-c", "--index", built_index)
    assert in_query.stdout == "2\n"


def test_a_relative_date_before_the_year_1_is_an_error(built_index: Path) -> None:
    result = cli("search", "talks", "--since", "99999y", "--index", built_index)
    assert result.exit_code == 2
    assert result.stderr == "newsgrep: cannot read '99999y' as a date: that is before the year 1\n"


def test_a_batch_line_that_is_not_utf8_is_a_query_like_any_other(built_index: Path) -> None:
    result = cli("search", "--batch", "--index", built_index, input=b"caf\xe9 talks\ngrain\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0
    assert {r["query"] for r in records} == {"caf\ufffd talks", "grain"}
