"""The codec newsgrep writes and reads segments with: Whoosh's own (W3) in every respect but
two, the column of stored fields (`ArticlesColumn`), which compresses each article against
a preset dictionary made of its segment's first articles, and a block of postings, which
holds its values (each posting's positions) packed into one byte string.

Whoosh deflates each article's pickled fields on its own: a news article of a few
kilobytes shares too little with itself for that to gain much, and the stored articles
were the second largest part of an index. Deflated against a dictionary of 32 KiB of the
same segment's articles (the window zlib can look back over), each article still reads on
its own — one slice of the file and one small inflate, as before, so a page of hits reads
nothing more — and takes about half the room. The column always carries its table of
offsets, so that opening a segment reads them as one array.

Whoosh pickles each block of postings (128 at most) as a tuple of ids, weights and values
at pickle protocol 2, which has no opcode for bytes: every value is pickled as a call of
`_codecs.encode` on a str, and unpickling a block, which every query does for every block
it reads, costs a function call per posting. `PackedValues` pickles a block's values as one
byte string and their ends, and gives each back on indexing, as the tuple did, so Whoosh's
reader and matchers read them unchanged; scoring, which never looks at values, unpickles
no value at all. Unpickling finds the class by its module path, so `PackedValues` lives
here for good.

Segments name this codec (the table of contents pickles each segment's codec, with this
module's path: it stays here for good); reading an index written before it needs a new
SCHEMA_VERSION, as does any change to what the column writes.
"""

from __future__ import annotations

import errno
import itertools
import pickle
import struct
import sys
import zlib
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

from whoosh import columns
from whoosh.codec.whoosh3 import (
    W3Codec,
    W3PerDocReader,
    W3PerDocWriter,
    W3Segment,
)

STORED_FIELDS_COLUMN = "_stored"  # the name W3PerDocWriter gives the column

# zlib looks back at most 32 KiB: a longer dictionary would not be read.
DICTIONARY_BYTES = 32 * 1024
# A dictionary is stored whole, uncompressed: it is made only once the segment's first
# articles come to this many bytes, enough that the rest gain more than it costs (a small
# segment, as a refresh of a few files writes, deflates its articles without one).
DICTIONARY_AFTER = 4 * DICTIONARY_BYTES
_LEVEL = 6
_RAW_DEFLATE = -15  # no zlib header or checksum per article: the column is its own frame
_PICKLE_PROTOCOL = 5
_TRAILER = struct.Struct("<I")  # the dictionary's length, the column's last bytes
_ENDS = "I"  # where each article's bytes end, from the column's start


class ArticlesColumn(columns.Column):  # type: ignore[misc]
    """Each document's stored fields (a dict) pickled and deflated on its own, against a
    dictionary of the column's first articles. The column holds the dictionary, the
    articles' bytes, the end of each article's bytes, and the dictionary's length."""

    def writer(self, dbfile: Any) -> ArticlesWriter:
        return ArticlesWriter(dbfile)

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> ArticlesReader:
        return ArticlesReader(dbfile, basepos, length, doccount)


class ArticlesWriter(columns.ColumnWriter):  # type: ignore[misc]
    def __init__(self, dbfile: Any) -> None:
        self._dbfile = dbfile
        self._ends = array(_ENDS)
        self._written = 0
        # The first articles, pickled, held until they make the dictionary (or the column
        # ends before they do).
        self._waiting: list[tuple[int, bytes]] = []
        self._waiting_bytes = 0
        self._compressor: Any = None

    def add(self, docnum: int, value: Any) -> None:
        # Pickled now: Whoosh clears the dict it passes once this returns.
        data = pickle.dumps(value, _PICKLE_PROTOCOL) if value else b""
        if self._compressor is not None:
            self._write(docnum, data)
            return
        self._waiting.append((docnum, data))
        self._waiting_bytes += len(data)
        if self._waiting_bytes >= DICTIONARY_AFTER:
            self._start(b"".join(data for _, data in self._waiting)[:DICTIONARY_BYTES])

    def finish(self, doccount: int) -> None:
        if self._compressor is None:
            self._start(b"")
        self._fill(doccount)
        self._dbfile.write_array(self._ends)
        self._dbfile.write(_TRAILER.pack(self._dictionary_length))

    def _start(self, dictionary: bytes) -> None:
        """Write the dictionary, then the articles that waited for it."""
        self._dictionary_length = len(dictionary)
        self._dbfile.write(dictionary)
        self._written = len(dictionary)
        # Each article is deflated by a copy of one compressor primed with the dictionary:
        # priming it again for every article would hash the whole dictionary each time.
        options = (_LEVEL, zlib.DEFLATED, _RAW_DEFLATE, 9, zlib.Z_DEFAULT_STRATEGY)
        self._compressor = zlib.compressobj(*options, *([dictionary] if dictionary else []))
        waiting, self._waiting = self._waiting, []
        for docnum, data in waiting:
            self._write(docnum, data)

    def _write(self, docnum: int, data: bytes) -> None:
        self._fill(docnum)
        if data:
            compressor = self._compressor.copy()
            packed = compressor.compress(data) + compressor.flush()
            self._dbfile.write(packed)
            self._written += len(packed)
        self._ends.append(self._written)

    def _fill(self, docnum: int) -> None:
        """Mark the documents before `docnum` that stored nothing as empty."""
        missing = docnum - len(self._ends)
        if missing > 0:
            self._ends.extend([self._written] * missing)


