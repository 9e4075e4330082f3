"""Ranking: BM25F as newsgrep scores it, the query as it is scored, the proximity rerank of
the best candidates, and matching without scoring.

The first pass scores every match by BM25F over title and body (the title weighted by its
field boost in the schema). The best `rerank_depth` candidates are then rescored with a
proximity bonus for neighbouring query words that stand close (Metzler and Croft's
sequential dependence), read from the words' postings.
"""

from __future__ import annotations

import bisect
import copy
import heapq
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from whoosh import matching, query, scoring
from whoosh.query.compound import BinaryQuery

from newsgrep.engine.languages import readings_of
from newsgrep.engine.postings import BYTE_LENGTHS, Lengths, ReadBlocks
from newsgrep.engine.query import plain_words
from newsgrep.engine.statistics import LiveStats
from newsgrep.model import Idf, RankingSettings


class LiveBM25F(scoring.BM25F):  # type: ignore[misc]
    """Whoosh's BM25F over the statistics of live articles (`statistics.LiveStats`), with
    the idf the settings name (`model.Idf`). The statistics come from `stats()`, asked
    when the first term is scored."""

    def __init__(self, settings: RankingSettings, stats: Callable[[], LiveStats]) -> None:
        super().__init__(B=settings.b, K1=settings.k1)
        self._settings = settings
        self._stats = stats

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        stats = self._stats()
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        return _LiveScorer(
            searcher,
            fieldname,
            text,
            idf=self._idf(stats, fieldname, term),
            average_length=stats.average_length(fieldname),
            b=self._field_B.get(fieldname, self.B),
            k1=self.K1,
        )

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        return self._idf(self._stats(), fieldname, term)

    def _idf(self, stats: LiveStats, fieldname: str, term: str) -> float:
        return idf(self._settings, stats.doc_count, stats.doc_frequency(fieldname, term))


def idf(settings: RankingSettings, total: int, n: int) -> float:
    """How much a word held by `n` of `total` articles weighs (see `model.Idf`)."""
    if settings.idf is Idf.CLAMPED:
        return max(settings.idf_floor, math.log((total - n + 0.5) / (n + 0.5)))
    if settings.idf is Idf.LUCENE:
        return math.log(1 + (total - n + 0.5) / (n + 0.5))
    return math.log(total / (n + 1)) + 1


class _LiveScorer(scoring.WeightLengthScorer):  # type: ignore[misc]
    """Whoosh's BM25F scorer, given its idf and average field length."""

    def __init__(
        self,
        searcher: Any,
        fieldname: str,
        text: Any,
        *,
        idf: float,
        average_length: float,
        b: float,
        k1: float,
    ) -> None:
        self.idf, self.avgfl, self.B, self.K1 = idf, average_length, b, k1
        self.setup(searcher, fieldname, text)

    def _score(self, weight: float, length: float) -> float:
        return float(scoring.bm25(self.idf, weight, length, self.avgfl, self.B, self.K1))


def best_matches(
    searcher: Any,
    whoosh_query: Any,
    *,
    limit: int | None,
    ordinals: Sequence[int],
    allowed: set[int] | None = None,
    excluded: set[int] | None = None,
) -> tuple[list[tuple[int, float]], int]:
    """The `limit` best-scoring articles `whoosh_query` matches (every one: None), as
    (docnum, score) best first, and how many match in all. Equal scores are ordered by the
    articles' ordinals, never by where Whoosh happens to hold them, so any index of the
    same files ranks alike."""
    context = searcher.context()
    heap: list[tuple[float, int, int]] = []
    total = 0
    for leaf, offset in searcher.leaf_searchers():
        matcher = whoosh_query.matcher(leaf, context)
        while matcher.is_active():
            docnum = matcher.id() + offset
            if (allowed is None or docnum in allowed) and (
                excluded is None or docnum not in excluded
            ):
                total += 1
                item = (float(matcher.score()), -ordinals[docnum], docnum)
                if limit is None or len(heap) < limit:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
            matcher.next()
    ranked = sorted(heap, reverse=True)
    return [(docnum, score) for score, _, docnum in ranked], total


