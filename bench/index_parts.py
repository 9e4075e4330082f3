"""What each part of a newsgrep index costs, field by field (issue 15).

    python bench/index_parts.py INDEX_DIR [--text-bytes N]

Prints, for the index at INDEX_DIR: the bytes of each kind of file (as `newsgrep stats`
lists them); per indexed field, its terms, the bytes of their keys and term infos in the
terms files and of their postings in the postings files, and how many terms only one
article holds (and the postings bytes those take); per stored field, the bytes of its
values pickled on their own (before compression: what each adds to the stored articles).
With --text-bytes (the corpus's text, as bench/run.py counts it), each size ÷ the text.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from pathlib import Path

from whoosh.codec.whoosh3 import W3TermInfo

from newsgrep.engine.folder import IndexStore
from newsgrep.engine.storage import open_index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--text-bytes", type=int, default=0)
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
    print("field          terms   key bytes  terminfo bytes  postings bytes  ÷ text  in one article")
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
    reader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
