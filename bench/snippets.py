"""Snippet cost: how long newsgrep takes to make the snippets of one hit.

    python bench/snippets.py [COLLECTION_DIR] [--repeat N]

Indexes an IR collection (TIME by default, whose articles run to a few thousand words) the
way bench/relevance.py does, runs each query for its top 10 hits with and without
snippets in one warm SearchSession, and prints the median and 95th percentile time per hit
that snippets add, with the article lengths they were cut from.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.relevance import DEFAULT_COLLECTION, build_newsgrep_index, clean_query, load_collection
from newsgrep.engine.session import SearchSession
from newsgrep.model import SearchRequest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", nargs="?", type=Path, default=DEFAULT_COLLECTION)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    collection = load_collection(args.collection)
    queries = [clean_query(text) for text in collection.queries.values()]
    with tempfile.TemporaryDirectory() as workdir:
        index_dir, _ = build_newsgrep_index(collection.docs, Path(workdir))
        per_hit: list[float] = []
        with SearchSession(index_dir) as session:
            for query in queries:  # warm-up: caches, analyzer, file pages
                session.search(SearchRequest(query, snippets=1))
            for query in queries:
                timings = {}
                for snippets in (0, 1):
                    runs = []
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        result = session.search(SearchRequest(query, snippets=snippets))
                        runs.append(time.perf_counter() - started)
                    timings[snippets] = statistics.median(runs)
                if result.hits:
                    per_hit.append((timings[1] - timings[0]) / len(result.hits))
    lengths = sorted(len(doc.body) for doc in collection.docs)
    per_hit.sort()
    p95 = per_hit[int(0.95 * (len(per_hit) - 1))]
    print(f"{collection.name}: {len(queries)} queries, top 10 hits, median of {args.repeat} runs")
    print(f"articles: median {statistics.median(lengths):,.0f} characters, max {lengths[-1]:,}")
    print(
        f"snippet time per hit: median {statistics.median(per_hit) * 1000:.2f} ms, "
        f"p95 {p95 * 1000:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
