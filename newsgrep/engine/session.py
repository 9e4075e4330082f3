"""The search session: an index opened once for many requests — ranked hits, articles like
one given, whole articles, counts by date or source, and how a query reads — all returned
as plain values (`newsgrep.model`).

A search parses the query (`query`), narrows it by dates from the date column
(`columns`), relaxes it to most words when too few articles have every word, ranks the
matches (`ranking`), folds near-duplicates, and reads the stored fields of the page only
(`documents`).
"""

from __future__ import annotations

import datetime as dt
import pickle
import struct
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from whoosh import query

from newsgrep.engine.columns import Columns, fold, split_dates
from newsgrep.engine.documents import docnums, highlight_terms, hit, open_lazy_files, stored_article
from newsgrep.engine.folder import IndexStore, damaged_index_error
from newsgrep.engine.query import RECORD_FIELD_PREFIX, ParsedQuery, date_filter, explain, parse
from newsgrep.engine.ranking import (
    best_matches,
    first_by,
    for_scoring,
    matches,
    ranking_model,
    reranked,
)
from newsgrep.engine.statistics import LiveStats, key_terms
from newsgrep.engine.vocabulary import Vocabulary
from newsgrep.errors import QueryError
from newsgrep.model import (
    DEFAULT_RANKING,
    Explanation,
    Facet,
    Hit,
    Match,
    RankingSettings,
    SearchRequest,
    SearchResult,
    ShownArticle,
    Sort,
)
from newsgrep.text.dates import time_buckets
from newsgrep.text.snippets import match_spans
from newsgrep.text.spelling import suggest
from newsgrep.wording import plural

# How many key terms `similar` takes from the article, per field.
SIMILAR_TERMS = {"title": 5, "body": 25}  # 25: Lucene more-like-this's default


