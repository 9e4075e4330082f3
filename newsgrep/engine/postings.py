"""Postings read a block at a time, and kept for the rest of a query: each article's field
lengths as Whoosh stores them, every posting of a term in one pass over its blocks, a few
articles' postings by skipping to them, and the blocks a query's first pass read, from
which its proximity rerank takes the positions of its candidates.

Whoosh's matchers go a posting at a time, a few Python calls each; its block matcher
(`W3LeafMatcher`) decodes a whole block of ids, weights and positions at once. Reading
through the block gives the same postings for a fraction of the calls, and a block kept
is a block the rerank need not read and unpickle again.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from whoosh.util.numeric import byte_to_length, length_to_byte

Posting = tuple[int, float]  # (docnum in its segment, weight: the term's frequency there)
Block = tuple[int, Sequence[int], Any]  # (last id, ids, the block's (ids, weights, values))


class Lengths:
    """Each article's length in a field as Whoosh stores it — a byte, exact for short
    fields and approximate above — and scores with: the segment's column of bytes, read
    once per segment and field (`BYTE_LENGTHS` gives each byte's length)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], bytes] = {}

    def of(self, leaf: Any, field: str) -> bytes:
        key = (id(leaf), field)
        if key not in self._cache:
            self._cache[key] = _length_bytes(leaf, field)
        return self._cache[key]


BYTE_LENGTHS = tuple(byte_to_length(b) for b in range(256))


def _length_bytes(leaf: Any, field: str) -> bytes:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    count = leaf.doc_count_all()
    try:  # the segment's column of length bytes, in one read
        column = leaf._perdoc.column_reader(_lenfield(field), LENGTHS_COLUMN)
        data = bytes(column._dbfile.get(column._basepos, column._count))
    except (AttributeError, KeyError):  # another layout: one document at a time
        lengths = (leaf.doc_field_length(docnum, field, 0) or 0 for docnum in range(count))
        data = bytes(length_to_byte(length) for length in lengths)
    return data.ljust(count, b"\0")


class ReadBlocks:
    """The blocks of postings one query read in full, per field, term and segment, to be
    asked for single postings afterwards (`posting`)."""

    def __init__(self) -> None:
        # (field, term, the segment's first docnum) → its blocks, in order
        self._blocks: dict[tuple[str, str, int], list[Block]] = {}
        self._complete: set[tuple[str, str, int]] = set()

    def reading(self, field: str, text: str, offset: int) -> list[Block]:
        """Where the blocks of a term's full read in one segment go (started afresh)."""
        key = (field, text, offset)
        self._complete.discard(key)
        self._blocks[key] = []
        return self._blocks[key]

    def done(self, field: str, text: str, offset: int) -> None:
        """The term's blocks in that segment are all kept."""
        self._complete.add((field, text, offset))

    def holds(self, field: str, text: str, offset: int) -> bool:
        return (field, text, offset) in self._complete

    def posting(self, field: str, text: str, offset: int, docnum: int) -> tuple[float, Any] | None:
        """The weight and raw value of the term's posting at `docnum` (in its segment),
        None when the article does not hold it; only for a segment it `holds`."""
        blocks = self._blocks[(field, text, offset)]
        at = bisect.bisect_left(blocks, docnum, key=lambda block: block[0])
        if at == len(blocks):
            return None
        _, ids, data = blocks[at]
        where = bisect.bisect_left(ids, docnum)
        if where == len(ids) or ids[where] != docnum:
            return None
        return _weight(data[1], where), data[2][where]


def _weight(weights: Any, where: int) -> float:
    # As W3LeafMatcher._read_weights reads a block: None when every weight is 1, one float
    # when all are equal.
    if weights is None:
        return 1.0
    if isinstance(weights, float):
        return weights
    return float(weights[where])


# Articles fewer than a word's postings over this are looked up in them, skipping the blocks
# between (`positioned`), rather than every posting read.
LOOKUP_RATIO = 16


def few(articles: Collection[int] | None, held: int) -> bool:
    """Whether `articles` (None: every one) are few enough, against a word `held` by that
    many, to be looked up in its postings rather than all of them read."""
    return articles is not None and len(articles) * LOOKUP_RATIO < held


def block_matcher(matcher: Any) -> Any | None:
    """Whoosh's block matcher under `matcher` (which may filter deletions), else None."""
    inner = getattr(matcher, "child", matcher)
    blocked = hasattr(inner, "_read_ids") and hasattr(inner, "_read_weights")
    variable = getattr(inner, "_fixedsize", None) in (None, -1)  # values one per posting
    return inner if blocked and variable else None


def posting_blocks(
    matcher: Any, kept: list[Block] | None = None
) -> Iterator[tuple[Sequence[int], Sequence[float], Sequence[Any]]]:
    """(docnums, weights, values) of every posting, a block at a time where the matcher is
    Whoosh's block matcher (else one posting at a time); with `kept` (only for a
    `block_matcher`), each block is put there too. Deleted articles are the caller's to
    skip: the block is read from its start."""
    matcher = getattr(matcher, "child", matcher)  # Whoosh filters deletions with a wrapper
    while matcher.is_active():
        if hasattr(matcher, "_read_ids") and hasattr(matcher, "_read_values"):
            ids = _block_ids(matcher)
            matcher._read_weights()
            matcher._read_values()
            if kept is not None:
                kept.append((ids[-1], ids, matcher._data))
            yield ids, matcher._weights, matcher._values
            matcher._next_block()
        else:
            yield (matcher.id(),), (matcher.weight(),), (matcher.value(),)
            matcher.next()


def _block_ids(matcher: Any) -> Sequence[int]:
    """The docnums of the block `matcher` stands on, as Whoosh's `_read_ids` makes them,
    its gaps summed in C (`accumulate`) rather than by Whoosh's generator, a Python step
    per posting."""
    if matcher._ids is None:
        if matcher._data is None:
            matcher._read_data()
        gaps = matcher._data[0]
        matcher._ids = gaps if matcher._byteids else tuple(itertools.accumulate(gaps))
    ids: Sequence[int] = matcher._ids
    return ids


def positioned(matcher: Any, docnums: Iterable[int]) -> Iterator[int]:
    """Each of the ascending `docnums` the term's postings hold, with `matcher` (Whoosh's
    leaf matcher, unwrapped: deleted articles are the caller's to skip) standing on it,
    skipping the blocks between them."""
    for docnum in docnums:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum


def postings_of(matcher: Any, docnums: Iterable[int]) -> Iterator[Posting]:
    """(docnum, weight) of the postings of the ascending `docnums` the term has."""
    matcher = getattr(matcher, "child", matcher)
    for docnum in positioned(matcher, docnums):
        yield docnum, matcher.weight()


def holders(leaves: Iterable[tuple[Any, int]], field: str, text: str) -> Iterator[int]:
    """The live articles of the segments `leaves` ((reader, first docnum) each, as Whoosh's
    `leaf_readers`) holding the term `text` in `field`, in order."""
    raw = text.encode("utf-8")
    for leaf, offset in leaves:
        if (field, raw) not in leaf:
            continue
        gone = deleted(leaf)
        for ids, _, _ in posting_blocks(leaf.postings(field, raw)):
            yield from (docnum + offset for docnum in ids if docnum not in gone)


def deleted(leaf: Any) -> frozenset[int]:
    """The segment's deleted articles (whose postings stay until it is rewritten)."""
    return frozenset(leaf.segment().deleted_docs() if leaf.has_deletions() else ())


def remember_deletions(reader: Any) -> None:
    """Give each segment reader of `reader` its set of deleted articles now, `deleted`'s,
    which its `postings` would otherwise work out on first use through whoosh-reloaded's
    `cached_property`: that asks asyncio whether the getter is a coroutine, and so loads
    asyncio in every search (`engine.deferred`)."""
    for leaf, _ in reader.leaf_readers():
        if "deleted_docs_set" in vars(type(leaf)):
            vars(leaf).setdefault("deleted_docs_set", deleted(leaf))
