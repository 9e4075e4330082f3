"""Collection statistics over live articles only, so that an updated index ranks exactly as
a fresh build of the same files.

Whoosh marks a replaced or removed article as deleted in its segment and keeps its postings
until the segment is merged; its own statistics (document frequencies, term weights, field
lengths, the document count that averages them) still count it. newsgrep does not use them:

- the live document count is Whoosh's `doc_count()`;
- field lengths come from exact per-article length columns (`schema.LENGTH_FIELDS`), summed
  over live articles: Whoosh's totals for a merged segment are sums of lengths it stored
  rounded to a byte;
- a term's live document frequency and weight are Whoosh's less those of the deleted
  articles that hold it. Those are counted once, when a commit deletes an article, from its
  stored text analysed as it was indexed, and written with the commit in
  `deletions-<N>.json` (per segment: its deleted articles and the counts of their terms),
  before the table of contents of generation N. A session reads the file of the
  generation it opened only when some segment has deletions.

If the file is missing (an index from an interrupted commit cannot have one: it is written
first), the counts are made again from the stored text of the deleted articles.
"""

from __future__ import annotations

import array
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from math import log
from pathlib import Path
from typing import Any

from newsgrep.durable import write_atomically
from newsgrep.engine.schema import LENGTH_FIELDS, analysis_of, indexed_values

PREFIX = "deletions-"

# Per field, per term: (documents, total weight) of the deleted articles that hold it.
TermCounts = dict[str, dict[str, list[float]]]


def path_of(directory: Path, generation: int) -> Path:
    return directory / f"{PREFIX}{generation}.json"


def generation_of(name: str) -> int | None:
    """The generation a deletions file's name names; None for another file."""
    if not (name.startswith(PREFIX) and name.endswith(".json")):
        return None
    number = name[len(PREFIX) : -len(".json")]
    return int(number) if number.isdigit() else None


# --- at commit: what the deleted articles of each segment held ----------------------------


def write_deletions(
    directory: Path, storage: Any, schema: Any, generation: int, segments: list[Any]
) -> None:
    """Write the deletions file of `generation` for its `segments`: the counts of the
    previous generation's file are kept for articles already counted, and the articles
    deleted since are read and counted now."""
    previous = _read(path_of(directory, generation - 1)) or {}
    recorded: dict[str, Any] = {}
    for segment in segments:
        if not segment.has_deletions():
            continue
        name = segment.segment_id()
        deleted = sorted(segment.deleted_docs())
        before = previous.get(name)
        if before is not None and set(before["docs"]) <= set(deleted):
            known, counts = set(before["docs"]), before["terms"]
        else:
            known, counts = set(), {}
        new = [docnum for docnum in deleted if docnum not in known]
        if new:
            counts = _add_counts(counts, _stored_documents(storage, schema, segment, new), schema)
        recorded[name] = {"docs": deleted, "terms": counts}
    if recorded:
        text = json.dumps({"segments": recorded}, ensure_ascii=False, separators=(",", ":"))
        write_atomically(path_of(directory, generation), text)


def _stored_documents(
    storage: Any, schema: Any, segment: Any, docnums: list[int]
) -> Iterator[dict[str, Any]]:
    from whoosh.reading import SegmentReader

    reader = SegmentReader(storage, schema, segment)
    try:
        for docnum in docnums:
            yield reader.stored_fields(docnum)
    finally:
        reader.close()


def _add_counts(counts: TermCounts, stored: Iterable[dict[str, Any]], schema: Any) -> TermCounts:
    merged = {field: dict(terms) for field, terms in counts.items()}
    for fields in stored:
        for field, value in indexed_values(fields).items():
            terms = merged.setdefault(field, {})
            for raw, _freq, weight, _value in schema[field].index(value):
                term = raw.decode("utf-8")
                documents, total = terms.get(term, (0, 0.0))
                terms[term] = [documents + 1, total + weight]
    return merged


