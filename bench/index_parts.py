"""What each part of a newsgrep index costs, field by field (issue 15).

    python bench/index_parts.py INDEX_DIR [--text-bytes N] [--postings-estimate]

Prints, for the index at INDEX_DIR: the bytes of each kind of file (as `newsgrep stats`
lists them); per indexed field, its terms, the bytes of their keys and term infos in the
terms files and of their postings in the postings files, and how many terms only one
article holds (and the postings bytes those take); per stored field, the bytes of its
values pickled on their own (before compression: what each adds to the stored articles).
With --text-bytes (the corpus's text, as bench/run.py counts it), each size ÷ the text.
With --postings-estimate (a couple of minutes at 21.6k), every posting of the text and id
fields is read and its bytes counted again as a compact format would write them, blocks of
128 postings: varint id gaps, varint frequencies and the positions' own varints, with 8
bytes of block header (a figure to judge a postings format by, not a format).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import zlib
from collections import Counter
from pathlib import Path

from whoosh.codec.whoosh3 import W3TermInfo

from newsgrep.engine.folder import IndexStore
from newsgrep.engine.schema import encode_varints
from newsgrep.engine.storage import open_index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--text-bytes", type=int, default=0)
    parser.add_argument("--postings-estimate", action="store_true")
    args = parser.parse_args(argv)
    text = args.text_bytes

    def share(size: int) -> str:
        return f"{size / text:6.3f}×" if text else ""

    print("file kind            bytes   ÷ text")
    for part, size in IndexStore(args.index).parts():
        print(f"{part:<16} {size:>12,} {share(size)}")

    reader = open_index(str(args.index)).reader()
    terms: Counter[str] = Counter()
    keys: Counter[str] = Counter()
    infos: Counter[str] = Counter()
    postings: Counter[str] = Counter()
    single: Counter[str] = Counter()
    single_bytes: Counter[str] = Counter()
    stored: Counter[str] = Counter()
    for leaf, _ in reader.leaf_readers():
        table = leaf._terms
        for key, value in table._tindex.items():
            field, _ = table._keydecoder(key)
            info = W3TermInfo.from_bytes(value)
            terms[field] += 1
            keys[field] += len(key)
            infos[field] += len(value)
            if info.is_inlined():
                continue
            length = info._length[0] if isinstance(info._length, tuple) else info._length
            postings[field] += length
            if info.doc_frequency() == 1:
                single[field] += 1
                single_bytes[field] += length
        for docnum in range(leaf.doc_count_all()):
            for field, value in leaf.stored_fields(docnum).items():
                stored[field] += len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    print()
    print("field          terms   key bytes  terminfo bytes  postings bytes  ÷ text", end="")
    print("  in one article")
    for field in sorted(terms, key=lambda name: -(postings[name] + keys[name] + infos[name])):
        print(
            f"{field:<12} {terms[field]:>7,} {keys[field]:>11,} {infos[field]:>15,}"
            f" {postings[field]:>15,} {share(postings[field] + keys[field] + infos[field])}"
            f"  {single[field]:,} terms, {single_bytes[field]:,} postings bytes"
        )
    print()
    print("stored field   pickled bytes (uncompressed)")
    for field, size in stored.most_common():
        print(f"{field:<14} {size:>12,} {share(size)}")
    if args.postings_estimate:
        print()
        print("field        postings now   compact  compact, deflated  frequencies only")
        for field in ("body", "title", "id", "path"):
            compact, deflated, frequencies = _estimate(reader, field)
            print(
                f"{field:<12} {postings[field]:>12,} {compact:>9,}"
                f" {deflated:>18,} {frequencies:>17,}"
            )
    reader.close()
    return 0


_BLOCK = 128
_BLOCK_HEADER = 8  # a count, the last id, the maximum weight and lengths, a few bytes each


def _estimate(reader: object, field: str) -> tuple[int, int, int]:
    """The bytes of `field`'s postings as the compact format would write them: as they are,
    each block deflated when that is smaller, and without positions."""
    compact = deflated = frequencies = 0
    for leaf, _ in reader.leaf_readers():  # type: ignore[attr-defined]
        for term in leaf.lexicon(field):
            matcher = leaf.postings(field, term)
            ids: list[int] = []
            weights: list[float] = []
            values: list[bytes] = []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                values.append(matcher.value() or b"")
                matcher.next()
            for start in range(0, len(ids), _BLOCK):
                block = ids[start : start + _BLOCK]
                before = ids[start - 1] if start else 0
                gaps = [block[0] - before, *map(int.__sub__, block[1:], block[:-1])]
                counts = [int(w) if w == int(w) else 1 for w in weights[start : start + _BLOCK]]
                head = encode_varints(gaps) + encode_varints(counts)
                raw = head + b"".join(values[start : start + _BLOCK])
                compact += _BLOCK_HEADER + len(raw)
                deflated += _BLOCK_HEADER + min(len(raw), len(zlib.compress(raw, 6)))
                frequencies += _BLOCK_HEADER + len(head)
    return compact, deflated, frequencies


if __name__ == "__main__":
    sys.exit(main())
