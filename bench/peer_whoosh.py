"""Peer: Whoosh used the naive way — StemmingAnalyzer, one writer with default settings,
stored body, the default highlighter, and a refresh that reads every stored document to
learn the files' mtimes (the way the Whoosh documentation's incremental indexing example
does it)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh import fields, index, qparser, query, sorting
from whoosh.analysis import StemmingAnalyzer

from bench.corpus import iter_article_files, read_article
from bench.queries import BenchQuery

TITLE_BOOST = 2.0


def schema() -> Any:
    analyzer = StemmingAnalyzer()
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        body=fields.TEXT(analyzer=analyzer, stored=True),
        date=fields.DATETIME(stored=True, sortable=True),
        mtime_ns=fields.STORED(),
    )


def _document(file: str, stat: os.stat_result) -> dict[str, Any]:
    article = read_article(file)
    document: dict[str, Any] = {
        "path": file,
        "title": article.title,
        "body": article.body,
        "mtime_ns": stat.st_mtime_ns,
    }
    if article.date:
        document["date"] = dt.datetime.fromisoformat(article.date)
    return document


def build(corpus: Path, index_dir: Path) -> int:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    ix = index.create_in(str(index_dir), schema())
    writer = ix.writer()
    count = 0
    for file in iter_article_files(corpus):
        writer.add_document(**_document(file, os.stat(file)))
        count += 1
    writer.commit()
    return count


def refresh(corpus: Path, index_dir: Path) -> dict[str, int]:
    ix = index.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        known = {stored["path"]: stored["mtime_ns"] for stored in searcher.all_stored_fields()}
    writer = ix.writer()
    counts = {"added": 0, "updated": 0, "removed": 0}
    for file in iter_article_files(corpus):
        stat = os.stat(file)
        old = known.pop(file, None)
        if old == stat.st_mtime_ns:
            continue
        writer.update_document(**_document(file, stat))
        counts["updated" if old is not None else "added"] += 1
    for file in known:
        writer.delete_by_term("path", file)
        counts["removed"] += 1
    writer.commit()
    return counts


def _parse(ix: Any, text: str) -> Any:
    return qparser.MultifieldParser(["title", "body"], ix.schema).parse(text)


def _day(text: str, end: bool) -> dt.datetime:
    day = dt.datetime.fromisoformat(text)
    return day.replace(hour=23, minute=59, second=59) if end else day


def open_searcher(index_dir: Path) -> Callable[[BenchQuery], list[str]]:
    """One searcher for every query, as a long-running Whoosh program keeps it (opening a
    searcher costs ~130 ms at 108k: that cost is in the cold figures, not here)."""
    ix = index.open_dir(str(index_dir))
    searcher = ix.searcher()

    def run(bench_query: BenchQuery) -> list[str]:
        parsed = _parse(ix, bench_query.newsgrep_text())
        options: dict[str, Any] = {"limit": 10}
        if bench_query.since or bench_query.until:
            start = _day(bench_query.since, False) if bench_query.since else None
            end = _day(bench_query.until, True) if bench_query.until else None
            options["filter"] = query.DateRange("date", start, end)
        if bench_query.newest_first:
            options["sortedby"] = sorting.FieldFacet("date", reverse=True)
        paths = []
        for hit in searcher.search(parsed, **options):
            hit.highlights("body")
            paths.append(hit["path"])
        return paths

    return run