def first_by(
    docnums: Iterator[int], key: Callable[[int], tuple[int, ...]], limit: int | None
) -> tuple[list[int], int]:
    """The `limit` first of `docnums` in the order of `key` (every one: None), and how
    many there were."""
    keyed = [(key(docnum), docnum) for docnum in docnums]
    chosen = sorted(keyed) if limit is None else heapq.nsmallest(limit, keyed)
    return [docnum for _, docnum in chosen], len(keyed)


def ranking_model(settings: RankingSettings, stats: Callable[[], LiveStats]) -> Any:
    """BM25F with the settings' k1 and b over live statistics; the title's weight comes
    from its field boost in the schema."""
    return LiveBM25F(settings, stats)


PROXIMITY_FIELD = "body"  # where neighbouring query words count again (see _proximity_bonus)


def reranked(
    searcher: Any,
    words_query: Any,
    ranked: list[tuple[int, float]],
    settings: RankingSettings,
    blocks: ReadBlocks | None = None,
    stats: Callable[[], LiveStats] | None = None,
    lengths: Lengths | None = None,
) -> list[tuple[int, float]]:
    """The first-pass ranking with proximity scores added to each of its articles, in the
    new order. Only these candidates are rescored: the matches stay. The words' positions
    come from the `blocks` the first pass read where it read them (scored over `stats`
    and `lengths` as Whoosh's scorer would), else from their postings."""
    # Each language's reading of the query has its own words (see `engine.languages`).
    pairs = {
        pair: None
        for reading in readings_of(words_query)
        for words in [plain_words(reading)]
        for pair in zip(words, words[1:], strict=False)
    }
    if settings.proximity is None or not pairs or not ranked:
        return ranked
    docnums = sorted(docnum for docnum, _ in ranked)
    kept = None
    if blocks is not None and stats is not None and lengths is not None:
        kept = _KeptPostings(searcher, blocks, settings, stats(), lengths)
    bonus = _proximity_bonus(searcher, list(pairs), docnums, settings, kept)
    if not bonus:
        return ranked
    order = {docnum: position for position, (docnum, _) in enumerate(ranked)}
    rescored = [(docnum, score + bonus.get(docnum, 0.0)) for docnum, score in ranked]
    return sorted(rescored, key=lambda item: (-item[1], order[item[0]]))


def _proximity_bonus(
    searcher: Any,
    pairs: list[tuple[str, str]],
    docnums: list[int],
    settings: RankingSettings,
    kept: _KeptPostings | None = None,
) -> dict[int, float]:
    """What each of `docnums` (in increasing order) gains when neighbouring query words
    (`pairs`) stand close in its body. Sequential dependence, as in Metzler and Croft's model: each
    pair of neighbouring words counts again, in part, as a phrase and within a window of
    `settings.proximity_window` words.

    This scores exactly as Phrase("body", pair, slop, boost=weight) would (the two words'
    BM25 scores times the weight, when the second follows the first within the slop), read
    from the two words' postings at each candidate: Whoosh's span matchers, asked to skip
    to a candidate, work out the spans of every other document on the way to the next
    phrase."""
    assert settings.proximity is not None
    phrase_weight, window_weight = settings.proximity
    # Each word's positions and score at each candidate, read once (a word stands in two
    # pairs).
    words = dict.fromkeys(word for pair in pairs for word in pair)
    at = {}
    for word in words:
        found = kept.at(word, docnums) if kept is not None else None
        at[word] = _at_candidates(searcher, word, docnums) if found is None else found
    bonus: dict[int, float] = {}
    for first, second in pairs:
        before, after = at[first], at[second]
        for docnum in docnums:
            if docnum not in before or docnum not in after:
                continue
            (positions, score), (later, later_score) = before[docnum], after[docnum]
            gap = _closest_gap(positions, later)
            if gap is None or gap > settings.proximity_window:
                continue
            pair_score = score + later_score
            gained = bonus.get(docnum, 0.0)
            if gap <= 1:
                gained += pair_score * phrase_weight
            bonus[docnum] = gained + pair_score * window_weight
    return bonus


