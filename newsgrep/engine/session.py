"""Running queries: ranked hits, articles like one given, whole articles, and counts by date
or source — all copied into plain values before the searcher closes.

Ranking is BM25F over title and body with the title weighted above the body (see `store`).
No Whoosh object leaves this module or `query`.
"""

from __future__ import annotations

import array
import bisect
import copy
import datetime as dt
import itertools
import math
import os
import pickle
import struct
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import query, scoring, sorting
from whoosh.util.times import datetime_to_long

from newsgrep.engine.folder import IndexStore, damaged_index_error
from newsgrep.engine.query import (
    TEXT_FIELDS,
    ParsedQuery,
    date_filter,
    explain,
    parse,
    plain_words,
    positive_leaves,
)
from newsgrep.engine.schema import index_term
from newsgrep.errors import ArticleNotFoundError, QueryError
from newsgrep.model import (
    Explanation,
    Facet,
    Hit,
    Match,
    SearchRequest,
    SearchResult,
    ShownArticle,
    Sort,
    StoredArticle,
)
from newsgrep.text.duplicates import Folder, unpack_sketch
from newsgrep.text.snippets import make_snippets, match_spans
from newsgrep.text.spelling import suggest
from newsgrep.wording import plural

BM25_K1 = 1.2
BM25_B = 0.75
# BM25's own idf (True), or Whoosh's default TF-IDF style one (False).
BM25_IDF = True

# Proximity: the extra weight of a pair of neighbouring query words standing together
# (as a phrase, and within PROXIMITY_WINDOW words); None turns it off.
PROXIMITY: tuple[float, float] | None = (0.12, 0.06)
PROXIMITY_WINDOW = 8

# Pseudo-relevance feedback for queries of at least FEEDBACK_MIN_WORDS words (0: never):
# FEEDBACK_TERMS terms from the best FEEDBACK_DOCS articles, each at FEEDBACK_WEIGHT times
# its normalised weight. Off: on TIME it cost 0.026 nDCG@10 (docs/benchmarks.md).
FEEDBACK_MIN_WORDS = 0
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 10
FEEDBACK_WEIGHT = 0.5

# A query whose words fewer articles than this have (all together) gets a "did you mean".
SUGGEST_BELOW = 3

# How many key terms `similar` takes from the article, per field.
SIMILAR_TERMS = {"title": 5, "body": 25}  # 25: Lucene more-like-this's default


# In `auto`, a page of ranked hits relaxes to `any` when fewer articles than this (or than
# the page, if smaller) have every word.
RELAX_BELOW = 10

# Proximity (and feedback) rescore the best this many first-pass candidates.
RERANK_DEPTH = 100


