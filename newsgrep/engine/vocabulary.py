"""The index's words, as "did you mean" (`text.spelling`) asks about them: how often a term
occurs, terms near a misspelt one, terms with a beginning, and the texts that hold one —
over live articles only, so that an updated index suggests as a fresh build would."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from newsgrep.engine.statistics import LiveStats


class Vocabulary:
    """The terms of one open searcher's index (see `text.spelling.Vocabulary`)."""

    def __init__(self, searcher: Any, stats: LiveStats) -> None:
        self._searcher = searcher
        self._stats = stats

    def frequency(self, field: str, term: str) -> int:
        """How many live articles hold `term` in `field`."""
        return self._stats.doc_frequency(field, term)

    def near(self, field: str, term: str, *, max_edits: int, prefix: int, limit: int) -> list[str]:
        """Up to `limit` terms of `field` within `max_edits` of `term` that share its first
        `prefix` characters, most frequent first (Whoosh's corrector, over live terms)."""
        reader = self._searcher.reader()
        heap: list[tuple[float, str]] = []
        for raw in reader.terms_within(field, term, max_edits, prefix=prefix):
            candidate = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if self._stats.doc_frequency(field, candidate) <= 0:
                continue
            weight = self._stats.weight(field, candidate) or 1
            item = (0 - (max_edits + (1.0 / weight * 0.5)), candidate)
            if len(heap) < limit:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
        return [candidate for _, candidate in sorted(heap, key=lambda x: (0 - x[0], x[1]))]

    def starting_with(self, field: str, beginning: str) -> Iterator[str]:
        """The terms of `field` that begin with `beginning` and some live article holds."""
        for raw in self._searcher.reader().expand_prefix(field, beginning):
            term = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if self._stats.doc_frequency(field, term) > 0:
                yield term

    def texts_with(self, field: str, term: str, limit: int) -> Iterator[str]:
        """The text of `field` in the first `limit` articles that hold `term` there, in
        the order of their ordinals."""
        reader = self._searcher.reader()
        if not reader.doc_frequency(field, term):
            return
        holders = list(reader.postings(field, term).all_ids())
        ordinals = reader.column_reader("ordinal")
        for docnum in sorted(holders, key=lambda d: ordinals[d])[:limit]:
            yield self._searcher.stored_fields(docnum).get(field) or ""
