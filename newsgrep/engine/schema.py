"""What the index holds and how: the Whoosh schema, its field types and the postings codec,
and the document each article becomes.

The schema is pickled into every table of contents with the module paths of its field
classes, so they live here for good; moving one, or changing what it writes, needs a new
SCHEMA_VERSION (older indexes are then refused with a hint to rebuild).
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from whoosh import columns, fields, formats, query

from newsgrep.engine.analyzers import label_analyzer, text_analyzer
from newsgrep.engine.query import RECORD_FIELD_PREFIX, query_date_span
from newsgrep.paths import SURROGATE
from newsgrep.text.analysis import TOKEN, analyze, fold_accents, index_terms
from newsgrep.text.duplicates import SKETCH_BYTES, pack_sketch, sketch_of_terms
from newsgrep.text.languages import ENGLISH, analysis_key

if TYPE_CHECKING:  # an index run's values: a search makes no document
    from newsgrep.model import Article, SourceFile

# Bump when the schema or the analysis changes: older indexes must then be rebuilt.
# (7: exact field lengths, the tie-breaking ordinal and the title's origin are stored.
# 8: an article's language, encoding and its record's own fields, `topics:crude`.
# 9: the body field indexes the title too, and the title is weighted 1.
# 10: each article analysed in its language (declared or detected), `analysis` field.
# 11: near-duplicate sketches in a column of fixed width.
# 12: stored fields deflated against a dictionary per segment, segments name NewsCodec;
# the manifest's files as columns.)
SCHEMA_VERSION = 12
# The title counts twice as it is: as a title, and as the body's first words (one text,
# as BM25 engines that index a document as one field have it; docs/benchmarks.md).
TITLE_BOOST = 1.0

# The scored text fields, and the column holding each article's exact length in it: the
# statistics of live articles are summed from these (see `statistics`).
LENGTH_FIELDS = {"title": "length_title", "body": "length_body", "source": "length_source"}
# An article's ordinal: its file's path hash above, its place in the file below. Ties in
# score or date are broken by it, so that any index of the same files orders them alike.
_POSITION_BITS = 24


class NewsDateField(fields.DATETIME):  # type: ignore[misc]
    """A DATETIME that reads dates the way users type them (`2025-05`, `7d`, `yesterday`)
    and gives `>`/`<` their strict meaning: `date:>2025-05-01` starts on May 2."""

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> Any:
        span = query_date_span(qstring)
        return query.NumericRange(
            fieldname, self._number(span.start), self._number(span.end), boost=boost
        )

    def parse_range(
        self,
        fieldname: str,
        start: str | None,
        end: str | None,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> Any:
        if start is None and end is None:
            return query.Every(fieldname, boost=boost)
        low = high = None
        if start is not None:
            span = query_date_span(start)
            low = self._number(span.end) + 1 if startexcl else self._number(span.start)
        if end is not None:
            span = query_date_span(end)
            high = self._number(span.start) - 1 if endexcl else self._number(span.end)
        return query.NumericRange(fieldname, low, high, boost=boost)

    def _number(self, value: dt.datetime) -> int:
        return int(self.prepare_datetime(value))


class CompactPositions(formats.Positions):  # type: ignore[misc]
    """Whoosh's Positions, stored as varints: a word's count, then the gaps between its
    positions. Whoosh pickles the list for every posting, about 10 bytes where this takes 2."""

    # Most postings are a few small numbers, each one byte: those take the fast paths.

    def encode(self, poslist: list[int]) -> bytes:
        values = [len(poslist), poslist[0], *map(operator.sub, poslist[1:], poslist)]
        return bytes(values) if max(values) < 0x80 else encode_varints(values)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        values = list(valuestring) if max(valuestring) < 0x80 else _read_varints(valuestring)
        return list(itertools.accumulate(values[1 : values[0] + 1]))

    def decode_frequency(self, valuestring: bytes) -> int:
        first = valuestring[0]
        return first if first < 0x80 else _read_varints(valuestring, limit=1)[0]


def encode_varints(values: list[int]) -> bytes:
    """`values` as varints: seven bits a byte, the high bit set on all but a number's last."""
    out = bytearray()
    for value in values:
        while value >= 0x80:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


def _read_varints(data: bytes, limit: int = 0) -> list[int]:
    values: list[int] = []
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        values.append(value)
        if len(values) == limit:
            break
        value = shift = 0
    return values


