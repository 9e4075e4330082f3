"""Cold search with naive Whoosh, as a bare script: `python cold_whoosh.py INDEX WORD`.

Top 10 with the default highlighter, printed; no CLI framework.
"""

import sys

from whoosh import index, qparser


def main() -> None:
    index_dir, word = sys.argv[1], sys.argv[2]
    ix = index.open_dir(index_dir)
    parsed = qparser.MultifieldParser(["title", "body"], ix.schema).parse(word)
    with ix.searcher() as searcher:
        for hit in searcher.search(parsed, limit=10):
            print(hit["path"], hit["title"], hit.highlights("body"), sep="\t")


if __name__ == "__main__":
    main()
