"""Cold search with tantivy-py, as a bare script: `python cold_tantivy.py INDEX WORD`.

Top 10 with a body snippet each, printed; nothing imported but tantivy and sys.
"""

import sys

import tantivy


def main() -> None:
    index_dir, word = sys.argv[1], sys.argv[2]
    index = tantivy.Index.open(index_dir)
    searcher = index.searcher()
    query = index.parse_query(word, ["title", "body"], field_boosts={"title": 2.0})
    snippets = tantivy.SnippetGenerator.create(searcher, query, index.schema, "body")
    for _score, address in searcher.search(query, 10).hits:
        document = searcher.doc(address)
        snippet = snippets.snippet_from_doc(document).to_html()
        print(document["path"][0], document["title"][0], snippet, sep="\t")


if __name__ == "__main__":
    main()
