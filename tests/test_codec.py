"""The codec's packed posting values: a block's values pickle as one byte string, and
read back, through Whoosh's own matchers, as the values each posting was given."""

from __future__ import annotations

import pickle
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from whoosh import fields
from whoosh.filedb.filestore import FileStorage

from newsgrep.engine.codec import NewsCodec, PackedValues
from newsgrep.engine.schema import NewsTextField


@given(st.lists(st.binary(max_size=300), max_size=130))
def test_packed_values_are_the_values_they_were_made_of(values: list[bytes]) -> None:
    packed = pickle.loads(pickle.dumps(PackedValues.pack(values), 2))  # Whoosh's protocol
    assert len(packed) == len(values)
    assert list(packed) == values
    assert [packed[i] for i in range(len(values))] == values
    if values:
        assert packed[-1] == values[-1]


def test_a_block_of_postings_holds_packed_values_that_read_as_positions(tmp_path: Path) -> None:
    schema = fields.Schema(body=NewsTextField())
    index = FileStorage(str(tmp_path)).create_index(schema)
    writer = index.writer(codec=NewsCodec())
    texts = [" ".join(["grain"] * (n % 7 + 1) + ["wheat"] * n) for n in range(300)]
    for text in texts:
        writer.add_document(body=text)
    writer.commit()
    with index.searcher() as searcher:
        matcher = searcher.reader().postings("body", b"grain")
        matcher._read_values()
        assert isinstance(matcher._values, PackedValues)  # pickled packed, not as a tuple
        positions = []
        while matcher.is_active():
            positions.append(matcher.value_as("positions"))
            matcher.next()
    assert positions == [list(range(n % 7 + 1)) for n in range(300)]
