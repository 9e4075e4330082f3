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
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import query

from newsgrep.engine.columns import Columns, fold
from newsgrep.engine.documents import docnums, highlight_terms, hit, open_lazy_files, stored_article
from newsgrep.engine.folder import IndexStore, damaged_index_error, is_damage
from newsgrep.engine.languages import FieldFilter, restricted
from newsgrep.engine.postings import remember_deletions
from newsgrep.engine.query import RECORD_FIELD_PREFIX, ParsedQuery, date_filter, parse
from newsgrep.engine.ranking import (
    ranking_model,
)
from newsgrep.engine.retrieval import Retriever
from newsgrep.engine.schema import analysis_of
from newsgrep.engine.statistics import LiveStats, key_terms
from newsgrep.errors import NewsgrepError, QueryError
from newsgrep.model import (
    DEFAULT_RANKING,
    Facet,
    Hit,
    RankingSettings,
    SearchRequest,
    SearchResult,
)
from newsgrep.text.analysis import TOKEN
from newsgrep.text.dates import time_buckets
from newsgrep.text.snippets import match_spans
from newsgrep.wording import plural

if TYPE_CHECKING:
    from newsgrep.engine.vocabulary import Vocabulary
    from newsgrep.model import Explanation, ShownArticle

# Past this many months, a timeline counts by year.
TIMELINE_MONTHS = 36

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
        self._store = IndexStore(index_dir)
        self._ix = self._store.open()
        self._searcher: Any = None
        # Set on entry.
        self._columns: Columns = None  # type: ignore[assignment]
        self._retriever: Retriever = None  # type: ignore[assignment]
        self._stats: LiveStats | None = None
        self._words: Vocabulary | None = None
        self._fields: frozenset[str] | None = None
        self._analyses: dict[str, int] | None = None

    def __enter__(self) -> SearchSession:
        # Every file the session will read, opened now, all of one generation (a commit
        # may remove them meanwhile: see IndexStore.read).
        self._ix = self._store.read(self._ix, self._open_files, self._close_files)
        return self

    def _open_files(self, ix: Any) -> None:
        self._ix = ix
        model = ranking_model(self.ranking, self._live_stats)
        self._searcher = self._ix.searcher(weighting=model)
        open_lazy_files(self._searcher.reader(), self._ix.schema)
        remember_deletions(self._searcher.reader())
        self._columns = Columns(self._searcher.reader(), self._ix.schema)
        self._retriever = Retriever(self._searcher, self._columns, self._live_stats, self.ranking)

    def _close_files(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher, self._stats, self._words, self._fields = None, None, None, None
        # Set again on the next attempt.
        self._columns = None  # type: ignore[assignment]
        self._retriever = None  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        self._searcher.close()

    def explain(self, request: SearchRequest) -> Explanation:
        """How this index reads the query of `request` (what --explain shows).

        Raises:
            QueryError: see `parse`.
        """
        from newsgrep.engine.explain import explain  # --explain's alone

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
            languages=self._languages(),
            only_langs=request.langs,
            date_order=request.date_order,
        )

    def _languages(self) -> dict[str, int]:
        """The analyses (languages) the live articles were indexed in, and their counts."""
        if self._analyses is None:
            with self._reading():
                stats, names = self._live_stats(), self._searcher.reader().lexicon("analysis")
                counts = {(k := raw.decode()): stats.doc_frequency("analysis", k) for raw in names}
                self._analyses = {key: count for key, count in counts.items() if count}
        return self._analyses

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
        if not (request.correct and result.suggestion) or _all_words(result):
            return result
        try:
            corrected = self._search(replace(request, query=result.suggestion, correct=False))
        except QueryError:
            return result
        if not _all_words(corrected):
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
            dates = self._retriever.date_filter(parsed.date_filter)
            matching, relaxed_from = self._retriever.matching_query(parsed, request, dates)
            matching = self._retriever.key_words(matching)
            total, hits = self._ranked(matching, dates, request)
            found = relaxed_from if relaxed_from is not None else total
            suggestion = None
            if found < self.ranking.suggest_below and _spelt(request.query):
                suggestion = self._suggestion(request.query)
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
        words, allowed = self._retriever.without_dates(matching, dates)
        end = None if request.limit is None else request.offset + request.limit
        fetch = None if end is None else max(end * 3 + 10, self.ranking.rerank_depth)
        while True:
            candidates, total = self._retriever.candidates(
                words, allowed, excluded, request.sort, fetch
            )
            if not request.collapse:
                kept: list[tuple[int, Any, list[int]]] = [(d, s, []) for d, s in candidates]
                break
            kept = fold(self._columns, candidates, end)
            if fetch is None or end is None or len(kept) >= end or len(candidates) < fetch:
                break
            fetch *= 4
        if request.count_only:
            return total, ()
        terms = highlight_terms(matching, searcher.reader())
        stored = searcher.stored_fields
        hits = tuple(
            hit(rank, stored(docnum), score, terms, request, tuple(stored(f)["id"] for f in folded))
            for rank, (docnum, score, folded) in enumerate(
                kept[request.offset : end], start=request.offset + 1
            )
        )
        return total, hits

    def suggest(self, query_text: str) -> str | None:
        """The query with its unknown words corrected from the index's words ("did you
        mean"), or None when nothing would change."""
        with self._reading():
            return self._suggestion(query_text)

    def _suggestion(self, query_text: str) -> str | None:
        # The speller is loaded by the few searches that ask it (too few matches).
        from newsgrep.text.spelling import suggest

        return suggest(self._vocabulary(), query_text, self._languages())

    def _vocabulary(self) -> Vocabulary:
        """The index's words for spelling, made on first use (it keeps the term lists it
        reads)."""
        if self._words is None:
            from newsgrep.engine.vocabulary import Vocabulary

            self._words = Vocabulary(self._searcher, self._live_stats(), self._columns)
        return self._words

    def _live_stats(self) -> LiveStats:
        """The statistics of live articles, made on first use."""
        if self._stats is None:
            self._stats = LiveStats(self._searcher, self.index_dir)
        return self._stats

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
            dates = self._retriever.date_filter(filter_)
            like = query.Or(terms)
            if request.langs:
                like = restricted(like, FieldFilter("lang", (t.lower() for t in request.langs)))
            total, hits = self._ranked(like, dates, request, set(targets))
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
            parsed = self.parse(SearchRequest(query_text, synonyms=None))
            whoosh_query = parsed.whoosh_query
        with self._reading():
            terms = highlight_terms(whoosh_query, self._searcher.reader())
            found = self._columns.in_file_order(docnums(self._searcher, target))
            stored = [self._searcher.stored_fields(n) for n in found]
            articles = [(stored_article(fields), analysis_of(fields)) for fields in stored]
        from newsgrep.model_views import ShownArticle  # `show`'s value: not a search's

        shown = []
        for article, key in articles:
            title_spans = tuple(match_spans(article.title, terms["title"] | terms["body"], key))
            body_spans = tuple(match_spans(article.body, terms["body"], key))
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
            if facet in (Facet.SOURCE, Facet.LANG):
                stored = searcher.stored_fields
                labels = Counter(stored(n).get(facet.value) or "" for n in matched)
                return sorted(labels.items(), key=lambda item: (-item[1], item[0]))
            dates, undated = self._columns("date"), self._columns("undated")
            dated = [dates[n] for n in matched if not undated[n]]
        missing = len(matched) - len(dated)
        return time_buckets(dated, facet) + ([("", missing)] if missing else [])

    def timeline(self, request: SearchRequest) -> tuple[Facet, list[tuple[str, int]]]:
        """The matches of `request` by month, or by year over more than three years of
        months (`search --timeline`, the browse view's sparkline).

        Raises:
            QueryError: see `parse`.
        """
        counts = self.count_by(Facet.MONTH, request)
        if len(counts) > TIMELINE_MONTHS:
            return Facet.YEAR, self.count_by(Facet.YEAR, request)
        return Facet.MONTH, counts

    def date_span(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The first and last article dates in the index."""
        with self._reading():
            dated = self._searcher.search(query.Term("undated", 0), limit=None).docs()
            dates = self._columns("date")
            values = [dates[n] for n in dated]
        return (min(values), max(values)) if values else (None, None)

    def article_count(self) -> int:
        return int(self._searcher.doc_count())

    @property
    def generation(self) -> int:
        """The generation this session reads (whatever commits came since it opened)."""
        return int(self._searcher.reader().generation())

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Files of a damaged index fail as one clear error."""
        try:
            yield
        except RecursionError:  # Whoosh walks nested clauses by recursion
            raise QueryError(
                "the query is too deeply nested to run", hint="use fewer brackets or words"
            ) from None
        except NewsgrepError:
            raise
        except Exception as error:  # Whoosh raises many kinds for a damaged file
            if not is_damage(error):
                raise  # a bug: its traceback kept
            raise damaged_index_error(self.index_dir, error) from None


def search(
    index_dir: Path, request: SearchRequest, ranking: RankingSettings = DEFAULT_RANKING
) -> SearchResult:
    """Run one `request` against the index at `index_dir` (see `SearchSession.search`)."""
    with SearchSession(index_dir, ranking) as session:
        return session.search(request)


# --- running ----------------------------------------------------------------------------


# "Did you mean" looks at queries of this many words or fewer: a question or a pasted text
# has no article with all its words, and spelling every word of it costs more than it helps.
SPELL_UP_TO_WORDS = 10


def _spelt(text: str) -> bool:
    return len(TOKEN.findall(text)) <= SPELL_UP_TO_WORDS


def _all_words(result: SearchResult) -> int:
    """How many articles had every word of the query (or the Boolean query as written)."""
    return result.all_words if result.all_words is not None else result.total


def _relaxed_notice(total: int) -> str:
    if total == 0:
        have = "no article has"
    else:
        have = "only " + plural(total, "article has", "articles have")
    return f"{have} all the words; showing those with most of them (--all: every word)"
