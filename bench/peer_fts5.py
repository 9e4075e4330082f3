"""Peer: SQLite FTS5 (porter unicode61 tokenizer, bm25 ranking, snippet()).

Story files are one row each; a JSON Lines archive (the refresh scenarios) is one row per
record, and a refresh of an archive whose stat changed reads it whole and writes only the
records whose line changed (kept by id with a hash of the line): what an application on
FTS5 that updates records, not files, would do."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.corpus import parse_text, read_article
from bench.queries import BenchQuery

DB_NAME = "docs.db"
TITLE_WEIGHT = 2.0
SNIPPET_TOKENS = 16

_SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(
    path UNINDEXED, date UNINDEXED, title, body, tokenize = 'porter unicode61'
);
CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, docid INTEGER);
CREATE TABLE records (path TEXT, rec TEXT, hash TEXT, docid INTEGER, PRIMARY KEY (path, rec));
"""


def iter_source_files(root: Path) -> Iterator[str]:
    """The `.txt` and `.jsonl` files under `root`, in a stable order (hidden names skipped)."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            if name.endswith((".txt", ".jsonl")) and not name.startswith("."):
                yield os.path.join(folder, name)


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
        for file in iter_source_files(corpus):
            _add(connection, file, os.stat(file))
            count += 1
    connection.close()
    return count


def _add(connection: sqlite3.Connection, file: str, stat: os.stat_result) -> None:
    if file.endswith(".jsonl"):
        _update_records(connection, file)
        connection.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, NULL)",
            (file, stat.st_size, stat.st_mtime_ns),
        )
        return
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
        for file in iter_source_files(corpus):
            stat = os.stat(file)
            old = known.pop(file, None)
            if old is not None and old[:2] == (stat.st_size, stat.st_mtime_ns):
                continue
            if old is not None and old[2] is not None:
                connection.execute("DELETE FROM docs WHERE rowid = ?", (old[2],))
            _add(connection, file, stat)
            counts["updated" if old else "added"] += 1
        for file, (_size, _mtime, docid) in known.items():
            connection.execute("DELETE FROM docs WHERE rowid = ?", (docid,))
            for (record_doc,) in connection.execute(
                "SELECT docid FROM records WHERE path = ?", (file,)
            ).fetchall():
                connection.execute("DELETE FROM docs WHERE rowid = ?", (record_doc,))
            connection.execute("DELETE FROM records WHERE path = ?", (file,))
            connection.execute("DELETE FROM files WHERE path = ?", (file,))
            counts["removed"] += 1
    connection.close()
    return counts


def _update_records(connection: sqlite3.Connection, file: str) -> None:
    """Bring the rows of a JSON Lines archive in line with it: a record whose line is new
    or changed is written, one gone is deleted, the others are left as they are."""
    old = {
        rec: (digest, docid)
        for rec, digest, docid in connection.execute(
            "SELECT rec, hash, docid FROM records WHERE path = ?", (file,)
        )
    }
    with open(file, "rb") as handle:
        for number, line in enumerate(handle):
            if not line.strip():
                continue
            digest = hashlib.blake2b(line, digest_size=16).hexdigest()
            raw = json.loads(line)
            rec = str(raw.get("id") or number)
            known = old.pop(rec, None)
            if known is not None and known[0] == digest:
                continue
            if known is not None:
                connection.execute("DELETE FROM docs WHERE rowid = ?", (known[1],))
            text = parse_text(f"{raw.get('title') or ''}\n\n{raw.get('body') or ''}")
            cursor = connection.execute(
                "INSERT INTO docs (path, date, title, body) VALUES (?, ?, ?, ?)",
                (f"{file}#{rec}", str(raw.get("date") or "")[:10], text.title, text.body),
            )
            connection.execute(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
                (file, rec, digest, cursor.lastrowid),
            )
    for rec, (_digest, docid) in old.items():
        connection.execute("DELETE FROM docs WHERE rowid = ?", (docid,))
        connection.execute("DELETE FROM records WHERE path = ? AND rec = ?", (file, rec))


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
