"""Columns: the per-document values a search reads without loading stored documents
(dates, the undated flag, near-duplicate sketches), decoded from Whoosh's column bytes, and
what is computed from them: date filters and near-duplicate folding.
"""

from __future__ import annotations

import array
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import Any

from whoosh import query
from whoosh.util.times import datetime_to_long

from newsgrep.text.duplicates import Folder, unpack_sketch

_AS_STORED = ("date", "undated")


class Columns:
    """The per-article columns one session reads, each read once and kept: column readers
    (making one reads the column's whole offset table), whole numeric columns, the
    ordinals that order ties, and the date filter."""

    def __init__(self, reader: Any, schema: Any) -> None:
        self._reader = reader
        self._readers = {
            name: column_of(reader, name)
            for name, field_type in schema.items()
            if field_type.column_type is not None
        }
        # Near-duplicate folding reads the dates of a page of candidates as stored, and
        # turns only those into datetimes (the translating readers cost more per read).
        self._stored = {name: column_of(reader, name, translate=False) for name in _AS_STORED}
        self._numbers: dict[str, Sequence[int]] = {}
        self._by_ordinal: list[int] | None = None
        self._to_date = schema["date"].from_column_value
        # Columns as stored: "undated" 0 is whatever Whoosh writes for 0 (not 0).
        self._dated_mark = schema["undated"].to_column_value(0)
        self.dates = Dates(self.numbers, self._dated_mark)

    def date_of(self, docnum: int) -> dt.datetime | None:
        """The article's date; None when it has none."""
        if self._stored["undated"][docnum] != self._dated_mark:
            return None
        date: dt.datetime = self._to_date(self._stored["date"][docnum])
        return date

    def __call__(self, name: str) -> Any:
        """The reader of column `name` (sketch, date, undated, …), by document number."""
        if name not in self._readers:
            self._readers[name] = column_of(self._reader, name)
        return self._readers[name]

    def numbers(self, name: str) -> Sequence[int]:
        """The numeric column `name` as stored, for every document."""
        if name not in self._numbers:
            self._numbers[name] = numbers(self._reader, name)
        return self._numbers[name]

    def ordinals(self) -> Sequence[int]:
        """Each document's ordinal (see `schema.ordinal`)."""
        return self.numbers("ordinal")

    def in_ordinal_order(self) -> list[int]:
        """Every document number, in the order of their ordinals (made on first use)."""
        if self._by_ordinal is None:
            ordinals = self.ordinals()
            self._by_ordinal = sorted(range(len(ordinals)), key=ordinals.__getitem__)
        return self._by_ordinal

    def in_file_order(self, docnums: list[int]) -> list[int]:
        """`docnums` in the order of their ordinals: a file's articles as the file has them."""
        ordinals = self.ordinals()
        return sorted(docnums, key=lambda docnum: ordinals[docnum])


class Dates:
    """The articles dated within a span, read from the date column once and kept per
    span: dates are applied as a filter, far faster than Whoosh's numeric range terms."""

    def __init__(self, numbers: Callable[[str], Sequence[int]], dated_mark: int) -> None:
        self._numbers = numbers  # the session's numeric columns (`Columns.numbers`)
        self._dated_mark = dated_mark
        self._column: list[tuple[int, int]] | None = None
        self._cache: dict[tuple[int | None, int | None], set[int]] = {}

    def within(self, start: Any, end: Any) -> set[int]:
        """The articles dated within [start, end] (Whoosh's numbers or datetimes; None for
        open)."""
        low, high = _as_number(start), _as_number(end)
        key = (low, high)
        if key not in self._cache:
            low_bound = low if low is not None else -(2**63)
            high_bound = high if high is not None else 2**63
            self._cache[key] = {
                docnum for docnum, value in self._dated() if low_bound <= value <= high_bound
            }
        return self._cache[key]

    def _dated(self) -> list[tuple[int, int]]:
        if self._column is None:
            both = zip(self._numbers("date"), self._numbers("undated"), strict=True)
            self._column = [
                (docnum, date)
                for docnum, (date, undated) in enumerate(both)
                if undated == self._dated_mark
            ]
        return self._column


