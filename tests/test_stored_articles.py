"""The column of stored articles (`engine.codec.ArticlesColumn`): what is written reads back
the same, document by document, whether its segment is small (no dictionary) or large
enough for one, with documents that stored nothing among them."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.filedb.structfile import BufferFile, StructFile

from newsgrep.engine import codec
from newsgrep.engine.codec import ArticlesColumn

_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
_STORED = st.fixed_dictionaries(
    {"id": _TEXT, "body": _TEXT},
    optional={
        "title": _TEXT,
        "date": st.datetimes(min_value=dt.datetime(1900, 1, 1)),
        "lang_detected": st.booleans(),
        "fields": st.dictionaries(_TEXT, st.lists(_TEXT, max_size=3), max_size=3),
    },
)
# A document that stored nothing (None, or no docnum at all) reads as None.
_DOCUMENTS = st.lists(st.one_of(st.none(), st.just({}), _STORED), max_size=40)


def _written(documents: list[dict[str, Any] | None], repeat: int) -> tuple[bytes, int]:
    """The column's bytes for `documents` (each `repeat` times, bodies lengthened so that
    the large case makes a dictionary), skipping the docnums of None."""
    out = io.BytesIO()
    writer = ArticlesColumn().writer(StructFile(out))
    docnum = 0
    for _ in range(repeat):
        for document in documents:
            if document is not None:
                writer.add(docnum, document)
            docnum += 1
    writer.finish(docnum)
    return out.getvalue(), docnum


def _expected(documents: list[dict[str, Any] | None], repeat: int) -> list[dict[str, Any] | None]:
    return [document or None for document in documents] * repeat


@settings(max_examples=examples(1))
@given(documents=_DOCUMENTS, large=st.booleans())
def test_every_document_reads_back_as_written(
    documents: list[dict[str, Any] | None], large: bool
) -> None:
    if large:  # enough bytes for the dictionary: long bodies, many of them
        documents = [
            {**document, "body": document["body"] + "cocoa prices rose " * 200}
            if document
            else document
            for document in documents
        ]
    repeat = 30 if large and any(documents) else 1
    data, doccount = _written(documents, repeat)
    reader = ArticlesColumn().reader(BufferFile(data), 0, len(data), doccount)

    expected = _expected(documents, repeat)
    assert [reader[docnum] for docnum in range(doccount)] == expected
    assert list(reader) == expected
    # Read out of order, as a page of hits does.
    assert [reader[docnum] for docnum in reversed(range(doccount))] == expected[::-1]


def test_a_large_column_stores_its_dictionary_and_a_small_one_none() -> None:
    article = {"id": "a.txt", "body": "Showers continued throughout the week. " * 40}
    small, small_count = _written([article] * 3, 1)
    large, large_count = _written([article] * 200, 1)
    small_reader = ArticlesColumn().reader(BufferFile(small), 0, len(small), small_count)
    large_reader = ArticlesColumn().reader(BufferFile(large), 0, len(large), large_count)

    assert small_reader._dictionary == b""
    assert len(large_reader._dictionary) == codec.DICTIONARY_BYTES
    assert large_reader[199] == article and small_reader[2] == article
    # Deflated against the dictionary, an article takes a fraction of its own deflate.
    assert len(large) - codec.DICTIONARY_BYTES < 200 * (len(small) // 3) / 4


def test_a_column_read_at_an_offset_in_its_file() -> None:
    """Columns of a compound segment file start past other data."""
    data, doccount = _written([{"id": "x", "body": "y"}, None, {"id": "z", "body": ""}], 1)
    shifted = b"other data" + data + b"after"

    reader = ArticlesColumn().reader(BufferFile(shifted), 10, len(data), doccount)

    assert [reader[0], reader[1], reader[2]] == [
        {"id": "x", "body": "y"},
        None,
        {"id": "z", "body": ""},
    ]
