"""The segment writer without Whoosh's posting pool (engine.segment_writer) writes the very
bytes Whoosh's own SegmentWriter writes for the same articles: the terms, the postings and
every column, for new documents and for segments merged into a new one."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.writing import SegmentWriter

from newsgrep.engine.codec import NewsCodec
from newsgrep.engine.schema import build_schema, document
from newsgrep.engine.segment_writer import ArraySegmentWriter
from newsgrep.engine.storage import create_index
from newsgrep.model import Article, SourceFile

# Few words, so that terms repeat across articles (postings of many blocks among them),
# and a few of other scripts and languages.
WORDS = ["oil", "price", "opec", "crude", "talks", "trade", "wheat", "bank", "the", "us"]
WORDS += ["Preis", "über", "нефть", "цена", "石油价格", "prix", "über-all", "U.S", "3.5"]

_articles = st.builds(
    Article,
    record=st.just(""),
    title=st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
    body=st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join),
    date=st.none() | st.datetimes(dt.datetime(1980, 1, 1), dt.datetime(2030, 1, 1)),
    source=st.none() | st.sampled_from(["Reuters", "AP wire"]),
    tags=st.lists(st.sampled_from(["crude", "grain", "money-fx"]), max_size=2).map(tuple),
    title_from_body=st.booleans(),
    lang=st.none() | st.sampled_from(["en", "de", "ru", "fr"]),
    fields=st.lists(
        st.tuples(
            st.sampled_from(["topics", "places"]),
            st.lists(st.sampled_from(WORDS), max_size=3).map(tuple),
        ),
        max_size=2,
        unique_by=lambda pair: pair[0],
    ).map(tuple),
)


def _documents(articles: list[Article]) -> list[dict[str, Any]]:
    return [
        document(
            article,
            SourceFile(f"/news/{number % 7}.txt", f"{number % 7}.txt", "/news", "h"),
            number,
        )
        for number, article in enumerate(articles)
        if article.title or article.body
    ]


def _segment_files(
    writer_class: type[Any], batches: list[list[dict[str, Any]]]
) -> dict[str, bytes]:
    """The files of the last segment, by their extension, after writing each batch of
    documents as a commit of its own that merges every segment before it into the new."""
    with tempfile.TemporaryDirectory() as directory:
        ix = create_index(directory, build_schema())
        for number, batch in enumerate(batches):
            writer = writer_class(ix, codec=NewsCodec(), compound=False, limitmb=1)
            for fields in batch:
                writer.add_document(**fields)
            writer.commit(optimize=number > 0)
            ix = ix.refresh()
        segments = ix._read_toc().segments
        assert len(segments) == 1
        name = segments[0].segment_id()
        return {
            path.name.removeprefix(name): path.read_bytes()
            for path in Path(directory).iterdir()
            if path.name.startswith(name + ".")
        }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_articles, min_size=1, max_size=40), min_size=1, max_size=2))
def test_same_bytes_as_whooshs_writer(batches: list[list[Article]]) -> None:
    documents = [_documents(batch) for batch in batches]
    documents = [batch for batch in documents if batch] or [_documents([Article("", "oil", "")])]
    ours = _segment_files(ArraySegmentWriter, documents)
    whooshs = _segment_files(SegmentWriter, documents)
    assert sorted(ours) == sorted(whooshs)
    for extension, data in whooshs.items():
        assert ours[extension] == data, extension


def test_long_postings_make_many_blocks() -> None:
    # 300 articles with the same words: postings of three blocks each (Whoosh's 128).
    articles = [Article("", f"oil {n % 3}", "crude oil price " * (n % 4 + 1)) for n in range(300)]
    documents = [_documents(articles)]
    assert _segment_files(ArraySegmentWriter, documents) == _segment_files(SegmentWriter, documents)
