"""Peer: tantivy-py (Rust), `en_stem` tokenizer, BM25, SnippetGenerator.

Change detection for a refresh uses a small JSON manifest (path → size, mtime) beside the
index, as any tool built on tantivy would have to keep.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tantivy

from bench.corpus import iter_article_files, read_article
from bench.queries import BenchQuery, compact_date

MANIFEST = "bench-manifest.json"
WRITER_HEAP_BYTES = 256_000_000
TITLE_BOOST = 2.0


def schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("path", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    builder.add_integer_field("date", stored=True, indexed=True, fast=True)
    return builder.build()


def _document(file: str) -> Any:
    article = read_article(file)
    date = compact_date(article.date) if article.date else 0
    return tantivy.Document(path=file, title=article.title, body=article.body, date=date)


def build(corpus: Path, index: Path) -> int:
    if index.exists():
        shutil.rmtree(index)
    index.mkdir(parents=True)
    engine = tantivy.Index(schema(), path=str(index))
    writer = engine.writer(WRITER_HEAP_BYTES)
    manifest = {}
    for file in iter_article_files(corpus):
        stat = os.stat(file)
        writer.add_document(_document(file))
        manifest[file] = [stat.st_size, stat.st_mtime_ns]
    writer.commit()
    writer.wait_merging_threads()
    (index / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return len(manifest)


def refresh(corpus: Path, index: Path) -> dict[str, int]:
    """Stat every file against the manifest; re-read only the new and changed ones."""
    manifest: dict[str, list[int]] = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    engine = tantivy.Index.open(str(index))
    writer = engine.writer(WRITER_HEAP_BYTES)
    counts = {"added": 0, "updated": 0, "removed": 0}
    seen = set()
    for file in iter_article_files(corpus):
        seen.add(file)
        stat = os.stat(file)
        old = manifest.get(file)
        if old == [stat.st_size, stat.st_mtime_ns]:
            continue
        if old is not None:
            writer.delete_documents_by_term("path", file)
        writer.add_document(_document(file))
        manifest[file] = [stat.st_size, stat.st_mtime_ns]
        counts["updated" if old else "added"] += 1
    for file in [file for file in manifest if file not in seen]:
        writer.delete_documents_by_term("path", file)
        del manifest[file]
        counts["removed"] += 1
    writer.commit()
    writer.wait_merging_threads()
    (index / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return counts


def query_text(query: BenchQuery) -> str:
    text = query.newsgrep_text()  # phrase, prefix* and words are written alike
    if query.since or query.until:
        low = compact_date(query.since) if query.since else "*"
        high = compact_date(query.until) if query.until else "*"
        text = f"({text}) AND date:[{low} TO {high}]"
    return text


def open_searcher(index: Path) -> Callable[[BenchQuery], list[str]]:
    engine = tantivy.Index.open(str(index))
    searcher = engine.searcher()
    fields_schema = engine.schema

    def run(query: BenchQuery) -> list[str]:
        parsed = engine.parse_query(
            query_text(query),
            ["title", "body"],
            field_boosts={"title": TITLE_BOOST},
            conjunction_by_default=True,
        )
        if query.newest_first:
            result = searcher.search(parsed, 10, order_by_field="date", order=tantivy.Order.Desc)
        else:
            result = searcher.search(parsed, 10)
        snippets = tantivy.SnippetGenerator.create(searcher, parsed, fields_schema, "body")
        paths = []
        for _key, address in result.hits:
            document = searcher.doc(address)
            snippets.snippet_from_doc(document).to_html()
            paths.append(document["path"][0])
        return paths

    return run
