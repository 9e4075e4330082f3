"""The index's words, as "did you mean" (`text.spelling`) asks about them: how often a term
occurs, terms near a misspelt one, terms with a beginning, and the texts that hold one —
over live articles only, so that an updated index suggests as a fresh build would."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from typing import Any

from newsgrep.engine.columns import Columns
from newsgrep.engine.disjunction import postings
from newsgrep.engine.statistics import LiveStats


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
        the order of their ordinals. (The postings are read a block at a time and the
        ordinals from the session's column: a common word's thousands of holders cost
        about a millisecond, not tens.)"""
        raw = term.encode("utf-8")
        holders: list[int] = []
        for leaf, offset in self._searcher.reader().leaf_readers():
            if (field, raw) not in leaf:
                continue
            gone = frozenset(leaf.segment().deleted_docs()) if leaf.has_deletions() else ()
            holders.extend(
                docnum + offset
                for docnum, _ in postings(leaf.postings(field, raw))
                if docnum not in gone
            )
        ordinals = self._columns.ordinals()
        for docnum in heapq.nsmallest(limit, holders, key=ordinals.__getitem__):
            yield self._searcher.stored_fields(docnum).get(field) or ""