class SearchSession:
    """An open index for many requests in one process (`--batch`, benchmarks): the index and
    its searcher are opened once. Use as a context manager.

    Raises (on entry):
        IndexNotFoundError, IndexVersionError: no usable index.
    """

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._ix = IndexStore(index_dir).open()
        self._searcher: Any = None
        self._date_column: list[tuple[int, int]] | None = None
        self._dates_cache: dict[tuple[int | None, int | None], set[int]] = {}
        # Column readers, made once: making one reads the column's whole offset table.
        self._columns: dict[str, Any] = {}

    def __enter__(self) -> SearchSession:
        try:
            self._searcher = self._ix.searcher(weighting=ranking_model())
            _open_lazy_files(self._searcher.reader(), self._ix.schema)
            for name, field_type in self._ix.schema.items():
                if field_type.column_type is not None:
                    self._column(name)  # and kept: making a column reader reads its offsets
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
        )

    def search(self, request: SearchRequest) -> SearchResult:
        """Ranked hits for `request`.

        Raises:
            QueryError: see `parse`.
        """
        started = time.perf_counter()
        parsed = self.parse(request)
        with self._reading():
            dates = self._date_filter(parsed.date_filter)
            matching, relaxed_from = self._matching_query(parsed, request, dates)
            total, hits = self._ranked(matching, dates, request)
            found = relaxed_from if relaxed_from is not None else total
            suggestion = suggest(self._searcher, request.query) if found < SUGGEST_BELOW else None
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
        wanted = 1 if request.limit is None else min(RELAX_BELOW, request.limit)
        if wanted <= 0:
            return parsed.whoosh_query, None
        found = self._count(parsed.whoosh_query, dates, up_to=wanted)
        if found >= wanted:
            return parsed.whoosh_query, None
        return relaxed, found

    def _ranked(
        self, matching: Any, dates: set[int] | None, request: SearchRequest, mask: Any = None
    ) -> tuple[int, tuple[Hit, ...]]:
        """The number of matches, and the requested page of hits (near-duplicates folded
        if asked), with only the page's stored documents read."""
        searcher = self._searcher
        words, allowed = self._without_dates(matching, dates)
        end = None if request.limit is None else request.offset + request.limit
        fetch = None if end is None else max(end * 3 + 10, RERANK_DEPTH)
        while True:
            candidates, total = self._candidates(words, allowed, mask, request.sort, fetch)
            if not request.collapse:
                kept: list[tuple[int, Any, list[int]]] = [(d, s, []) for d, s in candidates]
                break
            kept = _fold(self._column, candidates)
            if fetch is None or end is None or len(kept) >= end or len(candidates) < fetch:
                break
            fetch *= 4
        terms = _highlight_terms(matching, searcher.reader())
        stored = searcher.stored_fields
        hits = tuple(
            _hit(
                rank, stored(docnum), score, terms, request, tuple(stored(f)["id"] for f in folded)
            )
            for rank, (docnum, score, folded) in enumerate(
                kept[request.offset : end], start=request.offset + 1
            )
        )
        return total, hits

    def _candidates(
        self, words: Any, allowed: set[int] | None, mask: Any, sort: Sort, fetch: int | None
    ) -> tuple[list[tuple[int, float | None]], int]:
        """The best `fetch` matches in order, as (docnum, score) (by date: score None), and
        how many articles match in all (Whoosh counts them while it ranks)."""
        if allowed is not None and not allowed:
            return [], 0  # no article in the dates: Whoosh would read an empty filter as none
        searcher = self._searcher
        # No block-quality skipping: it saves scoring some matches, but then Whoosh counts
        # every match again in a second pass, which costs more (p50 of the benchmark's
        # queries at 21.6k: ~30 -> ~17 ms).
        options: dict[str, Any] = {"limit": fetch, "filter": allowed, "mask": mask}
        options["optimize"] = False
        if sort is not Sort.RELEVANCE:
            options["sortedby"] = [
                sorting.FieldFacet("undated"),
                sorting.FieldFacet("date", reverse=sort is Sort.NEWEST),
            ]
            results = searcher.search(words, **options)
            return [(hit.docnum, None) for hit in results], len(results)
        results = searcher.search(_for_scoring(words, searcher.reader()), **options)
        ranked = [(hit.docnum, float(hit.score)) for hit in results]
        return list(_reranked(searcher, words, ranked)), len(results)

    def _count(self, whoosh_query: Any, allowed: set[int] | None, *, up_to: int) -> int:
        """How many articles match, without scoring them, counting no further than `up_to`."""
        words, allowed = self._without_dates(whoosh_query, allowed)
        count = 0
        for docnum in _matches(self._searcher, words):
            if allowed is None or docnum in allowed:
                count += 1
                if count == up_to:
                    break
        return count

    def _without_dates(
        self, whoosh_query: Any, allowed: set[int] | None
    ) -> tuple[Any, set[int] | None]:
        """The query without its top-level date clauses, and `allowed` narrowed to them."""
        words, date_clauses = _split_dates(whoosh_query)
        dates = [self._date_docs(clause.start, clause.end) for clause in date_clauses]
        return words, self._intersect(allowed, dates)

    def _date_filter(self, date_filter: Any) -> set[int] | None:
        if date_filter is None:
            return None
        return self._date_docs(date_filter.start, date_filter.end)

    def _date_docs(self, start: Any, end: Any) -> set[int]:
        """The articles dated within [start, end] (Whoosh's numbers or datetimes; None for
        open), read from the date column once per session and bound."""
        low, high = _as_number(start), _as_number(end)
        key = (low, high)
        if key not in self._dates_cache:
            if self._date_column is None:
                reader = self._searcher.reader()
                # Columns as stored: "undated" 0 is whatever Whoosh writes for 0 (not 0).
                dated_mark = reader.schema["undated"].to_column_value(0)
                both = zip(_numbers(reader, "date"), _numbers(reader, "undated"), strict=True)
                self._date_column = [
                    (docnum, date)
                    for docnum, (date, undated) in enumerate(both)
                    if undated == dated_mark
                ]
            low_bound = low if low is not None else -(2**63)
            high_bound = high if high is not None else 2**63
            self._dates_cache[key] = {
                docnum for docnum, value in self._date_column if low_bound <= value <= high_bound
            }
        return self._dates_cache[key]

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
        filter_ = date_filter(request.since, request.until)
        searcher = self._searcher
        with self._reading():
            docnums = _docnums(searcher, target)
            terms = [
                query.Term(name, term, boost=weight)
                for name, count in SIMILAR_TERMS.items()
                for term, weight in searcher.key_terms(docnums, name, numterms=count)
            ]
            own = query.Or(
                [query.Term("id", index_term(searcher.stored_fields(n)["id"])) for n in docnums]
            )
            total, hits = self._ranked(query.Or(terms), self._date_filter(filter_), request, own)
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
            whoosh_query = parse(query_text, self._ix.schema).whoosh_query
        with self._reading():
            terms = _highlight_terms(whoosh_query, self._searcher.reader())
            stored = [self._searcher.stored_fields(n) for n in _docnums(self._searcher, target)]
        shown = []
        for fields in stored:
            article = _stored_article(fields)
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
            docnums = list(searcher.search(whoosh_query, filter=filter_, limit=None).docs())
            if facet is Facet.SOURCE:
                sources = Counter(searcher.stored_fields(n).get("source") or "" for n in docnums)
                return sorted(sources.items(), key=lambda item: (-item[1], item[0]))
            dates, undated = self._column("date"), self._column("undated")
            dated = [dates[n] for n in docnums if not undated[n]]
        missing = len(docnums) - len(dated)
        return _time_buckets(dated, facet) + ([("", missing)] if missing else [])

    def date_span(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The first and last article dates in the index."""
        with self._reading():
            dated = self._searcher.search(query.Term("undated", 0), limit=None).docs()
            dates = self._column("date")
            values = [dates[n] for n in dated]
        return (min(values), max(values)) if values else (None, None)

    def _column(self, name: str) -> Any:
        """The reader of column `name` (sketch, date, undated) for this session's searcher."""
        if name not in self._columns:
            self._columns[name] = _column_of(self._searcher.reader(), name)
        return self._columns[name]

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


def _open_lazy_files(reader: Any, schema: Any) -> None:
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


class _BM25F(scoring.BM25F):  # type: ignore[misc]
    """Whoosh's BM25F with BM25's own idf, log(1 + (N - n + 0.5) / (n + 0.5)) as in Lucene
    and Robertson–Spärck Jones, instead of Whoosh's TF-IDF style log(N / (n + 1)) + 1."""

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        total = parent.doc_count()
        return math.log(1 + (total - n + 0.5) / (n + 0.5))


def ranking_model() -> Any:
    """BM25F with the textbook parameters (k1 = 1.2, b = 0.75); the title's weight comes
    from its field boost in the schema."""
    if not BM25_IDF:
        return scoring.BM25F(B=BM25_B, K1=BM25_K1)
    return _BM25F(B=BM25_B, K1=BM25_K1)


def search(index_dir: Path, request: SearchRequest) -> SearchResult:
    """Run one `request` against the index at `index_dir` (see `SearchSession.search`)."""
    with SearchSession(index_dir) as session:
        return session.search(request)


# --- running ----------------------------------------------------------------------------


def _column_of(reader: Any, name: str) -> Any:
    """A column of the index, indexed by document number. An index without articles has
    no columns (Whoosh's empty reader cannot make one), and nothing is looked up in them."""
    if reader.doc_count_all() == 0:
        return {}
    return reader.column_reader(name)


def _numbers(reader: Any, name: str) -> list[int]:
    """Every document's value in the numeric column `name` as stored (not translated back:
    dates as Whoosh's numbers), in document order, read a segment at a time. One document
    at a time, the dates of 21.6k articles took ~40 ms, most of a date-restricted search in
    a new session."""
    values: list[int] = []
    if reader.doc_count_all() == 0:
        return values  # Whoosh's empty reader has no columns
    for leaf, _offset in reader.leaf_readers():
        column = leaf.column_reader(name, translate=False)
        values.extend(_fixed_width_values(column, leaf.doc_count_all()))
    return values


def _fixed_width_values(column: Any, documents: int) -> list[int]:
    """A numeric column's values from its bytes in one read: Whoosh 2.7 writes them big-
    endian, one fixed-width value per document up to the last one not the default."""
    try:
        typecode, width, stored = column._typecode, column._fixedlen, column._count
        data = column._dbfile.get(column._basepos, stored * width)
        default = column._default
    except AttributeError:  # not the layout this reads: one value at a time, then
        return list(column)
    numbers = array.array(typecode)
    if numbers.itemsize != width:
        return list(column)
    numbers.frombytes(data)
    if sys.byteorder == "little":
        numbers.byteswap()
    return [*numbers, *([default] * (documents - stored))]


def _fold(
    column: Callable[[str], Any], candidates: list[tuple[int, Any]]
) -> list[tuple[int, Any, list[int]]]:
    """The candidates, in order, with each near-duplicate folded into the first of its
    group: (docnum, score, folded docnums). Reads only the sketch and date columns."""
    sketches, dates, undated = column("sketch"), column("date"), column("undated")
    folder = Folder()
    kept: list[tuple[int, Any, list[int]]] = []
    for docnum, score in candidates:
        date = None if undated[docnum] else dates[docnum]
        repeats = folder.add(unpack_sketch(sketches[docnum]), date)
        if repeats is None:
            kept.append((docnum, score, []))
        else:
            kept[repeats][2].append(docnum)
    return kept


def _reranked(
    searcher: Any, words_query: Any, ranked: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """The first-pass ranking with proximity (and feedback) scores added to each of its
    articles, in the new order. Only these candidates are rescored: the matches stay."""
    words = plain_words(words_query)
    docnums = sorted(docnum for docnum, _ in ranked)
    bonus: dict[int, float] = {}
    if PROXIMITY is not None and len(words) >= 2 and ranked:
        bonus = _proximity_bonus(searcher, words, docnums, *PROXIMITY)
    if FEEDBACK_MIN_WORDS and len(words) >= FEEDBACK_MIN_WORDS and ranked:
        extras = _feedback_clauses(searcher, words_query, set(words))
        if extras:
            for docnum, score in _scores_of(searcher, query.Or(extras), docnums).items():
                bonus[docnum] = bonus.get(docnum, 0.0) + score
    if not bonus:
        return ranked
    order = {docnum: position for position, (docnum, _) in enumerate(ranked)}
    rescored = [(docnum, score + bonus.get(docnum, 0.0)) for docnum, score in ranked]
    return sorted(rescored, key=lambda item: (-item[1], order[item[0]]))


def _proximity_bonus(
    searcher: Any,
    words: list[str],
    docnums: list[int],
    phrase_weight: float,
    window_weight: float,
) -> dict[int, float]:
    """What each of `docnums` (in increasing order) gains when neighbouring query words
    stand close in its body. Sequential dependence, as in Metzler and Croft's model: each
    pair of neighbouring words counts again, in part, as a phrase and within a window of
    PROXIMITY_WINDOW words.

    This scores exactly as Phrase("body", pair, slop, boost=weight) would (the two words'
    BM25 scores times the weight, when the second follows the first within the slop), read
    from the two words' postings at each candidate: Whoosh's span matchers, asked to skip
    to a candidate, work out the spans of every other document on the way to the next
    phrase."""
    reader = searcher.reader()
    bonus: dict[int, float] = {}
    for first, second in zip(words, words[1:], strict=False):
        if ("body", first) not in reader or ("body", second) not in reader:
            continue
        before, after = searcher.postings("body", first), searcher.postings("body", second)
        for docnum in docnums:
            if not (_stand_at(before, docnum) and _stand_at(after, docnum)):
                continue
            gap = _closest_gap(before.value_as("positions"), after.value_as("positions"))
            if gap is None or gap > PROXIMITY_WINDOW:
                continue
            pair_score = before.score() + after.score()
            gained = bonus.get(docnum, 0.0)
            if gap <= 1:
                gained += pair_score * phrase_weight
            bonus[docnum] = gained + pair_score * window_weight
    return bonus


def _stand_at(matcher: Any, docnum: int) -> bool:
    """Move `matcher` to `docnum` if it matches it; whether it does."""
    if matcher.is_active() and matcher.id() < docnum:
        matcher.skip_to(docnum)
    return bool(matcher.is_active() and matcher.id() == docnum)


def _closest_gap(first: list[int], second: list[int]) -> int | None:
    """The fewest positions by which a word at `second` follows one at `first` (both in
    increasing order); None when none follows."""
    closest = None
    for position in second:
        before = bisect.bisect_left(first, position) - 1
        if before >= 0 and (closest is None or position - first[before] < closest):
            closest = position - first[before]
    return closest


def _scores_of(searcher: Any, whoosh_query: Any, docnums: list[int]) -> dict[int, float]:
    """The scores `whoosh_query` gives the documents `docnums` (in increasing order) that it
    matches, found by skipping to each one rather than matching the whole index."""
    matcher = whoosh_query.matcher(searcher, searcher.context())
    scores = {}
    for docnum in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            scores[docnum] = float(matcher.score())
    return scores


def _split_dates(whoosh_query: Any) -> tuple[Any, list[Any]]:
    """The query without its top-level date clauses (`date:2025-05 oil`), and those
    clauses: dates are applied as a filter from the date column, which is far faster than
    Whoosh's numeric range terms."""
    if isinstance(whoosh_query, query.AndNot):
        positive, dates = _split_dates(whoosh_query.a)
        return query.AndNot(positive, whoosh_query.b), dates
    if not isinstance(whoosh_query, query.And):
        return whoosh_query, []
    dates = [c for c in whoosh_query.children() if _is_date_range(c)]
    if not dates:
        return whoosh_query, []
    rest = [c for c in whoosh_query.children() if not _is_date_range(c)]
    if not rest:
        return query.Every(), dates
    return (rest[0] if len(rest) == 1 else query.And(rest)), dates


def _is_date_range(node: Any) -> bool:
    return isinstance(node, query.NumericRange) and node.fieldname == "date"


def _as_number(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return int(datetime_to_long(value))


# A prefix or fuzzy word standing for more index terms than this is not scored term by term.
MAX_SCORED_EXPANSION = 64


def _for_scoring(node: Any, reader: Any) -> Any:
    """`node` as it is scored: every OR as a tree of union matchers, and every prefix or
    fuzzy word as an OR of the index terms it stands for, each scored by BM25.

    Left to itself, Whoosh picks how to score an OR by the size of each index segment:
    on segments of 5,000 articles or fewer it preloads an OR of three or more clauses
    into an array, which inside an AndMaybe scores wrongly (seen: a fifth of the true
    scores), and which gives a prefix's words a constant score where the union scores
    them by BM25. Ranking would then depend on how the index happens to be cut into
    segments (one large run, or many small updates)."""
    if isinstance(node, query.MultiTerm) and not isinstance(node, query.Every):
        terms = [
            query.Term(fieldname, text, boost=node.boost)
            for fieldname, text in itertools.islice(
                node.expanded_terms(reader), MAX_SCORED_EXPANSION + 1
            )
        ]
        if not terms:
            return query.NullQuery
        if len(terms) > MAX_SCORED_EXPANSION:
            # `s*`: thousands of words, each scored, would take seconds and rank nothing
            # useful; Whoosh's own matcher is left to it (a known limit, see above).
            return node
        expanded = query.Or(terms) if len(terms) > 1 else terms[0]
        return _for_scoring(expanded, reader)
    if node.is_leaf():
        return node
    if isinstance(node, query.CompoundQuery):
        # A shallow copy keeps what `apply` would drop (an OR's minmatch and scale).
        node = copy.copy(node)
        node.subqueries = [_for_scoring(child, reader) for child in node.subqueries]
        if isinstance(node, query.Or):
            node.matcher_type = query.Or.DEFAULT_MATCHER
        return node
    return node.apply(lambda child: _for_scoring(child, reader))


def _feedback_clauses(searcher: Any, matching: Any, words: set[str]) -> list[Any]:
    # RM3-style expansion: the terms that distinguish the best first-pass articles (Bo1
    # weights), added with a fraction of the query's weight.
    top = [hit.docnum for hit in searcher.search(matching, limit=FEEDBACK_DOCS)]
    if len(top) < FEEDBACK_DOCS:
        return []
    expansion = [
        (term, weight)
        for term, weight in searcher.key_terms(top, "body", numterms=FEEDBACK_TERMS + len(words))
        if term not in words
    ][:FEEDBACK_TERMS]
    return [query.Term("body", term, boost=FEEDBACK_WEIGHT * weight) for term, weight in expansion]


def _relaxed_notice(total: int) -> str:
    if total == 0:
        have = "no article has"
    else:
        have = "only " + plural(total, "article has", "articles have")
    return f"{have} all the words; showing those with most of them (--all: every word)"


def _highlight_terms(whoosh_query: Any, reader: Any) -> dict[str, frozenset[str]]:
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


def _hit(
    rank: int,
    stored: dict[str, Any],
    score: float | None,
    terms: dict[str, frozenset[str]],
    request: SearchRequest,
    duplicates: tuple[str, ...] = (),
) -> Hit:
    article = _stored_article(stored)
    return Hit(
        rank=rank,
        id=article.id,
        path=article.path,
        title=article.title,
        title_spans=tuple(match_spans(article.title, terms["title"] | terms["body"])),
        date=article.date,
        source=article.source,
        url=article.url,
        tags=article.tags,
        score=score,
        snippets=tuple(
            make_snippets(article.body, terms["body"], request.snippets, request.snippet_chars)
        ),
        duplicates=duplicates,
    )


def _matches(searcher: Any, whoosh_query: Any) -> Iterator[int]:
    """The documents `whoosh_query` matches, in order, found one at a time: Whoosh's own
    `docs()` builds the whole set of an AND's matches first, even to count ten."""
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        deleted = reader.has_deletions()
        matcher = whoosh_query.matcher(leaf, leaf.boolean_context())
        while matcher.is_active():
            docnum = matcher.id()
            if not (deleted and reader.is_deleted(docnum)):
                yield docnum + offset
            matcher.next()


def _stored_article(stored: dict[str, Any]) -> StoredArticle:
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
    )


def _docnums(searcher: Any, target: str) -> list[int]:
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


def _time_buckets(values: list[dt.datetime], facet: Facet) -> list[tuple[str, int]]:
    width = 4 if facet is Facet.YEAR else 7  # "2025" or "2025-05"
    counts = Counter(value.isoformat()[:width] for value in values)
    if not counts:
        return []
    buckets = _all_buckets(min(counts), max(counts), facet)
    return [(bucket, counts.get(bucket, 0)) for bucket in buckets]


def _all_buckets(first: str, last: str, facet: Facet) -> Iterator[str]:
    if facet is Facet.YEAR:
        yield from (f"{year:04d}" for year in range(int(first), int(last) + 1))
        return
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
