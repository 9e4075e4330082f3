"""The index's words, as "did you mean" (`text.spelling`) asks about them: how often a term
occurs, terms near a misspelt one, terms with a beginning, and the texts that hold one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class Vocabulary:
    """The terms of one open searcher's index (see `text.spelling.Vocabulary`)."""

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher

    def frequency(self, field: str, term: str) -> int:
        """How many articles hold `term` in `field`."""
        return int(self._searcher.doc_frequency(field, term))

    def near(self, field: str, term: str, *, max_edits: int, prefix: int, limit: int) -> list[str]:
        """Up to `limit` terms of `field` within `max_edits` of `term` that share its first
        `prefix` characters, most frequent first."""
        corrector = self._searcher.corrector(field)
        return list(corrector.suggest(term, limit=limit, maxdist=max_edits, prefix=prefix))

    def starting_with(self, field: str, beginning: str) -> Iterator[str]:
        """The terms of `field` that begin with `beginning`, in order."""
        for raw in self._searcher.reader().expand_prefix(field, beginning):
            yield raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)

    def texts_with(self, field: str, term: str, limit: int) -> Iterator[str]:
        """The text of `field` in the first `limit` articles that hold `term` there."""
        reader = self._searcher.reader()
        if not reader.doc_frequency(field, term):
            return
        postings = reader.postings(field, term)
        for _ in range(limit):
            if not postings.is_active():
                break
            yield self._searcher.stored_fields(postings.id()).get(field) or ""
            postings.next()