def _read(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return dict(loaded["segments"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- at search time -----------------------------------------------------------------------


class LiveStats:
    """The statistics BM25F and the key-term model read, over live articles only."""

    def __init__(self, searcher: Any, directory: Path) -> None:
        self._searcher = searcher
        self.doc_count = int(searcher.doc_count())
        self._deleted: dict[str, dict[str, list[float]]] = {}
        self._totals: dict[str, int] = {}
        self._has_deletions = any(leaf.has_deletions() for leaf, _ in _leaves(searcher))
        if self._has_deletions:
            self._deleted = _deleted_counts(searcher, directory)

    @property
    def has_deletions(self) -> bool:
        """Whether any segment holds deleted articles (else Whoosh's counts are live)."""
        return self._has_deletions

    def doc_frequency(self, field: str, term: str) -> int:
        """How many live articles hold `term` in `field`."""
        found = int(self._searcher.doc_frequency(field, term))
        if self._has_deletions and found:
            found -= int(self._deleted_of(field, term)[0])
        return found

    def weight(self, field: str, term: str) -> float:
        """The total weight of `term` in `field` over live articles (Whoosh's `frequency`)."""
        found = float(self._searcher.frequency(field, term))
        if self._has_deletions and found:
            found -= self._deleted_of(field, term)[1]
        return found

    def field_length(self, field: str) -> int:
        """The exact number of terms of `field` over live articles."""
        if field not in self._totals:
            self._totals[field] = _live_total(self._searcher, LENGTH_FIELDS[field])
        return self._totals[field]

    def average_length(self, field: str) -> float:
        """As Whoosh's `avg_field_length`, over live articles (1 when there is none)."""
        return self.field_length(field) / (self.doc_count or 1) or 1

    def _deleted_of(self, field: str, term: str) -> list[float]:
        return self._deleted.get(field, {}).get(term, [0, 0.0])


def _leaves(searcher: Any) -> list[tuple[Any, int]]:
    reader = searcher.reader()
    if reader.doc_count_all() == 0:
        return []
    return list(reader.leaf_readers())


def _deleted_counts(searcher: Any, directory: Path) -> TermCounts:
    """The counts of every deleted article's terms, summed over segments: from the
    deletions file of the opened generation, or made again from their stored text."""
    reader = searcher.reader()
    recorded = _read(path_of(directory, int(reader.generation()))) or {}
    total: TermCounts = {}
    for leaf, _ in _leaves(searcher):
        if not leaf.has_deletions():
            continue
        deleted = sorted(leaf.segment().deleted_docs())
        entry = recorded.get(leaf.segment().segment_id())
        if entry is not None and entry["docs"] == deleted:
            counts = entry["terms"]
        else:
            stored = (leaf.stored_fields(docnum) for docnum in deleted)
            counts = _add_counts({}, stored, leaf.schema)
        for field, terms in counts.items():
            into = total.setdefault(field, {})
            for term, (documents, weight) in terms.items():
                had = into.get(term, [0, 0.0])
                into[term] = [had[0] + documents, had[1] + weight]
    return total


def _live_total(searcher: Any, column: str) -> int:
    """The sum of the numeric column `column` over live articles, read a segment at a time."""
    total = 0
    for leaf, _ in _leaves(searcher):
        values = _column_values(leaf.column_reader(column, translate=False))
        total += sum(values)
        if leaf.has_deletions():
            total -= sum(values[d] for d in leaf.segment().deleted_docs() if d < len(values))
    return total


def _column_values(column: Any) -> Sequence[int]:
    """A numeric column's stored values (Whoosh 2.7 writes them big-endian, up to the last
    one that is not the default: the rest are 0 here, and add nothing to a sum)."""
    try:
        numbers: array.array[int] = array.array(column._typecode)
        numbers.frombytes(column._dbfile.get(column._basepos, column._count * column._fixedlen))
    except AttributeError:  # an empty column, or not the layout this reads
        return [int(value) for value in column]
    if sys.byteorder == "little":
        numbers.byteswap()
    return numbers


# --- the key terms of articles (`similar`) ------------------------------------------------


def key_terms(
    searcher: Any, stats: LiveStats, docnums: list[int], field: str, count: int
) -> list[tuple[str, float]]:
    """The `count` terms of `field` that best tell the articles `docnums` from the rest
    (Amati's Bo1 model, normalised, as Whoosh's `key_terms`), over live articles."""
    schema = searcher.schema
    weights: dict[str, float] = {}
    total = 0.0
    for docnum in docnums:
        stored = searcher.stored_fields(docnum)
        text = stored.get(field)
        if not text:
            continue
        for raw, _freq, weight, _value in schema[field].index((text, analysis_of(stored))):
            term = raw.decode("utf-8")
            weights[term] = weights.get(term, 0.0) + weight
            total += weight
    scored = []
    maxweight = 0.0
    articles = stats.doc_count
    for term, weight in weights.items():
        if stats.doc_frequency(field, term) <= 0:
            continue
        score = _bo1(weight, stats.weight(field, term), articles)
        maxweight = max(maxweight, score)
        scored.append((score, term))
    norm = _bo1_normaliser(maxweight, articles)
    ranked = sorted(((score / norm, term) for score, term in scored), key=lambda x: (-x[0], x[1]))
    return [(term, weight) for weight, term in ranked[:count]]


def _bo1(weight_in_top: float, weight_in_collection: float, articles: int) -> float:
    f = weight_in_collection / articles
    return weight_in_top * log((1.0 + f) / f, 2) + log(1.0 + f, 2)


def _bo1_normaliser(maxweight: float, articles: int) -> float:
    if not maxweight:
        return 1.0  # every score is 0: nothing to scale
    f = maxweight / articles
    return (maxweight * log((1.0 + f) / f) + log(1.0 + f)) / log(2.0)
