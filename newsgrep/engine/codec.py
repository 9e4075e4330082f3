"""The codec newsgrep writes segments with: Whoosh's own (W3) in every respect but one,
the column of stored fields always carries its table of offsets.

Whoosh writes that table only for segments of more than 32,768 articles; for smaller ones
a reader derives it by adding up every article's length in a Python loop, on every open of
the segment — the largest part of opening an index of tens of thousands of articles, paid
by each search. With the table, opening reads it as one array. The column's bytes are
otherwise the same and Whoosh's reader reads both forms, so segments written before keep
working and segments name Whoosh's own codec (the table of contents pickles a segment's
codec: it stays a class Whoosh has).
"""

from __future__ import annotations

from typing import Any

from whoosh import columns
from whoosh.codec.whoosh3 import W3Codec, W3PerDocWriter, W3Segment

from newsgrep.engine.segment_writer import BlockFieldWriter, BlockPostingsWriter

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


class NewsCodec(W3Codec):  # type: ignore[misc]
    """Whoosh's W3 codec, writing stored fields with their offsets (see the module)."""

    def per_document_writer(self, storage: Any, segment: Any) -> Any:
        return _PerDocWriter(self, storage, segment)

    # The writers of `segment_writer`: Whoosh's, also taking a term's postings at once.
    def field_writer(self, storage: Any, segment: Any) -> Any:
        return BlockFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return BlockPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def new_segment(self, storage: Any, indexname: str) -> Any:
        return W3Segment(W3Codec(), indexname)
