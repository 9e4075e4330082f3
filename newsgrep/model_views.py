"""The plain values of the other ways to read an index: an article shown whole (`show`),
how a query reads (`--explain`), what an index holds (`stats`). Stdlib only, like `model`,
which gives them too (`from newsgrep.model import ShownArticle`): they live apart so that a
search, which uses none of them, does not make their classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from newsgrep.model import Span, StoredArticle


@dataclass(frozen=True, slots=True)
class ShownArticle:
    """An article to show whole, with the query's words marked in its title and body."""

    article: StoredArticle
    title_spans: tuple[Span, ...]
    body_spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """How a query was read, in words a user can check against what they meant."""

    parsed: str
    words: tuple[tuple[str, str], ...]  # (word as typed, what it searches for)
    dates: str | None
    notices: tuple[str, ...]
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()


# --- what an index holds -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexStats:
    articles: int
    first_date: dt.datetime | None
    last_date: dt.datetime | None
    sources: tuple[tuple[str, int], ...]  # by count; "" for articles without a source
    index_bytes: int
    folders: tuple[str, ...]  # the folders indexed
    updated: str | None  # when the last indexing run finished (ISO, UTC)
    # Replaced or removed articles whose space the index has not reclaimed yet, and about
    # how many of `index_bytes` they take (`newsgrep index --compact` frees them).
    deleted_articles: int = 0
    reclaimable_bytes: int = 0
    files: tuple[str, ...] = ()  # the files indexed by themselves (given one by one)
    excludes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a folder's --exclude globs
    # What each part of the index takes, in bytes, largest first: postings, terms, stored
    # articles, columns, manifest, other (they add up to `index_bytes`).
    parts: tuple[tuple[str, int], ...] = ()