class ArticlesReader(columns.ColumnReader):  # type: ignore[misc]
    def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int) -> None:
        self._dbfile = dbfile
        self._basepos = basepos
        self._doccount = doccount
        trailer_at = basepos + length - _TRAILER.size
        (dictionary_length,) = _TRAILER.unpack(dbfile.get(trailer_at, _TRAILER.size))
        ends_at = trailer_at - doccount * array(_ENDS).itemsize
        self._ends = dbfile.get_array(ends_at, _ENDS, doccount)
        self._dictionary = dbfile.get(basepos, dictionary_length)
        self._first = dictionary_length
        self._decompress = self._with_dictionary if self._dictionary else self._without

    def __len__(self) -> int:
        return self._doccount

    def __getitem__(self, docnum: int) -> dict[str, Any] | None:
        start = self._ends[docnum - 1] if docnum else self._first
        end = self._ends[docnum]
        if end == start:
            return None
        packed = self._dbfile.get(self._basepos + start, end - start)
        stored: dict[str, Any] = pickle.loads(self._decompress(packed))
        return stored

    def __iter__(self) -> Any:
        return (self[docnum] for docnum in range(self._doccount))

    def load(self) -> list[dict[str, Any] | None]:
        return list(self)

    def _with_dictionary(self, packed: bytes) -> bytes:
        inflater = zlib.decompressobj(_RAW_DEFLATE, self._dictionary)
        return inflater.decompress(packed)

    def _without(self, packed: bytes) -> bytes:
        return zlib.decompress(packed, _RAW_DEFLATE)


_ARTICLES = ArticlesColumn()


class _PerDocWriter(W3PerDocWriter):  # type: ignore[misc]
    def _create_column(self, fieldname: str, column: Any) -> None:
        if fieldname == STORED_FIELDS_COLUMN:
            column = _ARTICLES
        super()._create_column(fieldname, column)


class _PerDocReader(W3PerDocReader):  # type: ignore[misc]
    def stored_fields(self, docnum: int) -> dict[str, Any]:
        reader = self._cached_reader(STORED_FIELDS_COLUMN, _ARTICLES)
        if reader is None:  # every segment has the column: its file was lost
            name = W3Codec.column_filename(self._segment, STORED_FIELDS_COLUMN)
            raise FileNotFoundError(errno.ENOENT, "a segment's stored articles are missing", name)
        stored = reader[docnum]
        return stored if stored is not None else {}


class PackedValues:
    """A block's posting values, one byte string each, packed into one (see the module):
    a sequence of them, as the tuple Whoosh would have pickled."""

    __slots__ = ("_data", "_ends")

    def __init__(self, data: bytes, ends: bytes) -> None:
        self._data = data
        self._ends = array("I")
        self._ends.frombytes(ends)
        if sys.byteorder == "big":  # the ends are written little-endian
            self._ends.byteswap()

    @classmethod
    def pack(cls, values: Sequence[bytes]) -> PackedValues:
        ends = array("I", itertools.accumulate(map(len, values)))
        return cls(b"".join(values), _little_endian(ends))

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

    def __reduce__(self) -> tuple[Any, tuple[bytes, bytes]]:
        return PackedValues, (self._data, _little_endian(self._ends))


def _little_endian(ends: array[int]) -> bytes:
    """The ends as `PackedValues` pickles them, little-endian whatever the machine."""
    if sys.byteorder == "big":
        ends = array("I", ends)
        ends.byteswap()
    return ends.tobytes()


class NewsCodec(W3Codec):  # type: ignore[misc]
    """Whoosh's W3 codec, its stored fields in an `ArticlesColumn` and blocks of postings
    with their values packed (see the module)."""

    def per_document_writer(self, storage: Any, segment: Any) -> Any:
        return _PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return _PerDocReader(storage, segment)

    # The writers of `segment_writer`, taking a term's postings at once. Imported when a
    # segment is written: a search reads segments through this codec, and loads no writer.
    def field_writer(self, storage: Any, segment: Any) -> Any:
        from newsgrep.engine.segment_writer import BlockFieldWriter

        return BlockFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        from newsgrep.engine.segment_writer import PackingPostingsWriter

        return PackingPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def new_segment(self, storage: Any, indexname: str) -> Any:
        return W3Segment(self, indexname)
