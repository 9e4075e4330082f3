"""One measured process: `python -m bench.worker ACTION SYSTEM ...`, JSON on stdout.

- `build SYSTEM CORPUS INDEX`, `refresh SYSTEM CORPUS INDEX`: for the peers written in Python
  (fts5, tantivy, whoosh); newsgrep's are its own CLI runs, recoll's are recollindex runs.
- `query SYSTEM INDEX --repeat N`: one warm-up pass over the fixed query set, then N timed
  passes; each query's latencies (top 10 with snippets), hit counts and top paths or ids.
  newsgrep's are `newsgrep.search.search()` calls, each opening the index; when it has a
  `SearchSession`, the same queries through one session are timed too.
- `top INDEX`: newsgrep's top 10 per query (id, score, date), for --record-top.

Only the standard library is imported up front: the recoll worker runs under the system
Python, the others under the benchmark's.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.queries import QUERIES, BenchQuery

Searcher = Callable[[BenchQuery], list[str]]
PEER_MODULES = {
    "fts5": "bench.peer_fts5",
    "tantivy": "bench.peer_tantivy",
    "whoosh": "bench.peer_whoosh",
    "recoll": "bench.peer_recoll",
}


def newsgrep_request(query: BenchQuery) -> Any:
    from newsgrep.model import SearchRequest, Sort

    return SearchRequest(
        query.newsgrep_text(),
        limit=10,
        since=query.since,
        until=query.until,
        sort=Sort.NEWEST if query.newest_first else Sort.RELEVANCE,
    )


def newsgrep_searcher(index: Path) -> Searcher:
    from newsgrep.engine.session import search

    requests = {query: newsgrep_request(query) for query in QUERIES}

    def run(query: BenchQuery) -> list[str]:
        return [hit.id for hit in search(index, requests[query]).hits]

    return run


def newsgrep_session_latencies(index: Path, repeat: int) -> list[list[float]]:
    """The same queries through one SearchSession (the index opened once, as `--batch`
    does), when this newsgrep has it."""
    try:
        from newsgrep.engine.session import SearchSession
    except ImportError:
        return []
    requests = [newsgrep_request(query) for query in QUERIES]
    latencies: list[list[float]] = [[] for _ in QUERIES]
    with SearchSession(index) as session:
        for request in requests:
            session.search(request)  # the warm-up pass
        for _ in range(repeat):
            for position, request in enumerate(requests):
                started = time.perf_counter()
                session.search(request)
                latencies[position].append((time.perf_counter() - started) * 1000)
    return latencies


def open_searcher(system: str, index: Path) -> Searcher:
    if system == "newsgrep":
        return newsgrep_searcher(index)
    module = importlib.import_module(PEER_MODULES[system])
    searcher: Searcher = module.open_searcher(index)
    return searcher


def run_queries(system: str, index: Path, repeat: int) -> dict[str, Any]:
    searcher = open_searcher(system, index)
    top = [searcher(query) for query in QUERIES]  # the warm-up pass
    latencies: list[list[float]] = [[] for _ in QUERIES]
    for _ in range(repeat):
        for position, query in enumerate(QUERIES):
            started = time.perf_counter()
            searcher(query)
            latencies[position].append((time.perf_counter() - started) * 1000)
    output = {"latencies_ms": latencies, "hits": [len(paths) for paths in top], "top": top}
    if system == "newsgrep":
        output["session_latencies_ms"] = newsgrep_session_latencies(index, repeat)
    return output


def newsgrep_top(index: Path) -> list[dict[str, Any]]:
    from newsgrep.engine.session import search

    records = []
    for query in QUERIES:
        result = search(index, newsgrep_request(query))
        hits = [
            {
                "id": hit.id,
                "score": None if hit.score is None else round(hit.score, 4),
                "date": hit.date.date().isoformat() if hit.date else None,
            }
            for hit in result.hits
        ]
        records.append(
            {
                "query": query.newsgrep_text(),
                "since": query.since,
                "until": query.until,
                "sort": "newest" if query.newest_first else "relevance",
                "total": result.total,
                "top10": hits,
            }
        )
    return records


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    actions = parser.add_subparsers(dest="action", required=True)
    for name in ("build", "refresh"):
        action = actions.add_parser(name)
        action.add_argument("system", choices=["fts5", "tantivy", "whoosh"])
        action.add_argument("corpus", type=Path)
        action.add_argument("index", type=Path)
    query = actions.add_parser("query")
    query.add_argument("system", choices=["newsgrep", *PEER_MODULES])
    query.add_argument("index", type=Path)
    query.add_argument("--repeat", type=int, default=5)
    top = actions.add_parser("top")
    top.add_argument("index", type=Path)
    args = parser.parse_args(argv)

    output: Any
    if args.action == "build":
        count = importlib.import_module(PEER_MODULES[args.system]).build(args.corpus, args.index)
        output = {"documents": count}
    elif args.action == "refresh":
        module = importlib.import_module(PEER_MODULES[args.system])
        output = module.refresh(args.corpus, args.index)
    elif args.action == "query":
        output = run_queries(args.system, args.index, args.repeat)
    else:
        output = newsgrep_top(args.index)
    json.dump(output, sys.stdout)


if __name__ == "__main__":
    main()
