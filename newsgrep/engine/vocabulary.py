"""The index's words, as "did you mean" (`text.spelling`) asks about them: how often a term
occurs, terms near a misspelt one, terms with a beginning, and the texts that hold one —
over live articles only, so that an updated index suggests as a fresh build would."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from typing import Any

from newsgrep.engine.columns import Columns
from newsgrep.engine.postings import deleted, holders, positioned
from newsgrep.engine.statistics import LiveStats

# Looking up whether each article of a batch holds a term costs about as much, per article,
# as reading one of its postings (measured at 21.6k: batches win above ~450 holders).
_LOOK_UP_COST = 1


class Vocabulary:
    """The terms of one open searcher's index (see `text.spelling.Vocabulary`)."""

    def __init__(self, searcher: Any, stats: LiveStats, columns: Columns) -> None:
        self._searcher = searcher
        self._stats = stats
        self._columns = columns
        self._terms: dict[tuple[str, str], list[str]] = {}
        self._listed: dict[tuple[str, str], frozenset[str]] = {}

    def frequency(self, field: str, term: str) -> int:
        """How many live articles hold `term` in `field` (none, without asking the index,
        when the field's terms of its first letter are read and it is not one of them)."""
        listed = self._listed.get((field, term[:1]))
        if listed is not None and term not in listed:
            return 0
        return self._stats.doc_frequency(field, term)

    def terms(self, field: str, beginning: str) -> Sequence[str]:
        """The terms of `field` that begin with `beginning` and some live article holds,
        in order (read once per session)."""
        key = (field, beginning)
        if key not in self._terms:
            raw_terms = self._searcher.reader().expand_prefix(field, beginning)
            found = [
                raw.decode("utf-8") if isinstance(raw, bytes) else str(raw) for raw in raw_terms
            ]
            if self._stats.has_deletions:  # a term only deleted articles held is no word
                found = [term for term in found if self._stats.doc_frequency(field, term) > 0]
            self._terms[key] = found
            if len(beginning) == 1:
                self._listed[key] = frozenset(found)
        return self._terms[key]

    def texts_with(self, field: str, term: str, limit: int) -> Iterator[str]:
        """The text of `field` in the first `limit` live articles that hold `term` there, in
        the order of their ordinals."""
        for docnum in self._first_holders(field, term, limit):
            yield self._searcher.stored_fields(docnum).get(field) or ""

    def _first_holders(self, field: str, term: str, limit: int) -> list[int]:
        """The first `limit` live articles, by ordinal, that hold `term` in `field`. A term
        few articles hold has its postings read whole (a block at a time); one that many
        hold ("said", in most) is looked for in the first articles by ordinal, a batch at a
        time, which reads a few of its blocks instead of all of them: the same articles,
        found at a cost that does not grow with how common the word is."""
        held = self._stats.doc_frequency(field, term)
        if not held:
            return []
        ordinals = self._columns.ordinals()
        # Articles to look at for about twice `limit` holders, if the term is spread evenly.
        batch = 2 * limit * -(-len(ordinals) // held)
        if batch * _LOOK_UP_COST >= held:
            return heapq.nsmallest(limit, self._holders(field, term), key=ordinals.__getitem__)
        order, start, found = self._columns.in_ordinal_order(), 0, list[int]()
        while len(found) < limit and start < len(order):
            among = order[start : start + batch]
            found.extend(sorted(self._holders(field, term, among), key=ordinals.__getitem__))
            start, batch = start + batch, batch * 2
        return found[:limit]

    def _holders(self, field: str, term: str, among: Sequence[int] | None = None) -> list[int]:
        """The live articles that hold `term` in `field` (of those `among`, if given)."""
        leaves = list(self._searcher.reader().leaf_readers())
        if among is None:
            return list(holders(leaves, field, term))
        raw = term.encode("utf-8")
        found: list[int] = []
        for leaf, offset in leaves:
            if (field, raw) not in leaf:
                continue
            gone, postings = deleted(leaf), leaf.postings(field, raw)
            matcher = getattr(postings, "child", postings)  # deletions: `gone`
            end = offset + leaf.doc_count_all()
            wanted = sorted(d - offset for d in among if offset <= d < end)
            found.extend(d + offset for d in positioned(matcher, wanted) if d not in gone)
        return found