class NewsTextField(fields.TEXT):  # type: ignore[misc]
    """A TEXT field indexed through `analysis.analyze`, one fast pass, in the analysis of
    the article's language: its value is (text, analysis key); a bare text is English. (The
    field's Whoosh analyzer, English, is what Whoosh asks for outside newsgrep's parser.)"""

    def __init__(self, field_boost: float = 1.0) -> None:
        super().__init__(analyzer=text_analyzer(), stored=True, field_boost=field_boost)
        self.format = CompactPositions(field_boost=field_boost)

    def index(
        self, value: str | tuple[str, str], **kwargs: Any
    ) -> Iterator[tuple[bytes, int, float, bytes]]:
        text, key = (value, ENGLISH) if isinstance(value, str) else value
        positions: dict[str, list[int]] = {}
        for term, position, _, _ in analyze(text, key):
            positions.setdefault(term, []).append(position)
        boost = self.format.field_boost
        for term, found in positions.items():
            yield term.encode("utf-8"), len(found), len(found) * boost, self.format.encode(found)


class RecordField(fields.TEXT):  # type: ignore[misc]
    """The values of one of a record's own fields: words, case- and accent-folded, never
    stemmed (`places:iran`, `people:"vladimir putin"`), not weighed in the ranking. Each
    value stands apart: a phrase never spans two of them."""

    VALUE_GAP = 100  # positions between two values

    def __init__(self) -> None:
        super().__init__(analyzer=label_analyzer())
        self.format = CompactPositions()
        self.scorable = False  # a filter, as tags are: no field lengths to keep

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        # The label analyzer's terms (words, lower-cased, accents folded), without its
        # token objects: a record may have a dozen such fields, on every article.
        positions: dict[str, list[int]] = {}
        start = 0
        for text in value if isinstance(value, list | tuple) else [value]:
            for position, word in enumerate(TOKEN.findall(text), start=start):
                positions.setdefault(fold_accents(word.lower()), []).append(position)
                start = position
            start += self.VALUE_GAP
        for term, found in positions.items():
            yield term.encode("utf-8"), len(found), float(len(found)), self.format.encode(found)


def build_schema() -> Any:
    """The Whoosh schema: searchable text, sortable date, and what change detection needs."""
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),  # the file's absolute path: how a file's articles go
        title=NewsTextField(field_boost=TITLE_BOOST),
        body=NewsTextField(),  # positions: phrase queries and proximity
        date=NewsDateField(stored=True, sortable=True),
        # Sorting by date puts articles without one last, whatever the direction.
        undated=fields.NUMERIC(int, bits=8, sortable=True),
        source=fields.TEXT(analyzer=label_analyzer(), stored=True),
        url=fields.ID(stored=True),
        tags=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        # What a lost manifest is rebuilt from: the file's part of the id, the folder it was
        # indexed under, and the content hash it was read from.
        file_id=fields.STORED(),
        folder=fields.STORED(),
        # The MinHash sketch that tells near-duplicate articles (see `duplicates`), in a
        # column so that folding reads it without loading whole stored documents; of fixed
        # width, so that opening it reads no table of offsets.
        sketch=fields.COLUMN(columns.FixedBytesColumn(SKETCH_BYTES, default=bytes(SKETCH_BYTES))),
        file_hash=fields.STORED(),
        # Whether the title shown was made from the body (and so not indexed as a title).
        title_from_body=fields.STORED(),
        ordinal=fields.COLUMN(columns.NumericColumn("Q")),
        **{column: fields.COLUMN(columns.NumericColumn("I")) for column in LENGTH_FIELDS.values()},
        # The article's language, as its source declares it or else as detected: its tag
        # and its primary language (`pt-br pt`), so that `lang:pt` finds Brazilian
        # articles; the tag is stored, and whether it was detected.
        lang=fields.KEYWORD(stored=True, lowercase=True),
        lang_detected=fields.STORED(),
        # The analysis its title and body were indexed in (`text.languages.analysis_key`):
        # a query is read in each analysis the index holds (see `engine.languages`).
        analysis=fields.ID(),
        encoding=fields.STORED(),
        # A record's own fields, stored together as {name: [values]}.
        fields=fields.STORED(),
    )
    schema.add(RECORD_FIELD_PREFIX + "*", RecordField(), glob=True)
    return schema


