"""Peer: SQLite FTS5 (porter unicode61 tokenizer, bm25 ranking, snippet())."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from bench.corpus import iter_article_files, read_article
from bench.queries import BenchQuery

DB_NAME = "docs.db"
TITLE_WEIGHT = 2.0
SNIPPET_TOKENS = 16

_SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(
    path UNINDEXED, date UNINDEXED, title, body, tokenize = 'porter unicode61'
);
CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, docid INTEGER);
"""


def db_path(index: Path) -> Path:
    return index / DB_NAME


def build(corpus: Path, index: Path) -> int:
    index.mkdir(parents=True, exist_ok=True)
    path = db_path(index)
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.executescript(_SCHEMA)
    count = 0
    with connection:
        for file in iter_article_files(corpus):
            _add(connection, file, os.stat(file))
            count += 1
    connection.close()
    return count


def _add(connection: sqlite3.Connection, file: str, stat: os.stat_result) -> None:
    article = read_article(file)
    cursor = connection.execute(
        "INSERT INTO docs (path, date, title, body) VALUES (?, ?, ?, ?)",
        (file, article.date, article.title, article.body),
    )
    connection.execute(
        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
        (file, stat.st_size, stat.st_mtime_ns, cursor.lastrowid),
    )


def refresh(corpus: Path, index: Path) -> dict[str, int]:
    """Stat every file; re-read only the new and changed ones; drop the deleted ones."""
    connection = sqlite3.connect(db_path(index))
    known = {
        row[0]: (row[1], row[2], row[3])
        for row in connection.execute("SELECT path, size, mtime_ns, docid FROM files")
    }
    counts = {"added": 0, "updated": 0, "removed": 0}
    with connection:
        for file in iter_article_files(corpus):
            stat = os.stat(file)
            old = known.pop(file, None)
            if old is not None and old[:2] == (stat.st_size, stat.st_mtime_ns):
                continue
            if old is not None:
                connection.execute("DELETE FROM docs WHERE rowid = ?", (old[2],))
            _add(connection, file, stat)
            counts["updated" if old else "added"] += 1
        for file, (_size, _mtime, docid) in known.items():
            connection.execute("DELETE FROM docs WHERE rowid = ?", (docid,))
            connection.execute("DELETE FROM files WHERE path = ?", (file,))
            counts["removed"] += 1
    connection.close()
    return counts


def match_expression(query: BenchQuery) -> str:
    if query.phrase:
        return '"' + " ".join(query.words) + '"'
    if query.prefix:
        return query.words[0] + "*"
    return " AND ".join(query.words)


def sql(query: BenchQuery, limit: int = 10) -> tuple[str, list[object]]:
    """The statement for `query` (top `limit` with a body snippet), and its parameters."""
    where = "docs MATCH ?"
    params: list[object] = [match_expression(query)]
    if query.since:
        where += " AND date >= ?"
        params.append(query.since)
    if query.until:
        where += " AND date <= ?"
        params.append(query.until)
    order = "date DESC" if query.newest_first else f"bm25(docs, 0, 0, {TITLE_WEIGHT}, 1.0)"
    statement = (
        f"SELECT path, title, snippet(docs, 3, '[', ']', '…', {SNIPPET_TOKENS}) FROM docs "
        f"WHERE {where} ORDER BY {order} LIMIT {limit}"
    )
    return statement, params


def cold_command(index: Path, word: str) -> list[str]:
    statement, _ = sql(BenchQuery("common", (word,)))
    return ["sqlite3", str(db_path(index)), statement.replace("?", f"'{word}'")]


def open_searcher(index: Path) -> Callable[[BenchQuery], list[str]]:
    connection = sqlite3.connect(db_path(index))

    def run(query: BenchQuery) -> list[str]:
        statement, params = sql(query)
        rows = connection.execute(statement, params).fetchall()
        return [row[0] for row in rows]

    return run