def column_of(reader: Any, name: str, *, translate: bool = True) -> Any:
    """A column of the index, indexed by document number (values as the field reads them,
    or as stored). An index without articles has no columns (Whoosh's empty reader cannot
    make one), and nothing is looked up in them."""
    if reader.doc_count_all() == 0:
        return {}
    return reader.column_reader(name, translate=translate)


def numbers(reader: Any, name: str) -> Sequence[int]:
    """Every document's value in the numeric column `name` as stored (not translated back:
    dates as Whoosh's numbers), in document order, read a segment at a time into one array
    (one document at a time, the dates of 21.6k articles took ~40 ms, most of a
    date-restricted search in a new session; a list of them, a millisecond)."""
    if reader.doc_count_all() == 0:
        return []  # Whoosh's empty reader has no columns
    parts = [
        _fixed_width_values(leaf.column_reader(name, translate=False), leaf.doc_count_all())
        for leaf, _offset in reader.leaf_readers()
    ]
    first = parts[0]
    if isinstance(first, array.array) and all(
        isinstance(part, array.array) and part.typecode == first.typecode for part in parts
    ):
        joined = array.array(first.typecode)
        for part in parts:
            joined.extend(part)
        return joined
    return [value for part in parts for value in part]


def _fixed_width_values(column: Any, documents: int) -> Sequence[int]:
    """A numeric column's values from its bytes in one read: Whoosh 2.7 writes them big-
    endian, one fixed-width value per document up to the last one not the default."""
    try:
        typecode, width, stored = column._typecode, column._fixedlen, column._count
        data = column._dbfile.get(column._basepos, stored * width)
        default = column._default
    except AttributeError:  # not the layout this reads: one value at a time, then
        return list(column)
    values = array.array(typecode)
    if values.itemsize != width:
        return list(column)
    values.frombytes(data)
    if sys.byteorder == "little":
        values.byteswap()
    if documents > stored:
        values.extend(array.array(typecode, [default]) * (documents - stored))
    return values


def fold(
    columns: Columns, candidates: list[tuple[int, Any]], groups: int | None = None
) -> list[tuple[int, Any, list[int]]]:
    """The candidates, in order, with each near-duplicate folded into the first of its
    group: (docnum, score, folded docnums). Reads only the sketch and date columns. With
    `groups`, only the first that many groups are made: the candidates after them are
    folded into those or passed over (a repeat goes to the earliest hit it repeats, so
    the groups after them never change these)."""
    sketches, date_of = columns("sketch"), columns.date_of
    folder = Folder()
    kept: list[tuple[int, Any, list[int]]] = []
    for docnum, score in candidates:
        sketch = unpack_sketch(sketches[docnum])
        repeats = folder.repeats(sketch, lambda: date_of(docnum))  # noqa: B023 (called here)
        if repeats is not None:
            kept[repeats][2].append(docnum)
        elif groups is None or len(kept) < groups:
            folder.keep(sketch, date_of(docnum))
            kept.append((docnum, score, []))
    return kept


def split_dates(whoosh_query: Any) -> tuple[Any, list[Any]]:
    """The query without its top-level date clauses (`date:2025-05 oil`), and those
    clauses: dates are applied as a filter from the date column, which is far faster than
    Whoosh's numeric range terms."""
    if isinstance(whoosh_query, query.AndNot):
        positive, dates = split_dates(whoosh_query.a)
        return query.AndNot(positive, whoosh_query.b), dates
    if not isinstance(whoosh_query, query.And):
        return whoosh_query, []
    dates = [c for c in whoosh_query.children() if _is_date_range(c)]
    if not dates:
        return whoosh_query, []
    rest = [c for c in whoosh_query.children() if not _is_date_range(c)]
    if not rest:
        return query.Every(), dates
    return (rest[0] if len(rest) == 1 else query.And(rest)), dates


def _is_date_range(node: Any) -> bool:
    return isinstance(node, query.NumericRange) and node.fieldname == "date"


def _as_number(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return int(datetime_to_long(value))
