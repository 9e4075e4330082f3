"""The man page (`newsgrep --man`, docs/newsgrep.1) and what the shell completes: made from
the same help text and the same index as everything else, so they cannot drift."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, run

from newsgrep.cli.completion import FIELDS, article_ids, complete_query


def test_the_man_page_is_printed_from_the_help_text_and_kept_in_docs() -> None:
    result = run("--man")
    assert result.returncode == 0
    page = result.stdout.decode()
    assert page.startswith(".TH NEWSGREP 1")
    for section in ("NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT"):
        assert f".SH {section}" in page
    for command in ("index", "search", "similar", "show", "stats", "check"):
        assert f".SS {command}" in page
    assert "\\-\\-no\\-pager" in page and "already case\\-insensitive" in page
    shipped = (REPO / "docs" / "newsgrep.1").read_text(encoding="utf-8")
    assert shipped == page, "docs/newsgrep.1 is stale: newsgrep --man > docs/newsgrep.1"


def test_the_completed_fields_are_the_query_fields() -> None:
    from newsgrep.engine.query import QUERY_FIELDS

    assert set(FIELDS) == {*QUERY_FIELDS, "since", "until"}


def test_ids_and_fields_are_completed(built_index: Path) -> None:
    ids = article_ids(built_index)
    assert {"briefs.jsonl#b1", "briefs.jsonl#b2", "grain.txt"} <= set(ids)
    assert complete_query("peace ti") == ["peace title:"]
    assert complete_query("(wheat OR so") == ["(wheat OR source:"]
    assert complete_query("wheat") == []


def test_the_shell_asks_newsgrep_for_ids(built_index: Path) -> None:
    env = {
        **os.environ,
        "_NEWSGREP_COMPLETE": "complete_bash",
        "COMP_WORDS": f"newsgrep show --index {built_index} briefs",
        "COMP_CWORD": "4",
    }
    result = subprocess.run(
        [sys.executable, "-m", "newsgrep"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "briefs.jsonl#b1" in result.stdout and "briefs.jsonl#b2" in result.stdout
