"""Finding and ordering the articles a query selects: whether it relaxes to most words,
which articles pass its dates, the best candidates by score or by date (a query of plain
words, in each language it is read in, scored term at a time; other queries through
Whoosh's matchers), and the proximity rerank. Document numbers in, document numbers out;
`session` makes hits of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from newsgrep.engine.columns import Columns, split_dates
from newsgrep.engine.disjunction import (
    Clause,
    as_query,
    count_all_words,
    expanded_words,
    key_words,
    plain_words,
    score_words,
    word_clauses,
)
from newsgrep.engine.languages import branch_parts, map_readings
from newsgrep.engine.postings import Lengths, ReadBlocks, holders
from newsgrep.engine.query import ParsedQuery
from newsgrep.engine.ranking import best_matches, first_by, for_scoring, matches, reranked
from newsgrep.engine.statistics import LiveStats
from newsgrep.model import Match, RankingSettings, SearchRequest, Sort


class Retriever:
    """Candidates from one session's searcher, columns and statistics."""

    def __init__(
        self,
        searcher: Any,
        columns: Columns,
        stats: Callable[[], LiveStats],
        ranking: RankingSettings,
    ) -> None:
        self._searcher = searcher
        self._columns = columns
        self._live_stats = stats
        self.ranking = ranking
        self._lengths = Lengths()
        self._analyses: dict[tuple[str, ...], set[int]] = {}

    def matching_query(
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

    def candidates(
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

            every_match = self._term_at_a_time(words, allowed, excluded, None, ordered=False)
            if every_match is not None:  # found without Whoosh's matcher tree
                found: Iterator[int] = (docnum for docnum, _ in every_match[0])
            else:
                found = (
                    docnum
                    for docnum in matches(searcher, words)
                    if (allowed is None or docnum in allowed)
                    and (excluded is None or docnum not in excluded)
                )
            chosen, total = first_by(found, by_date, fetch)
            return [(docnum, None) for docnum in chosen], total
        blocks = ReadBlocks()  # the first pass's postings, for the rerank's positions
        quick = self._term_at_a_time(words, allowed, excluded, fetch, blocks)
        if quick is not None:
            ranked, total = quick
        else:
            ranked, total = best_matches(
                searcher,
                for_scoring(words, searcher.reader(), self._live_stats()),
                limit=fetch,
                ordinals=ordinals,
                allowed=allowed,
                excluded=excluded,
            )
        rescored = reranked(
            searcher, words, ranked, self.ranking, blocks, self._live_stats, self._lengths
        )
        return list(rescored), total

    def _term_at_a_time(
        self,
        words: Any,
        allowed: set[int] | None,
        excluded: set[int] | None,
        fetch: int | None,
        blocks: ReadBlocks | None = None,
        *,
        ordered: bool = True,
    ) -> tuple[list[tuple[int, float]], int] | None:
        """The best `fetch` matches of a query of plain words — or of one read in several
        languages whose every reading is one (each scored over its own languages' articles:
        an article is in exactly one) — scored term at a time; None for any other query.
        Not `ordered`: every match, in no order (for a search sorted by date)."""
        parts = branch_parts(words) or [(words, (), True)]
        plain = [self._plain_words(reading) for reading, _, _ in parts]
        if any(found is None for found in plain):
            return None
        ranked: list[tuple[int, float]] = []
        total = 0
        ordinals = self._columns.ordinals()
        for (_, keys, leave_out), found in zip(parts, plain, strict=True):
            assert found is not None
            held = self._of_analyses(keys) if keys else None
            kept, left = allowed, excluded
            if held is not None and leave_out:
                left = held if excluded is None else excluded | held
            elif held is not None:
                kept = held if allowed is None else allowed & held
            some, count = score_words(
                self._searcher,
                found[0],
                stats=self._live_stats(),
                settings=self.ranking,
                lengths=self._lengths,
                ordinals=ordinals,
                allowed=kept,
                excluded=left,
                limit=fetch,
                every=found[1],
                coordinated=found[2],
                blocks=blocks,
                ordered=ordered,
            )
            ranked += some
            total += count
        if ordered and len(parts) > 1:
            ranked.sort(key=lambda item: (-item[1], ordinals[item[0]]))
            ranked = ranked if fetch is None else ranked[:fetch]
        return ranked, total

    def _plain_words(self, reading: Any) -> tuple[list[Clause], bool, bool] | None:
        """The words of a reading of plain words, phrases, and prefix or fuzzy words
        (as the index terms they stand for); None for any other reading."""
        found = plain_words(reading)
        if found is None:
            scored = for_scoring(reading, self._searcher.reader(), self._live_stats())
            found = expanded_words(scored)
        schema = self._searcher.schema
        if found is None or not all(  # scored by BM25 over field lengths (not `tags:`)
            field in schema and schema[field].scorable
            for _, terms in found[0]
            for field, _, _ in terms
        ):
            return None
        return found

    def _of_analyses(self, keys: tuple[str, ...]) -> set[int]:
        """The live articles indexed in one of the analyses `keys`."""
        if keys not in self._analyses:
            found: set[int] = set()
            leaves = list(self._searcher.reader().leaf_readers())
            for key in keys:  # the term's postings (of live articles), without a matcher tree
                found.update(holders(leaves, "analysis", key))
            self._analyses[keys] = found
        return self._analyses[keys]

    def key_words(self, matching: Any) -> Any:
        """An OR of more plain words than the settings keep, cut to its key words (in
        each language's reading of it)."""
        if not self.ranking.key_terms:
            return matching
        return map_readings(matching, self._key_words_of)

    def _key_words_of(self, reading: Any) -> Any:
        plain = word_clauses(reading)
        if plain is None or len(plain) <= self.ranking.key_terms:
            return reading
        return as_query(key_words(plain, self._live_stats(), self.ranking.key_terms))

    def _count(self, whoosh_query: Any, allowed: set[int] | None, *, up_to: int) -> int:
        """How many articles match, without scoring them, counting no further than `up_to`."""
        words, allowed = self.without_dates(whoosh_query, allowed)
        quick = self._count_all_words(words, allowed, up_to)
        if quick is not None:
            return quick
        count = 0
        for docnum in matches(self._searcher, words):
            if allowed is None or docnum in allowed:
                count += 1
                if count == up_to:
                    break
        return count

    def _count_all_words(self, words: Any, allowed: set[int] | None, up_to: int) -> int | None:
        """`disjunction.count_all_words` for a query of plain words, or for one read in
        several languages, each reading counted over its own languages' articles (an
        article is in exactly one); None for any other query."""
        stats = self._live_stats()
        parts = branch_parts(words)
        if parts is None:
            return count_all_words(self._searcher, words, stats, allowed, up_to)
        count = 0
        for reading, keys, leave_out in parts:
            held = self._of_analyses(keys) if keys else None
            kept, left = allowed, None
            if held is not None and leave_out:
                left = held
            elif held is not None:
                kept = held if allowed is None else allowed & held
            found = count_all_words(self._searcher, reading, stats, kept, up_to - count, left)
            if found is None:
                return None
            count += found
            if count >= up_to:
                break
        return count

    def without_dates(
        self, whoosh_query: Any, allowed: set[int] | None
    ) -> tuple[Any, set[int] | None]:
        """The query without its top-level date clauses, and `allowed` narrowed to them."""
        words, date_clauses = split_dates(whoosh_query)
        dates = [self._columns.dates.within(clause.start, clause.end) for clause in date_clauses]
        return words, self._intersect(allowed, dates)

    def date_filter(self, date_filter: Any) -> set[int] | None:
        if date_filter is None:
            return None
        return self._columns.dates.within(date_filter.start, date_filter.end)

    @staticmethod
    def _intersect(first: set[int] | None, others: list[set[int]]) -> set[int] | None:
        for other in others:
            first = other if first is None else first & other
        return first
