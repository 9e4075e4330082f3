"""Phrases scored term at a time: the articles where a phrase's words stand in order within
its slop, each scored as Whoosh's phrase matcher scores it — the sum of its words' BM25 in
that field — from the words' postings read a block at a time.

Whoosh matches a phrase through span matchers that intersect the words' postings a posting
at a time and work out every candidate's spans in Python objects. Here the rarest word's
postings are read first, each next word's are kept only where the articles so far hold
it, and positions are decoded only for articles holding every word. Which articles match
follows Whoosh's `SpanNear2` (ordered, at least one and at most `slop` positions between
neighbours), so the matches are the same.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import query

from newsgrep.engine.postings import (
    BYTE_LENGTHS,
    Lengths,
    deleted,
    few,
    positioned,
    posting_blocks,
)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase's words (index terms) in one field, as Whoosh's Phrase query has them."""

    words: tuple[str, ...]
    slop: int


def phrase_of(node: Any) -> Phrase | None:
    """The phrase of a Whoosh Phrase query of two or more words; None for anything else."""
    if type(node) is not query.Phrase or len(node.words) < 2:
        return None
    return Phrase(tuple(node.words), node.slop)


# (factor, normalisation) per word: its score is factor·tf / (tf + constant + per_length·length)
Weights = list[tuple[float, tuple[float, float]]]


def add_phrase(
    searcher: Any,
    field: str,
    phrase: Phrase,
    weights: Weights,
    scores: dict[int, float],
    lengths: Lengths,
    touched: set[int] | None,
    only: set[int] | None = None,
) -> None:
    """Add each live article's score for `phrase` in `field` (its words' BM25 with
    `weights`, summed); the articles go into `touched` too, if given. With `only`, just
    those articles are looked up."""
    raw = [word.encode("utf-8") for word in phrase.words]
    field_format = searcher.schema[field].format
    get = scores.get
    for leaf, offset in searcher.reader().leaf_readers():
        if any((field, word) not in leaf for word in raw):
            continue  # as Whoosh's phrase matcher: a word the segment lacks, no match
        gone = deleted(leaf)
        wanted = None
        if only is not None:
            wanted = {d - offset for d in only if offset <= d < offset + leaf.doc_count_all()}
        holding = _holding_every_word(leaf, field, raw, wanted)
        length_bytes = lengths.of(leaf, field)
        scaled = [
            [per_length * (length or 1) for length in BYTE_LENGTHS]
            for _, (_, per_length) in weights
        ]
        for docnum, postings in holding.items():
            if docnum in gone:
                continue
            positions = [field_format.decode_as("positions", value) for _, value in postings]
            if not _in_order(positions, phrase.slop):
                continue
            byte = length_bytes[docnum]
            score = 0.0
            for (tf, _), (factor, (constant, _)), scale in zip(
                postings, weights, scaled, strict=True
            ):
                score += factor * tf / (tf + constant + scale[byte])
            scores[docnum + offset] = get(docnum + offset, 0.0) + score
            if touched is not None:
                touched.add(docnum + offset)


def _holding_every_word(
    leaf: Any, field: str, words: list[bytes], wanted: set[int] | None
) -> dict[int, list[tuple[float, bytes]]]:
    """The segment's articles (of `wanted`, if given) holding every word, with each word's
    (weight, value) there in the phrase's order: the rarest word read first."""
    held = [leaf.doc_frequency(field, word) for word in words]
    found: dict[int, list[tuple[float, bytes] | None]] | None = None
    for position in sorted(range(len(words)), key=lambda n: held[n]):
        among = wanted if found is None else found.keys()
        fresh: dict[int, list[tuple[float, bytes] | None]] = {}
        matcher = leaf.postings(field, words[position])
        for docnum, weight, value in _postings_with_values(matcher, among, held[position]):
            postings: list[tuple[float, bytes] | None] = (
                [None] * len(words) if found is None else found[docnum]
            )
            postings[position] = (weight, value)
            fresh[docnum] = postings
        found = fresh
        if not found:
            return {}
    assert found is not None
    return {docnum: [p for p in postings if p is not None] for docnum, postings in found.items()}


def _postings_with_values(
    matcher: Any, among: Any, held: int
) -> Iterator[tuple[int, float, bytes]]:
    """(docnum, weight, value) of the term's postings (only of the docnums `among`, if
    given); deleted articles are the caller's to skip."""
    inner = getattr(matcher, "child", matcher)  # Whoosh filters deletions with a wrapper
    if few(among, held):
        for docnum in positioned(inner, sorted(among)):
            yield docnum, inner.weight(), inner.value()
        return
    for ids, weights, values in posting_blocks(inner):
        for where, docnum in enumerate(ids):
            if among is None or docnum in among:
                yield docnum, weights[where], values[where]


def _in_order(positions: list[list[int]], slop: int) -> bool:
    """Whether each word stands 1 to `slop` positions after the span of the ones before
    it, as Whoosh's SpanNear2 (ordered, mindist 1) joins spans; `positions` ascending."""
    spans = [(start, start) for start in positions[0]]
    for later in positions[1:]:
        joined = set()
        for start, end in spans:
            for position in later[bisect.bisect_right(later, end) :]:
                if position > end + slop:
                    break
                joined.add((start, position))
        if not joined:
            return False
        spans = sorted(joined)
    return True
