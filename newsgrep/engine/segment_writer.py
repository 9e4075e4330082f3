"""Writing a segment's postings without Whoosh's posting pool: each term's postings are
collected in compact arrays as documents are added, and written once, in term order, when
the segment is finished, as Lucene and tantivy build a segment.

Whoosh's `SegmentWriter` turns every posting into a tuple (field, term, document, weight,
value) for its pool, which pickles runs of them to temporary files when it fills, sorts
them, and merges the runs back in a heap before the codec writes them one posting at a
time, looking up each document's field length again on the way. Most of a build went
there. Here a document's postings are appended to its terms' arrays (a document number, a
weight, the value's bytes); the first posting of a term is kept as a plain tuple, as most
terms of a collection appear in one article only; lengths are kept per field in an array.
The segment's files are written by Whoosh's own W3 field and postings writers (a subclass
takes a block's postings at once), block by block as Whoosh cuts them, so that the bytes
are the same as Whoosh's writer writes for the same documents
(tests/test_segment_writer.py compares the two) and Whoosh's W3 reader reads them.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter
from whoosh.writing import SegmentWriter

from newsgrep.engine.codec import PackedValues


class _Postings:
    """One term's postings from its second on: documents, weights (as Whoosh computed
    them: its blocks keep the largest before rounding to 32 bits), the values' bytes end to
    end and where each ends."""

    __slots__ = ("docs", "weights", "ends", "values")

    def __init__(self, docnum: int, weight: float, value: bytes) -> None:
        self.docs = array("I", (docnum,))
        self.weights = array("d", (weight,))
        self.values = bytearray(value)
        self.ends = array("I", (len(value),))

    def add(self, docnum: int, weight: float, value: bytes) -> None:
        self.docs.append(docnum)
        self.weights.append(weight)
        self.values += value
        self.ends.append(len(self.values))


# About what collecting takes in memory, besides the values' bytes: a new term (its
# tuple, its key, its place in the dict), a term's arrays when its second posting comes,
# each further posting (a document number, a weight, where its value ends).
_NEW_TERM_BYTES = 150
_ARRAYS_BYTES = 350
_POSTING_BYTES = 16

# A term's postings: its only one so far as a (document, weight, value) tuple, or more.
_Term = tuple[int, float, bytes] | _Postings


class BlockPostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """Whoosh's W3 postings writer, also taking a whole term's postings at once, cut into
    Whoosh's blocks with the statistics its `add_posting` would keep for them."""

    def add_term_postings(
        self, docs: array[int], weights: array[float], values: list[bytes], lengths: list[int]
    ) -> None:
        """Add one term's postings (after `start_postings`, before `finish_postings`):
        `values` and `lengths` (each document's field length, 0 for none) per posting."""
        limit: int = self._blocklimit
        count = len(docs)
        for start in range(0, count, limit):
            end = min(count, start + limit)
            if start:  # a block is written when the next posting comes, as in Whoosh
                self._write_block()
            self._ids = docs[start:end]
            self._weights = array("f", weights[start:end])
            self._maxweight = max(max(weights[start:end]), 0)
            # Whoosh keeps the values that are not empty, and the lengths that are not 0.
            self._values = [value for value in values[start:end] if value]
            known = [length for length in lengths[start:end] if length]
            self._minlength = min(known) if known else None
            self._maxlength = max(known) if known else 0


class PackingPostingsWriter(BlockPostingsWriter):
    """The postings writer of `codec.NewsCodec`: a block's values packed into one byte
    string (`codec.PackedValues`)."""

    def _mini_values(self) -> Any:
        values = super()._mini_values()
        return PackedValues.pack(values) if isinstance(values, tuple) and values else values


class BlockFieldWriter(W3FieldWriter):  # type: ignore[misc]
    """Whoosh's W3 field writer, taking a term's postings at once (`add_term`)."""

    def add_term(
        self,
        btext: bytes,
        docs: array[int],
        weights: array[float],
        values: list[bytes],
        lengths: list[int],
    ) -> None:
        """Write the postings of the term `btext` of the current field."""
        self.start_term(btext)
        self._postwriter.add_term_postings(docs, weights, values, lengths)
        self.finish_term()


class ArraySegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer with the postings collected in arrays (see the module).

    Its codec must write with `BlockFieldWriter` and `BlockPostingsWriter`
    (`engine.codec.NewsCodec` does). Documents are added by `add_document` and old
    segments by `add_reader` (a merge), in the order of their document numbers, so each
    term's postings are collected in order."""

    def __init__(self, ix: Any, **options: Any) -> None:
        super().__init__(ix, **options)
        # Whoosh's pool's budget, `limitmb`, for the postings collected here (`full`).
        self._budget = int(options.get("limitmb", 128) * 2**20)
        self._collected = 0  # about how many bytes of memory the postings take
        self._terms: dict[str, dict[bytes, _Term]] = {}
        # Each scorable field's length in each document, by document number less docbase.
        self._lengths: dict[str, array[int]] = {}

    def _add_posting(
        self, fieldname: str, btext: bytes, docnum: int, weight: float, value: bytes
    ) -> None:
        terms = self._terms.get(fieldname)
        if terms is None:
            terms = self._terms[fieldname] = {}
        found = terms.get(btext)
        if found is None:
            terms[btext] = (docnum, weight, value)
        elif isinstance(found, tuple):
            postings = _Postings(*found)
            postings.add(docnum, weight, value)
            terms[btext] = postings
        else:
            found.add(docnum, weight, value)

    def _add_field_postings(
        self, fieldname: str, docnum: int, items: Any, boost: float, scorable: bool
    ) -> int:
        """Add a document's postings of one field (what `field.index` gave), returning
        the field's length in it (0 unless scorable). `_add_posting`, for each of the
        many postings of a build, in one loop."""
        terms = self._terms.get(fieldname)
        if terms is None:
            terms = self._terms[fieldname] = {}
        length = 0
        collected = 0
        for btext, freq, weight, vbytes in items:
            if scorable:
                length += freq
            value = vbytes or b""
            collected += len(value)
            found = terms.get(btext)
            if found is None:
                terms[btext] = (docnum, weight * boost, value)
                collected += _NEW_TERM_BYTES + len(btext)
            elif isinstance(found, tuple):
                postings = terms[btext] = _Postings(*found)
                postings.add(docnum, weight * boost, value)
                collected += _ARRAYS_BYTES
            else:
                found.docs.append(docnum)
                found.weights.append(weight * boost)
                values = found.values
                values += value
                found.ends.append(len(values))
                collected += _POSTING_BYTES
        self._collected += collected
        return length

    def full(self) -> bool:
        """Whether the postings collected take the memory the writer was given
        (`limitmb`): time to finish this segment and begin another."""
        return self._collected >= self._budget

    def _set_length(self, fieldname: str, docnum: int, length: int) -> None:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = self._lengths[fieldname] = array("I")
        place = docnum - self.docbase
        if len(lengths) <= place:
            lengths.extend(bytes(place + 1 - len(lengths)))  # zeros (an "I" from each byte)
        lengths[place] = length

    def add_document(self, **fields: Any) -> None:
        # Whoosh's SegmentWriter.add_document, with the postings going to the arrays.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_postings = self._add_field_postings
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    items = field.index(value)
                    length = add_postings(fieldname, docnum, items, fieldboost, field.scorable)
                    if length:
                        self._set_length(fieldname, docnum, length)
                if field.separate_spelling():
                    # Whoosh's pool takes spelling words as postings of document 0, out of
                    # order; no newsgrep field has them.
                    raise TypeError(f"field {fieldname!r}: separate spelling is not supported")
                if field.vector:
                    items = field.vector.word_values(value, field.analyzer, mode="index")
                    perdocwriter.add_vector_items(
                        fieldname, field, sorted((t, w, v) for t, _, w, v in items)
                    )
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        # A merged segment's postings (Whoosh's add_reader: after its stored documents,
        # so `docmap` is known), and the field lengths of its live documents, which
        # Whoosh's reader keeps as the codec's one byte: their blocks' statistics are the
        # same either way, being that byte again.
        add_posting = self._add_posting
        for fieldname, btext, docnum, weight, value in self._process_posts(
            reader.iter_postings(), startdoc, docmap
        ):
            add_posting(fieldname, btext, docnum, weight, value or b"")
        live = [n for n in range(reader.doc_count_all()) if not reader.is_deleted(n)]
        for fieldname in self._scored_fields(reader):
            for old in live:
                new = docmap[old] if docmap is not None else startdoc + old
                length = reader.doc_field_length(old, fieldname) or 0
                if length:
                    self._set_length(fieldname, new, length)

    def _scored_fields(self, reader: Any) -> list[str]:
        return [
            name
            for name in reader.indexed_field_names()
            if name in self.schema and self.schema[name].scorable
        ]

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        self._write_postings()
        self.fieldwriter.close()

    def _write_postings(self) -> None:
        """Every term's postings, field by field and term by term in the order of their
        bytes (the order of Whoosh's sorted pool)."""
        writer = self.fieldwriter
        schema = self.schema
        docbase = self.docbase
        for fieldname in sorted(self._terms):
            terms = self._terms.pop(fieldname)
            if not terms or fieldname not in schema:
                continue  # Whoosh's writer starts a field at its first posting
            fieldobj = schema[fieldname]
            lengths = self._lengths.get(fieldname, array("I"))
            known = len(lengths)
            writer.start_field(fieldname, fieldobj)
            for btext in sorted(terms):
                found = terms[btext]
                if isinstance(found, tuple):
                    docnum, weight, value = found
                    docs = array("I", (docnum,))
                    weights = array("d", (weight,))
                    values = [value]
                else:
                    docs, weights = found.docs, found.weights
                    data = bytes(found.values)
                    ends = found.ends
                    values = [data[a:b] for a, b in zip((0, *ends[:-1]), ends, strict=True)]
                places = [d - docbase for d in docs]
                field_lengths = [lengths[p] if p < known else 0 for p in places]
                writer.add_term(btext, docs, weights, values, field_lengths)
            writer.finish_field()