def _at_candidates(
    searcher: Any, word: str, docnums: list[int]
) -> dict[int, tuple[list[int], float]]:
    """The body positions and BM25 score of `word` at each of `docnums` that holds it."""
    if (PROXIMITY_FIELD, word) not in searcher.reader():
        return {}
    postings = searcher.postings(PROXIMITY_FIELD, word)
    found = {}
    for docnum in docnums:
        if _stand_at(postings, docnum):
            found[docnum] = (postings.value_as("positions"), float(postings.score()))
    return found


class _KeptPostings:
    """A word's body positions and BM25 score at the candidates, from the blocks of its
    postings the first pass read (`postings.ReadBlocks`), scored as `_LiveScorer` does."""

    def __init__(
        self,
        searcher: Any,
        blocks: ReadBlocks,
        settings: RankingSettings,
        stats: LiveStats,
        lengths: Lengths,
    ) -> None:
        self._leaves = list(searcher.reader().leaf_readers())
        self._format = searcher.schema[PROXIMITY_FIELD].format
        self._blocks, self._settings, self._stats, self._lengths = blocks, settings, stats, lengths

    def at(self, word: str, docnums: list[int]) -> dict[int, tuple[list[int], float]] | None:
        """As `_at_candidates`; None unless the first pass read all of the word's blocks."""
        raw = word.encode("utf-8")
        held = [(leaf, offset) for leaf, offset in self._leaves if (PROXIMITY_FIELD, raw) in leaf]
        if not held or not all(
            self._blocks.holds(PROXIMITY_FIELD, word, offset) for _, offset in held
        ):
            return None
        stats, settings = self._stats, self._settings
        weight = idf(settings, stats.doc_count, stats.doc_frequency(PROXIMITY_FIELD, word))
        average = stats.average_length(PROXIMITY_FIELD)
        found = {}
        for docnum in docnums:
            leaf, offset = _leaf_of(held, docnum)
            if leaf is None or docnum - offset >= leaf.doc_count_all():
                continue
            posting = self._blocks.posting(PROXIMITY_FIELD, word, offset, docnum - offset)
            if posting is None:
                continue
            tf, value = posting
            length = BYTE_LENGTHS[self._lengths.of(leaf, PROXIMITY_FIELD)[docnum - offset]] or 1
            score = scoring.bm25(weight, tf, length, average, settings.b, settings.k1)
            found[docnum] = (self._format.decode_as("positions", value), float(score))
        return found


def _leaf_of(leaves: list[tuple[Any, int]], docnum: int) -> tuple[Any, int]:
    """The segment (of `leaves`, by first docnum) that `docnum` would be in."""
    chosen: tuple[Any, int] = (None, 0)
    for leaf, offset in leaves:
        if offset > docnum:
            break
        chosen = (leaf, offset)
    return chosen


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


# A prefix or fuzzy word standing for more index terms than this is not scored term by term.
MAX_SCORED_EXPANSION = 64