def document(article: Article, source: SourceFile, position: int) -> dict[str, Any]:
    """The fields of the Whoosh document for `article`, the `position`th of the file
    `source`."""
    title = "" if article.title_from_body else article.title
    lang, detected = article.lang, False
    if lang is None:
        from newsgrep.text.languages.detect import detect_language  # numpy: not for a search

        lang = detect_language(article.title, article.body)
        detected = lang is not None
    key = analysis_key(lang)
    body = indexed_body(title, article.body)
    analyzed_body = analyze(body, key)
    # The sketch's terms are the shown title's and the body's; with a title of its own,
    # those of the indexed body already analyzed (the title's words, then the body's: no
    # word spans the line between them), not the body analyzed again.
    terms = (
        [term for term, _, _, _ in analyzed_body]
        if title
        else index_terms(article.title, key) + index_terms(article.body, key)
    )
    document: dict[str, Any] = {
        # Indexed as terms that any name can make; stored as they are.
        "id": index_term(source.file_id + article.record),
        "_stored_id": source.file_id + article.record,
        "path": index_term(source.path),
        "_stored_path": source.path,
        # A title made from the body's first sentence is shown, not searched as a title.
        "title": (title, key),
        "_stored_title": article.title,
        "title_from_body": article.title_from_body,
        "body": (body, key),
        "_stored_body": article.body,
        "analysis": key,
        "undated": int(article.date is None),
        "sketch": pack_sketch(sketch_of_terms(terms)),
        "file_id": source.file_id,
        "folder": source.folder,
        "file_hash": source.file_hash,
        "ordinal": ordinal(source.path, position),
        "length_title": len(analyze(title, key)),
        "length_body": len(analyzed_body),
        "length_source": _label_length(article.source),
    }
    if article.date is not None:
        document["date"] = article.date
    if article.source:
        document["source"] = article.source
    if article.url:
        document["url"] = article.url
    if article.tags:
        document["tags"] = ",".join(tag.replace(",", " ") for tag in article.tags)
    if lang:
        primary = lang.partition("-")[0]
        document["lang"] = " ".join(dict.fromkeys((lang, primary)))
        document["_stored_lang"] = lang
    if detected:
        document["lang_detected"] = True
    if article.encoding:
        document["encoding"] = article.encoding
    if article.fields:
        document["fields"] = {name: list(values) for name, values in article.fields}
        for name, values in article.fields:
            document[RECORD_FIELD_PREFIX + name] = list(values)
    return document


def indexed_values(stored: dict[str, Any]) -> dict[str, Any]:
    """The values of the scored fields and of `analysis` as `document` indexed them, from
    the stored fields of an article, its language's analysis included (the statistics
    count a deleted article's terms from these)."""
    key = analysis_of(stored)
    title = "" if stored.get("title_from_body") else stored.get("title", "")
    body = indexed_body(title, stored.get("body", ""))
    values: dict[str, Any] = {"analysis": key}
    if title:
        values["title"] = (title, key)
    if body:
        values["body"] = (body, key)
    if stored.get("source"):
        values["source"] = stored["source"]
    return values


def analysis_of(stored: dict[str, Any]) -> str:
    """The analysis an article was indexed in, from its stored fields (its language tag,
    declared or detected, names it)."""
    return analysis_key(stored.get("lang"))


def indexed_body(title: str, body: str) -> str:
    """The text the body field indexes: the title (when it is one) before the body."""
    return f"{title}\n{body}" if title else body


def ordinal(path: str, position: int) -> int:
    """The tie-breaking key of the `position`th article of the file at `path`."""
    import hashlib  # here: only indexing needs it, and it is slow to load

    digest = hashlib.blake2b(os.fsencode(path), digest_size=5).digest()
    place = min(position, (1 << _POSITION_BITS) - 1)
    return int.from_bytes(digest, "big") << _POSITION_BITS | place


def _label_length(value: str | None) -> int:
    return sum(1 for _ in label_analyzer()(value)) if value else 0


def index_term(text: str) -> str:
    """`text` (an id or path) as an index term. A file name that is not UTF-8 reaches Python
    with each bad byte as a lone surrogate, which no term can hold: it becomes U+FFFD and
    the code in hex (`caf\udce9.txt` -> `caf\ufffddce9.txt`), so the name keeps a term
    of its own. Other text is its own term."""
    if not SURROGATE.search(text):
        return text
    return SURROGATE.sub(lambda found: f"\ufffd{ord(found.group()):04x}", text)
