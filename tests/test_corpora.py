"""Realism checks on the shared public corpora; skipped when ../shared is not beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED

from newsgrep.articles import parse_article_file
from newsgrep.indexer import run_index
from newsgrep.search import SearchRequest, search

REUTERS = SHARED / "corpora" / "reuters-21578" / "articles.jsonl"
BBC = SHARED / "corpora" / "bbc-news" / "raw"

needs_reuters = pytest.mark.skipif(not REUTERS.is_file(), reason="../shared corpora not present")


@needs_reuters
def test_reuters_jsonl_reads_as_21578_articles() -> None:
    parsed = parse_article_file(REUTERS.name, REUTERS.read_bytes())
    assert len(parsed.articles) == 21578
    assert parsed.skipped == []
    assert len({article.record for article in parsed.articles}) == 21578
    assert all(article.date is not None for article in parsed.articles)


@needs_reuters
def test_a_reuters_slice_indexes_and_ranks_sensibly(tmp_path: Path) -> None:
    lines = REUTERS.read_bytes().splitlines(keepends=True)[:3000]
    folder = tmp_path / "reuters"
    folder.mkdir()
    (folder / "slice.jsonl").write_bytes(b"".join(lines))
    report = run_index(tmp_path / "index", [folder])
    assert report.total_articles == 3000
    result = search(tmp_path / "index", SearchRequest("cocoa", limit=None))
    assert result.total >= 3
    # The stories about cocoa (cocoa in the headline) come before passing mentions.
    in_title = ["cocoa" in hit.title.lower() for hit in result.hits]
    assert in_title[0] and in_title == sorted(in_title, reverse=True)
    assert result.hits[0].id.startswith("slice.jsonl#")


@pytest.mark.skipif(not BBC.is_dir(), reason="../shared corpora not present")
def test_bbc_text_files_all_parse() -> None:
    files = sorted(BBC.rglob("*.txt"))
    assert len(files) == 2225
    for path in files:
        (article,) = parse_article_file(path.name, path.read_bytes()).articles
        assert article.title and article.body
