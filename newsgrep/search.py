"""Queries in, ranked hits out: parsing the query language and running it as plain data.

The query language is Whoosh's over title and body: AND by default, OR/NOT/`-word`,
"phrases", `field:value`, `word*`, `word~`, and dates (`date:2025-05`,
`date:[2025-05-01 TO 2025-05-31]`, `date:>2025-05-01`). Ranking is BM25F with the title
weighted above the body. Hits are copied into `Hit` values before the searcher closes, so
no Whoosh object leaves this module.
"""

from __future__ import annotations

import datetime as dt
import pickle
import re
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from whoosh import qparser, query, sorting

from newsgrep.analysis import index_terms
from newsgrep.dates import parse_date_span
from newsgrep.errors import QueryError
from newsgrep.snippets import DEFAULT_SNIPPET_CHARS, Snippet, Span, make_snippets, match_spans
from newsgrep.store import IndexStore, damaged_index_error

TEXT_FIELDS = ("title", "body")
QUERY_FIELDS = ("title", "body", "date", "source", "url", "tags", "id")


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What to look for. `limit` None means every match."""

    query: str
    limit: int | None = 10
    offset: int = 0
    since: str | None = None
    until: str | None = None
    sort: Sort = Sort.RELEVANCE
    snippets: int = 1
    snippet_chars: int = DEFAULT_SNIPPET_CHARS


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching article. `score` is None when results are sorted by date."""

    rank: int
    id: str
    path: str
    title: str
    title_spans: tuple[Span, ...]
    date: dt.datetime | None
    source: str | None
    url: str | None
    tags: tuple[str, ...]
    score: float | None
    snippets: tuple[Snippet, ...]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The hits of one page of results, the total number of matches, and notices for the
    user (e.g. a field name that is not one)."""

    query: str
    total: int
    hits: tuple[Hit, ...]
    seconds: float
    notices: tuple[str, ...] = field(default=())


def search(index_dir: Path, request: SearchRequest) -> SearchResult:
    """Run `request` against the index at `index_dir`.

    Raises:
        IndexNotFoundError, IndexVersionError: no usable index.
        QueryError: the query or a date bound cannot be read, or has nothing to search.
    """
    started = time.perf_counter()
    ix = IndexStore(index_dir).open()
    parsed, notices = parse_query(request.query, ix.schema)
    date_filter = _date_filter(request.since, request.until)
    try:
        with ix.searcher() as searcher:
            results = _run(searcher, parsed, date_filter, request)
            terms = _highlight_terms(parsed, searcher.reader())
            hits = tuple(
                _hit(request.offset + rank, stored, score, terms, request)
                for rank, (stored, score) in enumerate(results.page, start=1)
            )
            total = results.total
    except (OSError, EOFError, struct.error, pickle.UnpicklingError) as error:
        raise damaged_index_error(index_dir, error) from None
    return SearchResult(request.query, total, hits, time.perf_counter() - started, tuple(notices))


# --- parsing ----------------------------------------------------------------------------

_EMPTY_FIELD = re.compile(r"(?:^|[\s(])(\w+):(?=$|[\s)])")
_FIELD_NAME = re.compile(r"(?:^|[\s(+-])([A-Za-z_]+):(?=\S)")
# A leading minus negates, as in most search engines: `-mayor` is `NOT mayor`.
_MINUS = re.compile(r"(^|[\s(])-(?=[\w\"(])")


def parse_query(text: str, schema: Any) -> tuple[Any, list[str]]:
    """The Whoosh query for `text`, and notices about it.

    Raises:
        QueryError: an empty query, a field with no value, an unreadable date, or a query
            whose every word is a stop word.
    """
    if not text.strip():
        raise QueryError(
            "empty query", hint='give words to search for, e.g. newsgrep search "peace talks"'
        )
    empty = _EMPTY_FIELD.search(text)
    if empty:
        raise QueryError(f"'{empty.group(1)}:' has no value", hint=f"e.g. {empty.group(1)}:word")
    notices = [
        f"'{name}:' is not a field, searched as words (fields: {', '.join(QUERY_FIELDS)})"
        for name in dict.fromkeys(_FIELD_NAME.findall(text))
        if name not in QUERY_FIELDS
    ]
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    try:
        parsed = parser.parse(_MINUS.sub(r"\1NOT ", text), normalize=False)
    except QueryError:
        raise
    except Exception as error:  # Whoosh's parser signals bad input in many ways
        raise QueryError(f"cannot parse query: {error}") from None
    _raise_first_error(parsed)
    parsed = parsed.normalize().accept(_widen_prefix)
    if parsed is query.NullQuery or not list(_positive_leaves(parsed)):
        raise QueryError(
            "the query has no words to search for",
            hint="common words such as 'the' or 'of' are not indexed",
        )
    return parsed, notices


def _raise_first_error(parsed: Any) -> None:
    for node in _walk(parsed):
        error = getattr(node, "error", None)
        if error is not None:
            if isinstance(error, QueryError):
                raise error
            raise QueryError(f"cannot parse query: {error}")


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if not node.is_leaf():
        for child in node.children():
            yield from _walk(child)


def _positive_leaves(node: Any) -> Iterator[Any]:
    """Leaves that can match, not counting those under a NOT."""
    if isinstance(node, query.Not) or node is query.NullQuery:
        return
    if node.is_leaf():
        yield node
        return
    for child in node.children():
        yield from _positive_leaves(child)


def _widen_prefix(node: Any) -> Any:
    """`negotiat*` must also reach the stems of the words it begins: the index holds
    "negoti" for "negotiations". Stemming only cuts (or bends) a word's end, so those
    stems are the prefix's own stem and its slightly shorter beginnings."""
    if not (isinstance(node, query.Prefix) and node.fieldname in TEXT_FIELDS):
        return node
    prefix = node.text
    stems = set(index_terms(prefix)[:1])
    stems.update(prefix[:length] for length in range(max(4, len(prefix) - 3), len(prefix)))
    stems.discard(prefix)
    if not stems:
        return node
    alternatives = [query.Term(node.fieldname, stem, boost=node.boost) for stem in sorted(stems)]
    return query.Or([node, *alternatives])


