"""Stored documents as plain values: hits with their snippets and marked titles, whole
articles, the terms a query marks, and the documents an id or a path names.
"""

from __future__ import annotations

import os
from typing import Any

from newsgrep.engine.folder import DamagedFileError
from newsgrep.engine.languages import TEXT_FIELDS
from newsgrep.engine.query import positive_leaves
from newsgrep.engine.schema import analysis_of, index_term
from newsgrep.errors import ArticleNotFoundError
from newsgrep.model import Hit, SearchRequest, StoredArticle
from newsgrep.text.snippets import make_snippets, match_spans


def open_lazy_files(reader: Any, schema: Any) -> None:
    """Open now the files Whoosh opens on first use (stored fields, field lengths; the
    session opens its columns), so that a session reads the generation it opened however
    many commits delete its files meanwhile (open files stay readable)."""
    for leaf, _ in reader.leaf_readers():
        if leaf.doc_count_all() == 0:
            continue
        leaf.stored_fields(0)
        for name, field_type in schema.items():
            if field_type.scorable:
                leaf.doc_field_length(0, name)


def highlight_terms(whoosh_query: Any, reader: Any) -> dict[str, frozenset[str]]:
    """Per text field, the index terms the query matches (prefixes and fuzzy terms expanded)."""
    terms: dict[str, set[str]] = {name: set() for name in TEXT_FIELDS}
    leaves = positive_leaves(whoosh_query) if whoosh_query is not None else iter(())
    for leaf in leaves:
        if leaf.field() not in terms:
            continue  # a date range would expand to every date in it
        for fieldname, term in leaf.existing_terms(reader, phrases=True, expand=True):
            if fieldname in terms:
                terms[fieldname].add(term.decode("utf-8") if isinstance(term, bytes) else term)
    return {name: frozenset(found) for name, found in terms.items()}


def hit(
    rank: int,
    stored: dict[str, Any],
    score: float | None,
    terms: dict[str, frozenset[str]],
    request: SearchRequest,
    duplicates: tuple[str, ...] = (),
) -> Hit:
    article = stored_article(stored)
    key = analysis_of(stored)
    return Hit(
        rank=rank,
        id=article.id,
        path=article.path,
        title=article.title,
        title_spans=tuple(match_spans(article.title, terms["title"] | terms["body"], key)),
        date=article.date,
        source=article.source,
        url=article.url,
        tags=article.tags,
        score=score,
        snippets=tuple(
            make_snippets(article.body, terms["body"], request.snippets, request.snippet_chars, key)
        ),
        duplicates=duplicates,
        lang=article.lang,
        fields=article.fields,
    )


def stored_article(stored: dict[str, Any]) -> StoredArticle:
    if "id" not in stored or "path" not in stored:  # every article stores both
        raise DamagedFileError("a stored article has no id or path")
    tags = stored.get("tags")
    return StoredArticle(
        id=stored["id"],
        path=stored["path"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        date=stored.get("date"),
        source=stored.get("source"),
        url=stored.get("url"),
        tags=tuple(tags.split(",")) if tags else (),
        lang=stored.get("lang"),
        encoding=stored.get("encoding"),
        fields=tuple((name, tuple(values)) for name, values in stored.get("fields", {}).items()),
        lang_detected=bool(stored.get("lang_detected")),
    )


def docnums(searcher: Any, target: str) -> list[int]:
    """Documents for an id, else for a file path (as given, or relative to here)."""
    docnums = list(searcher.document_numbers(id=index_term(target)))
    if not docnums:
        docnums = list(searcher.document_numbers(path=index_term(os.path.abspath(target))))
    if not docnums:
        raise ArticleNotFoundError(
            f"no indexed article has the id or path {target!r}",
            hint="ids are shown by: newsgrep search --format '{id}' QUERY",
        )
    return docnums