def for_scoring(node: Any, reader: Any, stats: LiveStats) -> Any:
    """`node` as it is scored, the same whatever segments the index is cut into:

    - every AND and OR as a tree of matchers in the order of its clauses (Whoosh shapes
      the tree by the size of each segment's postings, which changes the order scores are
      added in; on segments of 5,000 articles or fewer it even preloads an OR of three or
      more clauses into an array, which inside an AndMaybe scores wrongly);
    - the coordination of a relaxed OR counted over the query's words, not each
      segment's terms (see `_WordCoordMatcher`);
    - every prefix or fuzzy word as an OR of the live index terms it stands for, each
      scored by BM25; one standing for more than MAX_SCORED_EXPANSION terms (`s*`) gets
      one constant score, as scoring thousands of words would take seconds and rank
      nothing useful."""
    if isinstance(node, query.MultiTerm) and not isinstance(node, query.Every):
        terms = [
            query.Term(fieldname, text, boost=node.boost)
            for fieldname, text in itertools.islice(
                _live_terms(node.expanded_terms(reader), stats), MAX_SCORED_EXPANSION + 1
            )
        ]
        if not terms:
            return query.NullQuery
        if len(terms) > MAX_SCORED_EXPANSION:
            return query.ConstantScoreQuery(node, node.boost)
        expanded = query.Or(terms) if len(terms) > 1 else terms[0]
        return for_scoring(expanded, reader, stats)
    if node.is_leaf():
        return node
    if type(node) is query.And:
        children = [for_scoring(child, reader, stats) for child in node.subqueries]
        return InOrderAnd(children, boost=node.boost)
    if type(node) is query.Or:
        children = [for_scoring(child, reader, stats) for child in node.subqueries]
        return InOrderOr(children, boost=node.boost, minmatch=node.minmatch, scale=node.scale)
    if isinstance(node, BinaryQuery):  # AndNot, AndMaybe…: their matcher reads a and b
        return node.apply(lambda child: for_scoring(child, reader, stats))
    if isinstance(node, query.CompoundQuery):
        node = copy.copy(node)
        node.subqueries = [for_scoring(child, reader, stats) for child in node.subqueries]
        return node
    return node.apply(lambda child: for_scoring(child, reader, stats))


class InOrderAnd(query.And):  # type: ignore[misc]
    """An AND scored as a tree of matchers in the order of its clauses (`for_scoring`)."""

    def _matcher(self, subs: list[Any], searcher: Any, context: Any) -> Any:
        return self._tree_matcher(subs, matching.IntersectionMatcher, searcher, context, None)


class InOrderOr(query.Or):  # type: ignore[misc]
    """An OR scored as a tree of matchers in the order of its clauses (`for_scoring`)."""

    def _matcher(self, subs: list[Any], searcher: Any, context: Any) -> Any:
        matcher = self._tree_matcher(subs, matching.UnionMatcher, searcher, context, None)
        if self.scale and any(matcher.term_matchers()):
            groups = [_terms_of(sub, searcher.schema) for sub in subs]
            matcher = _WordCoordMatcher(matcher, groups)
        return matcher


class _WordCoordMatcher(matching.WrappingMatcher):  # type: ignore[misc]
    """Lucene's classic coordination: BM25's sum times the share of the OR's clauses (the
    query's words) an article has, counted over the query — Whoosh's CoordMatcher counts
    the term matchers of each segment, and scores 0 where only one of them is present."""

    def __init__(self, child: Any, groups: list[frozenset[tuple[str, bytes]]]) -> None:
        super().__init__(child)
        self._groups = groups

    def _replacement(self, newchild: Any) -> Any:
        return self.__class__(newchild, self._groups)

    def supports_block_quality(self) -> bool:
        return False

    def score(self) -> float:
        found = set(self.child.matching_terms())
        matched = sum(1 for group in self._groups if group & found)
        return float(self.child.score() * matched / len(self._groups))


def _terms_of(node: Any, schema: Any) -> frozenset[tuple[str, bytes]]:
    return frozenset(
        (field, text if isinstance(text, bytes) else schema[field].to_bytes(text))
        for field, text in node.iter_all_terms()
        if field in schema
    )


def matches(searcher: Any, whoosh_query: Any) -> Iterator[int]:
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


def _live_terms(terms: Iterable[tuple[str, Any]], stats: LiveStats) -> Iterator[tuple[str, Any]]:
    """The index terms a prefix or fuzzy word stands for that some live article holds (a
    term held only by deleted articles stays in Whoosh's term list until a merge)."""
    for fieldname, text in terms:
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        if stats.doc_frequency(fieldname, term) > 0:
            yield fieldname, text
