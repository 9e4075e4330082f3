"""The codec newsgrep writes segments with: Whoosh's own (W3) in every respect but two,
the column of stored fields always carries its table of offsets, and a block of postings
holds its values (each posting's positions) packed into one byte string.

Whoosh writes that table only for segments of more than 32,768 articles; for smaller ones
a reader derives it by adding up every article's length in a Python loop, on every open of
the segment — the largest part of opening an index of tens of thousands of articles, paid
by each search. With the table, opening reads it as one array. The column's bytes are
otherwise the same and Whoosh's reader reads both forms, so segments written before keep
working and segments name Whoosh's own codec (the table of contents pickles a segment's
codec: it stays a class Whoosh has).

Whoosh pickles each block of postings (128 at most) as a tuple of ids, weights and values
at pickle protocol 2, which has no opcode for bytes: every value is pickled as a call of
`_codecs.encode` on a str, and unpickling a block, which every query does for every block
it reads, costs a function call per posting. `PackedValues` pickles a block's values as one
byte string and their ends, and gives each back on indexing, as the tuple did, so Whoosh's
reader and matchers read them unchanged; scoring, which never looks at values, unpickles
no value at all. Blocks written before are tuples and read as ever. Unpickling finds the
class by its module path, so `PackedValues` lives here for good.
"""

from __future__ import annotations

import array
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from whoosh import columns
from whoosh.codec.whoosh3 import W3Codec, W3PerDocWriter, W3PostingsWriter, W3Segment

STORED_FIELDS_COLUMN = "_stored"  # the name W3PerDocWriter gives the column


class _OffsetsWrittenColumn(columns.CompressedBytesColumn):  # type: ignore[misc]
    """Whoosh's compressed column of byte strings, its offsets written at any size."""

    def writer(self, dbfile: Any) -> Any:
        writer = super().writer(dbfile)
        writer.cutoff = 0  # VarBytesColumn.Writer writes offsets above this many rows
        return writer


_STORED = columns.PickleColumn(_OffsetsWrittenColumn())


class _PerDocWriter(W3PerDocWriter):  # type: ignore[misc]
    def _create_column(self, fieldname: str, column: Any) -> None:
        if fieldname == STORED_FIELDS_COLUMN:
            column = _STORED
        super()._create_column(fieldname, column)


class PackedValues:
    """A block's posting values, one byte string each, packed into one (see the module):
    a sequence of them, as the tuple Whoosh would have pickled."""

    __slots__ = ("_data", "_ends")

    def __init__(self, data: bytes, ends: bytes) -> None:
        self._data = data
        self._ends = array.array("I")
        self._ends.frombytes(ends)
        if sys.byteorder == "big":  # the ends are written little-endian
            self._ends.byteswap()

    @classmethod
    def pack(cls, values: Sequence[bytes]) -> PackedValues:
        ends = array.array("I")
        end = 0
        for value in values:
            end += len(value)
            ends.append(end)
        if sys.byteorder == "big":
            ends.byteswap()
        return cls(b"".join(values), ends.tobytes())

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> bytes:
        ends = self._ends
        if index < 0:
            index += len(ends)
        start = ends[index - 1] if index > 0 else 0
        return self._data[start : ends[index]]

    def __iter__(self) -> Iterator[bytes]:
        start = 0
        data = self._data
        for end in self._ends:
            yield data[start:end]
            start = end

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackedValues) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, tuple[bytes, bytes]]:
        ends = array.array("I", self._ends)
        if sys.byteorder == "big":
            ends.byteswap()
        return PackedValues, (self._data, ends.tobytes())


class _PostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """Whoosh's postings writer, packing each block's values (see the module)."""

    def _mini_values(self) -> Any:
        values = super()._mini_values()
        return PackedValues.pack(values) if isinstance(values, tuple) and values else values


class NewsCodec(W3Codec):  # type: ignore[misc]
    """Whoosh's W3 codec, writing stored fields with their offsets and blocks of postings
    with their values packed (see the module)."""

    def per_document_writer(self, storage: Any, segment: Any) -> Any:
        return _PerDocWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def new_segment(self, storage: Any, indexname: str) -> Any:
        return W3Segment(W3Codec(), indexname)
