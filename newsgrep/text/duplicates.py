"""Near-duplicates: wire stories re-sent with small edits, folded into one hit.

Each article gets a MinHash sketch when it is indexed: the SKETCH_SIZE smallest hashes of
its word 3-grams (Broder's bottom-k sketch), which estimates the share of 3-grams two
articles have in common. Two articles are near-duplicates when that resemblance is at
least MIN_RESEMBLANCE and their dates lie at most MAX_DAYS apart, so that a daily report
under the same headline is not taken for a re-send. One changed word in a 300-word story
changes 1 % of its 3-grams; two different stories on one subject share few.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections import defaultdict
from collections.abc import Callable

from newsgrep.text.analysis import index_terms
from newsgrep.text.languages import ENGLISH

SKETCH_SIZE = 16
MIN_RESEMBLANCE = 0.6
MAX_DAYS = 3

Sketch = tuple[int, ...]


def sketch(title: str, body: str, key: str = ENGLISH) -> Sketch:
    """The bottom-k MinHash sketch of the article's word 3-grams (of its index terms in the
    analysis `key` of its language, so case, accents and word forms do not count as
    edits)."""
    return sketch_of_terms(index_terms(title, key) + index_terms(body, key))


def sketch_of_terms(terms: list[str]) -> Sketch:
    """The sketch of an article whose title's and body's index terms, in order, are
    `terms` (what `sketch` computes, for an indexer that has them already)."""
    grams = {" ".join(terms[i : i + 3]) for i in range(max(1, len(terms) - 2))} if terms else set()
    hashes = {zlib.crc32(gram.encode()) for gram in grams}
    return tuple(sorted(hashes)[:SKETCH_SIZE])


# A packed sketch: how many hashes it holds, then SKETCH_SIZE four-byte slots (unused
# ones zero), so that every article's takes the same room and the index column that
# holds them needs no table of offsets to read one.
SKETCH_BYTES = 1 + 4 * SKETCH_SIZE


def pack_sketch(values: Sketch) -> bytes:
    """A sketch as SKETCH_BYTES bytes, as the index column holds it."""
    packed = bytes([len(values)]) + b"".join(value.to_bytes(4, "big") for value in values)
    return packed.ljust(SKETCH_BYTES, b"\0")


_UNPACKERS = [struct.Struct(f">{count}I") for count in range(SKETCH_SIZE + 1)]


def unpack_sketch(data: bytes) -> Sketch:
    """A packed sketch's hashes.

    Raises:
        struct.error: `data` is no packed sketch (a damaged index column).
    """
    count = data[0] if data else 0
    if count > SKETCH_SIZE:
        raise struct.error(f"a sketch of {count} hashes: at most {SKETCH_SIZE} are packed")
    values: Sketch = _UNPACKERS[count].unpack_from(data, 1)
    return values


def resemblance(first: Sketch, second: Sketch) -> float:
    """The estimated share of 3-grams the two articles have in common (0 to 1)."""
    if not first or not second:
        return 0.0
    union = sorted(set(first) | set(second))[: max(len(first), len(second))]
    both = set(first) & set(second)
    return sum(1 for value in union if value in both) / len(union)


class Folder:
    """Hits in rank order in; for each, the position of the earlier kept hit it repeats."""

    __slots__ = ("_by_hash", "_kept")

    def __init__(self) -> None:
        self._kept: list[tuple[Sketch, dt.datetime | None]] = []
        self._by_hash: dict[int, list[int]] = defaultdict(list)

    def add(self, article: Sketch, date: dt.datetime | None) -> int | None:
        """The position (among kept hits) of the hit this one repeats; None when it is
        new, and then it is kept."""
        position = self.repeats(article, lambda: date)
        if position is None:
            self.keep(article, date)
        return position

    def repeats(self, article: Sketch, date_of: Callable[[], dt.datetime | None]) -> int | None:
        """The position (among kept hits) of the first hit this one repeats, or None; its
        date is asked for only when it shares a sketch value with a kept hit."""
        # Near-duplicates share most sketch values, so candidates share at least one.
        by_hash = self._by_hash
        shared = {p for value in article if value in by_hash for p in by_hash[value]}
        if not shared:
            return None
        date = date_of()
        for position in sorted(shared):
            kept, kept_date = self._kept[position]
            if _close_in_time(date, kept_date) and resemblance(article, kept) >= MIN_RESEMBLANCE:
                return position
        return None

    def keep(self, article: Sketch, date: dt.datetime | None) -> None:
        """Keep a hit that repeats none before it."""
        position = len(self._kept)
        self._kept.append((article, date))
        for value in article:
            self._by_hash[value].append(position)


def _close_in_time(first: dt.datetime | None, second: dt.datetime | None) -> bool:
    if first is None or second is None:
        return first is second
    return abs(first - second) <= dt.timedelta(days=MAX_DAYS)