def _date_filter(since: str | None, until: str | None) -> Any:
    if since is None and until is None:
        return None
    try:
        start = parse_date_span(since).start if since else None
        end = parse_date_span(until).end if until else None
    except ValueError as error:
        raise QueryError(str(error)) from None
    return query.DateRange("date", start, end)


# --- running ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Results:
    page: list[tuple[dict[str, Any], float | None]]
    total: int


def _run(searcher: Any, parsed: Any, date_filter: Any, request: SearchRequest) -> _Results:
    end = None if request.limit is None else request.offset + request.limit
    options: dict[str, Any] = {"limit": end, "filter": date_filter}
    sorted_by_date = request.sort is not Sort.RELEVANCE
    if sorted_by_date:
        newest = request.sort is Sort.NEWEST
        options["sortedby"] = [
            sorting.FieldFacet("undated"),
            sorting.FieldFacet("date", reverse=newest),
        ]
    results = searcher.search(parsed, **options)
    page = [
        (hit.fields(), None if sorted_by_date else float(hit.score))
        for hit in results[request.offset : end]
    ]
    return _Results(page, len(results))


def _highlight_terms(parsed: Any, reader: Any) -> dict[str, frozenset[str]]:
    """Per text field, the index terms the query matches (prefixes and fuzzy terms expanded)."""
    terms: dict[str, set[str]] = {name: set() for name in TEXT_FIELDS}
    for leaf in _positive_leaves(parsed):
        if leaf.field() not in terms:
            continue  # a date range would expand to every date in it
        for fieldname, term in leaf.existing_terms(reader, phrases=True, expand=True):
            if fieldname in terms:
                terms[fieldname].add(term.decode("utf-8") if isinstance(term, bytes) else term)
    return {name: frozenset(found) for name, found in terms.items()}


def _hit(
    rank: int,
    stored: dict[str, Any],
    score: float | None,
    terms: dict[str, frozenset[str]],
    request: SearchRequest,
) -> Hit:
    title = stored.get("title", "")
    body = stored.get("body", "")
    tags = stored.get("tags")
    return Hit(
        rank=rank,
        id=stored["id"],
        path=stored["path"],
        title=title,
        title_spans=tuple(match_spans(title, terms["title"])),
        date=stored.get("date"),
        source=stored.get("source"),
        url=stored.get("url"),
        tags=tuple(tags.split(",")) if tags else (),
        score=score,
        snippets=tuple(make_snippets(body, terms["body"], request.snippets, request.snippet_chars)),
    )