class SearchSession:
    """An open index for many requests in one process (`--batch`, benchmarks): the index and
    its searcher are opened once. Use as a context manager.

    Raises (on entry):
        IndexNotFoundError, IndexVersionError: no usable index.
    """

    def __init__(self, index_dir: Path, ranking: RankingSettings = DEFAULT_RANKING) -> None:
        self.index_dir = index_dir
        self.ranking = ranking
        self._ix = IndexStore(index_dir).open()
        self._searcher: Any = None
        self._columns: Columns = None  # type: ignore[assignment]  # set on entry
        self._stats: LiveStats | None = None
        self._words: Vocabulary | None = None
        self._fields: frozenset[str] | None = None

    def __enter__(self) -> SearchSession:
        try:
            model = ranking_model(self.ranking, self._live_stats)
            self._searcher = self._ix.searcher(weighting=model)
            open_lazy_files(self._searcher.reader(), self._ix.schema)
            self._columns = Columns(self._searcher.reader(), self._ix.schema)
        except (OSError, EOFError, struct.error, pickle.UnpicklingError) as error:
            raise damaged_index_error(self.index_dir, error) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._searcher.close()

    def explain(self, request: SearchRequest) -> Explanation:
        """How this index reads the query of `request` (what --explain shows).

        Raises:
            QueryError: see `parse`.
        """
        return explain(self.parse(request))

    def parse(self, request: SearchRequest) -> ParsedQuery:
        """The query of `request` as this index reads it.

        Raises:
            QueryError: the query or a date bound cannot be read, or has nothing to search.
        """
        return parse(
            request.query,
            self._ix.schema,
            since=request.since,
            until=request.until,
            synonyms=request.synonyms,
            ranking=self.ranking,
            record_fields=self._record_fields(),
            date_order=request.date_order,
        )

    def _record_fields(self) -> frozenset[str]:
        """The names of the records' own fields this index holds (`topics`, `places`)."""
        if self._fields is None:
            with self._reading():
                names = self._searcher.reader().indexed_field_names()
                self._fields = frozenset(
                    name[len(RECORD_FIELD_PREFIX) :]
                    for name in names
                    if name.startswith(RECORD_FIELD_PREFIX)
                )
        return self._fields

    def search(self, request: SearchRequest) -> SearchResult:
        """Ranked hits for `request`; with `request.correct`, the hits of its correction
        when it has none and the correction has some.

        Raises:
            QueryError: see `parse`.
        """
        result = self._search(request)
        if not (request.correct and result.total == 0 and result.suggestion):
            return result
        try:
            corrected = self._search(replace(request, query=result.suggestion, correct=False))
        except QueryError:
            return result
        if corrected.total == 0:
            return result
        notice = (
            f"showing results for {result.suggestion!r}; "
            f"search instead for {request.query!r}: --exact"
        )
        return replace(
            corrected,
            notices=(notice, *corrected.notices),
            corrected_from=request.query,
            seconds=result.seconds + corrected.seconds,
        )

    def _search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        parsed = self.parse(request)
        with self._reading():
            dates = self._date_filter(parsed.date_filter)
            matching, relaxed_from = self._matching_query(parsed, request, dates)
            total, hits = self._ranked(matching, dates, request)
            found = relaxed_from if relaxed_from is not None else total
            suggestion = None
            if found < self.ranking.suggest_below:
                suggestion = suggest(self._vocabulary(), request.query)
        notices = parsed.notices
        relaxed = relaxed_from is not None and total > relaxed_from
        if relaxed:
            notices += (_relaxed_notice(found),)
        return SearchResult(
            request.query,
            total,
            hits,
            time.perf_counter() - started,
            notices,
            suggestion=suggestion,
            all_words=found if relaxed else None,
        )

    def _matching_query(
        self, parsed: ParsedQuery, request: SearchRequest, dates: set[int] | None
    ) -> tuple[Any, int | None]:
        """The query that selects the articles, and (when it was relaxed from every word to
        most words) how many articles had every word."""
        relaxed = parsed.relaxed_query
        if relaxed is None or request.match is Match.ALL:
            return parsed.whoosh_query, None
        if request.match is Match.ANY:
            return relaxed, None
        wanted = 1 if request.limit is None else min(self.ranking.relax_below, request.limit)
        if wanted <= 0:
            return parsed.whoosh_query, None
        found = self._count(parsed.whoosh_query, dates, up_to=wanted)
        if found >= wanted:
            return parsed.whoosh_query, None
        return relaxed, found

    def _ranked(
        self,
        matching: Any,
        dates: set[int] | None,
        request: SearchRequest,
        excluded: set[int] | None = None,
    ) -> tuple[int, tuple[Hit, ...]]:
        """The number of matches, and the requested page of hits (near-duplicates folded
        if asked), with only the page's stored documents read."""
        searcher = self._searcher
        words, allowed = self._without_dates(matching, dates)
        end = None if request.limit is None else request.offset + request.limit
        fetch = None if end is None else max(end * 3 + 10, self.ranking.rerank_depth)
        while True:
            candidates, total = self._candidates(words, allowed, excluded, request.sort, fetch)
            if not request.collapse:
                kept: list[tuple[int, Any, list[int]]] = [(d, s, []) for d, s in candidates]
                break
            kept = fold(self._columns, candidates)
            if fetch is None or end is None or len(kept) >= end or len(candidates) < fetch:
                break
            fetch *= 4
        terms = highlight_terms(matching, searcher.reader())
        stored = searcher.stored_fields
        hits = tuple(
            hit(rank, stored(docnum), score, terms, request, tuple(stored(f)["id"] for f in folded))
            for rank, (docnum, score, folded) in enumerate(
                kept[request.offset : end], start=request.offset + 1
            )
        )
        return total, hits

    def _candidates(
        self,
        words: Any,
        allowed: set[int] | None,
        excluded: set[int] | None,
        sort: Sort,
        fetch: int | None,
    ) -> tuple[list[tuple[int, float | None]], int]:
        """The best `fetch` matches in order, as (docnum, score) (by date: score None), and
        how many articles match in all."""
        if allowed is not None and not allowed:
            return [], 0
        searcher, ordinals = self._searcher, self._columns.ordinals()
        if sort is not Sort.RELEVANCE:
            undated, dates = self._columns.numbers("undated"), self._columns.numbers("date")
            sign = -1 if sort is Sort.NEWEST else 1

            def by_date(docnum: int) -> tuple[int, ...]:
                return undated[docnum], sign * dates[docnum], ordinals[docnum]

            found = (
                docnum
                for docnum in matches(searcher, words)
                if (allowed is None or docnum in allowed)
                and (excluded is None or docnum not in excluded)
            )
            chosen, total = first_by(found, by_date, fetch)
            return [(docnum, None) for docnum in chosen], total
        scored = for_scoring(words, searcher.reader(), self._live_stats())
        ranked, total = best_matches(
            searcher, scored, limit=fetch, ordinals=ordinals, allowed=allowed, excluded=excluded
        )
        return list(reranked(searcher, words, ranked, self.ranking)), total

    def suggest(self, query_text: str) -> str | None:
        """The query with its unknown words corrected from the index's words ("did you
        mean"), or None when nothing would change."""
        with self._reading():
            return suggest(self._vocabulary(), query_text)

    def _vocabulary(self) -> Vocabulary:
        """The index's words for spelling, made on first use (it keeps the term lists it
        reads)."""
        if self._words is None:
            self._words = Vocabulary(self._searcher, self._live_stats())
        return self._words

    def _live_stats(self) -> LiveStats:
        """The statistics of live articles, made on first use."""
        if self._stats is None:
            self._stats = LiveStats(self._searcher, self.index_dir)
        return self._stats

    def _count(self, whoosh_query: Any, allowed: set[int] | None, *, up_to: int) -> int:
        """How many articles match, without scoring them, counting no further than `up_to`."""
        words, allowed = self._without_dates(whoosh_query, allowed)
        count = 0
        for docnum in matches(self._searcher, words):
            if allowed is None or docnum in allowed:
                count += 1
                if count == up_to:
                    break
        return count

    def _without_dates(
        self, whoosh_query: Any, allowed: set[int] | None
    ) -> tuple[Any, set[int] | None]:
        """The query without its top-level date clauses, and `allowed` narrowed to them."""
        words, date_clauses = split_dates(whoosh_query)
        dates = [self._columns.dates.within(clause.start, clause.end) for clause in date_clauses]
        return words, self._intersect(allowed, dates)

    def _date_filter(self, date_filter: Any) -> set[int] | None:
        if date_filter is None:
            return None
        return self._columns.dates.within(date_filter.start, date_filter.end)

    @staticmethod
    def _intersect(first: set[int] | None, others: list[set[int]]) -> set[int] | None:
        for other in others:
            first = other if first is None else first & other
        return first

    def similar(self, target: str, request: SearchRequest) -> SearchResult:
        """Articles like the one with id (or file path) `target`, ranked like a search.

        The article's key terms in title and body (Whoosh's more-like-this, Bo1 weights)
        make the query; the article itself is left out.

        Raises:
            ArticleNotFoundError: no article has that id or path.
        """
        started = time.perf_counter()
        filter_ = date_filter(request.since, request.until, request.date_order)
        searcher = self._searcher
        with self._reading():
            targets = self._columns.in_file_order(docnums(searcher, target))
            stats = self._live_stats()
            terms = [
                query.Term(name, term, boost=weight)
                for name, count in SIMILAR_TERMS.items()
                for term, weight in key_terms(searcher, stats, targets, name, count)
            ]
            dates = self._date_filter(filter_)
            total, hits = self._ranked(query.Or(terms), dates, request, set(targets))
        return SearchResult(f"like {target}", total, hits, time.perf_counter() - started)

    def articles(self, target: str, query_text: str | None = None) -> list[ShownArticle]:
        """The article with id `target`, or every article of the file at path `target`, with
        the words of `query_text` (if given) marked.

        Raises:
            ArticleNotFoundError: neither an id nor an indexed file.
            QueryError: `query_text` cannot be read.
        """
        whoosh_query = None
        if query_text is not None:
            fields = self._record_fields()
            parsed = parse(query_text, self._ix.schema, ranking=self.ranking, record_fields=fields)
            whoosh_query = parsed.whoosh_query
        with self._reading():
            terms = highlight_terms(whoosh_query, self._searcher.reader())
            found = self._columns.in_file_order(docnums(self._searcher, target))
            stored = [self._searcher.stored_fields(n) for n in found]
        shown = []
        for fields in stored:
            article = stored_article(fields)
            title_spans = tuple(match_spans(article.title, terms["title"] | terms["body"]))
            body_spans = tuple(match_spans(article.body, terms["body"]))
            shown.append(ShownArticle(article, title_spans, body_spans))
        return shown

    def count_by(self, facet: Facet, request: SearchRequest | None = None) -> list[tuple[str, int]]:
        """How many articles (all, or those matching `request`) fall in each month, year or
        source. Months and years come in time order, empty ones included, then articles with
        no date under ""; sources by count, those without one under "".

        Raises:
            QueryError: see `parse`.
        """
        if request is None:
            whoosh_query, filter_ = query.Every(), None
        else:
            parsed = self.parse(request)
            whoosh_query, filter_ = parsed.whoosh_query, parsed.date_filter
        searcher = self._searcher
        with self._reading():
            matched = list(searcher.search(whoosh_query, filter=filter_, limit=None).docs())
            if facet is Facet.SOURCE:
                sources = Counter(searcher.stored_fields(n).get("source") or "" for n in matched)
                return sorted(sources.items(), key=lambda item: (-item[1], item[0]))
            dates, undated = self._columns("date"), self._columns("undated")
            dated = [dates[n] for n in matched if not undated[n]]
        missing = len(matched) - len(dated)
        return time_buckets(dated, facet) + ([("", missing)] if missing else [])

    def date_span(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The first and last article dates in the index."""
        with self._reading():
            dated = self._searcher.search(query.Term("undated", 0), limit=None).docs()
            dates = self._columns("date")
            values = [dates[n] for n in dated]
        return (min(values), max(values)) if values else (None, None)

    def article_count(self) -> int:
        return int(self._searcher.doc_count())

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Files of a damaged index fail as one clear error."""
        try:
            yield
        except (OSError, EOFError, struct.error, pickle.UnpicklingError) as error:
            raise damaged_index_error(self.index_dir, error) from None
        except RecursionError:  # Whoosh walks nested clauses by recursion
            raise QueryError(
                "the query is too deeply nested to run", hint="use fewer brackets or words"
            ) from None


def search(
    index_dir: Path, request: SearchRequest, ranking: RankingSettings = DEFAULT_RANKING
) -> SearchResult:
    """Run one `request` against the index at `index_dir` (see `SearchSession.search`)."""
    with SearchSession(index_dir, ranking) as session:
        return session.search(request)


# --- running ----------------------------------------------------------------------------


def _relaxed_notice(total: int) -> str:
    if total == 0:
        have = "no article has"
    else:
        have = "only " + plural(total, "article has", "articles have")
    return f"{have} all the words; showing those with most of them (--all: every word)"
