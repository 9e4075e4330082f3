"""Bad and hostile input: odd indexes, odd paths, odd file systems, and the limits.

Each test is what a user would run into, with what they should see.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import newsgrep, write_corpus


def cli(*args: str | Path, input: str | None = None):  # type: ignore[no-untyped-def]
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
