"""Relevance benchmark: newsgrep's own search against three BM25 baselines on an IR test collection.

Run it from anywhere; newsgrep is imported as installed (bench dependencies: see below):

    python bench/relevance.py [COLLECTION_DIR] [--newsgrep-any] [--json]

COLLECTION_DIR holds `docs.jsonl` (`{"id", "title", "body", ...}` per line), `queries.jsonl`
(`{"id", "text"}`) and `qrels.tsv` (`query_id<TAB>doc_id<TAB>relevance`). The default is the
TIME Magazine collection at `../shared/corpora/time-magazine`, beside the repository.

It prints nDCG@10, MAP, P@10 and Recall@100 per system as a Markdown table, with the number of
queries that found nothing and the seconds spent building each index and running all queries
(`--json`: the same figures, and the machine, as one JSON object on stdout). Systems:

- **newsgrep** — the code and defaults the CLI uses. The documents are written to a temporary
  folder as one JSON Lines file and indexed with `newsgrep.indexer.run_index`; each query runs
  through `newsgrep.engine.session.search(index_dir, SearchRequest(query, limit=100, snippets=0))`.
  Article ids (`docs.jsonl#<id>`) are mapped back to the collection's ids. By default the query
  words are given as they are, which newsgrep ANDs; `--newsgrep-any` adds a row with the words
  joined by ` OR `. See `newsgrep_ranking`, the one function to call for ablations.
- **SQLite FTS5** — `tokenize='porter unicode61'`, columns title and body, ranked by `bm25()`;
  the query is the words, each double-quoted, joined by ` OR `.
- **tantivy** (tantivy-py) — title and body fields with the `en_stem` tokenizer, the query
  parser over both (its default is OR), default BM25.
- **bm25s** — title and body as one text, English stop words, the Snowball English stemmer
  (PyStemmer), default parameters (Lucene BM25, k1=1.5, b=0.75).

Every system gets the same query text, made from the collection's in one way: lowercased (TIME's
queries are all capitals, and Whoosh reads uppercase AND/OR/NOT/TO as operators); the characters
that are query syntax for newsgrep (Whoosh), tantivy or FTS5 replaced by spaces: quotes and
apostrophes, backticks, `: ( ) [ ] { } * ? ~ ^ + ! \\ / < > = & | , ;`; then leading and
trailing punctuation cut from each word (so no word starts with `-`, and a lone `.` is gone).
Dots and hyphens inside a word stay (`u.s`, `newly-created`): each system's own analyzer splits
or keeps them, as it would for a user.

Scoring: ir-measures (pytrec_eval) computes each query's figures from the top 100 results; a
result list is handed over with scores that follow its order (ties stay in the system's order,
not trec_eval's doc-id order). Means are over every query that has judgments, a query with no
results counting 0 (as `trec_eval -c`). Queries without judgments are left out.

Bench dependencies (the baselines are optional and imported only when run; a missing one gives a
row saying so): `ir-measures` (required), `tantivy`, `bm25s`, `PyStemmer`. SQLite FTS5 comes
with Python's sqlite3 on most builds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata
import json
import os
import platform
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from newsgrep.engine.session import search
from newsgrep.errors import QueryError
from newsgrep.indexer import run_index
from newsgrep.model import DEFAULT_RANKING, RankingSettings, SearchRequest

REPO = Path(__file__).resolve().parent.parent
DEFAULT_COLLECTION = REPO.parent / "shared" / "corpora" / "time-magazine"

# How many results each system returns per query (the cut-off of Recall@100 and MAP).
DEPTH = 100

# Reported name → ir-measures measure name.
METRICS = {"nDCG@10": "nDCG@10", "MAP": "AP", "P@10": "P@10", "Recall@100": "R@100"}

# The file newsgrep indexes; its articles get ids `docs.jsonl#<id>`.
NEWSGREP_FILE = "docs.jsonl"

# Takes a query's text, returns doc ids, best first (at most DEPTH).
Ranker = Callable[[str], list[str]]
# Builds a system's index; returns its ranker and the seconds the build took.
Builder = Callable[[], tuple[Ranker, float]]


class BenchError(Exception):
    """The collection cannot be read, or a system misbehaved; the message says how."""


class MissingDependencyError(Exception):
    """A baseline's package is not installed; the message says which."""


# --- the collection ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Doc:
    id: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Collection:
    name: str
    docs: list[Doc]
    queries: dict[str, str]  # id → text, only those with judgments
    qrels: dict[str, dict[str, int]]  # query id → doc id → relevance
    unjudged_queries: int


def load_collection(folder: Path) -> Collection:
    """Read `docs.jsonl`, `queries.jsonl` and `qrels.tsv` from `folder`.

    Raises:
        BenchError: a file is missing or malformed, or a doc id repeats.
    """
    docs: list[Doc] = []
    seen: set[str] = set()
    for number, record in enumerate(_json_lines(folder / "docs.jsonl"), start=1):
        if not isinstance(record, dict) or "id" not in record:
            raise BenchError(f"docs.jsonl record {number}: not an object with an id")
        doc = Doc(str(record["id"]), str(record.get("title") or ""), str(record.get("body") or ""))
        if doc.id in seen:
            raise BenchError(f"docs.jsonl: doc id {doc.id!r} occurs twice")
        seen.add(doc.id)
        docs.append(doc)
    queries: dict[str, str] = {}
    for number, record in enumerate(_json_lines(folder / "queries.jsonl"), start=1):
        if not isinstance(record, dict) or "id" not in record or "text" not in record:
            raise BenchError(f"queries.jsonl record {number}: not an object with id and text")
        queries[str(record["id"])] = str(record["text"])
    qrels: dict[str, dict[str, int]] = {}
    try:
        lines = (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BenchError(f"cannot read {folder / 'qrels.tsv'}: {error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[2].strip().lstrip("-").isdigit():
            raise BenchError(f"qrels.tsv line {number}: expected query_id, doc_id, relevance")
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    judged = {qid: text for qid, text in queries.items() if qid in qrels}
    if not judged:
        raise BenchError(f"{folder}: no query has judgments in qrels.tsv")
    return Collection(
        folder.name, docs, judged, {q: qrels[q] for q in judged}, len(queries) - len(judged)
    )


def _json_lines(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BenchError(f"cannot read {path}: {error}") from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError as error:
                raise BenchError(f"{path.name} line {number}: {error}") from None
    return records


# --- queries ----------------------------------------------------------------------------

# Query syntax in Whoosh (newsgrep), tantivy or FTS5, replaced by a space.
_SYNTAX = re.compile(r"""["'`:()\[\]{}*?~^+!\\/<>=&|,;]""")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


def clean_query(text: str) -> str:
    """The words of `text`, lowercased, with query syntax taken out (see the module doc)."""
    words = (_EDGE_PUNCTUATION.sub("", word) for word in _SYNTAX.sub(" ", text.lower()).split())
    return " ".join(word for word in words if word)


# --- newsgrep ---------------------------------------------------------------------------


def newsgrep_ranking(
    index_dir: Path, query: str, ranking: RankingSettings = DEFAULT_RANKING
) -> list[str]:
    """newsgrep's ranking for `query`, read in its query language as the CLI reads it: the
    article ids of the top DEPTH hits, best first. A query newsgrep rejects (e.g. only stop
    words) finds nothing. `ranking`: the settings to rank with (bench/ablations.py)."""
    try:
        result = search(index_dir, SearchRequest(query, limit=DEPTH, snippets=0), ranking)
    except QueryError:
        return []
    return [hit.id for hit in result.hits]


def build_newsgrep_index(docs: list[Doc], workdir: Path) -> tuple[Path, float]:
    """Index `docs` as newsgrep's CLI would, from one JSON Lines file; returns the index folder
    and the seconds `run_index` took.

    Raises:
        BenchError: newsgrep skipped a document or a record.
    """
    folder = workdir / "articles"
    folder.mkdir()
    with (folder / NEWSGREP_FILE).open("w", encoding="utf-8") as out:
        for doc in docs:
            record = {"id": doc.id, "title": doc.title, "body": doc.body}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    index_dir = workdir / "newsgrep-index"
    started = time.perf_counter()
    report = run_index(index_dir, [folder])
    seconds = time.perf_counter() - started
    if report.skipped or report.total_articles != len(docs):
        problems = "; ".join(str(p) for p in report.skipped_files + report.skipped_records)
        raise BenchError(
            f"newsgrep indexed {report.total_articles} of {len(docs)} docs: {problems}"
        )
    return index_dir, seconds


class NewsgrepIndex:
    """newsgrep's index of the docs, built on first use and shared by the newsgrep systems."""

    def __init__(self, docs: list[Doc], workdir: Path) -> None:
        self.docs = docs
        self.workdir = workdir
        self._built: tuple[Path, float] | None = None

    def get(self) -> tuple[Path, float]:
        """The index folder, and the seconds its build took."""
        if self._built is None:
            self._built = build_newsgrep_index(self.docs, self.workdir)
        return self._built


def newsgrep_builder(
    index: NewsgrepIndex, *, any_word: bool, ranking: RankingSettings = DEFAULT_RANKING
) -> Builder:
    """newsgrep with the query words as given (so ANDed), or joined by ` OR ` (`any_word`)."""
    prefix = NEWSGREP_FILE + "#"
    known = {doc.id for doc in index.docs}

    def doc_id(article_id: str) -> str:
        collection_id = article_id.removeprefix(prefix)
        if collection_id not in known:
            raise BenchError(f"newsgrep returned {article_id!r}, which maps to no doc")
        return collection_id

    def build() -> tuple[Ranker, float]:
        index_dir, seconds = index.get()

        def rank(query: str) -> list[str]:
            text = " OR ".join(query.split()) if any_word else query
            ranked = newsgrep_ranking(index_dir, text, ranking)
            return [doc_id(article_id) for article_id in ranked]

        return rank, seconds

    return build


# --- baselines --------------------------------------------------------------------------


def _optional(module: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(f"not installed (pip install {package})") from None


def _timed(build: Callable[[], Ranker]) -> tuple[Ranker, float]:
    started = time.perf_counter()
    ranker = build()
    return ranker, time.perf_counter() - started


def fts5_builder(docs: list[Doc]) -> Builder:
    def build() -> Ranker:
        db = sqlite3.connect(":memory:")
        try:
            db.execute(
                "CREATE VIRTUAL TABLE docs USING fts5("
                "id UNINDEXED, title, body, tokenize='porter unicode61')"
            )
        except sqlite3.OperationalError:
            raise MissingDependencyError("this Python's SQLite has no FTS5") from None
        db.executemany(
            "INSERT INTO docs (id, title, body) VALUES (?, ?, ?)",
            ((doc.id, doc.title, doc.body) for doc in docs),
        )
        db.commit()

        def rank(query: str) -> list[str]:
            words = query.split()
            if not words:
                return []
            match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
            rows = db.execute(
                "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                (match, DEPTH),
            )
            return [str(row[0]) for row in rows]

        return rank

    return lambda: _timed(build)


def tantivy_builder(docs: list[Doc]) -> Builder:
    def build() -> Ranker:
        tantivy = _optional("tantivy", "tantivy")
        schema = tantivy.SchemaBuilder()
        schema.add_text_field("id", stored=True, tokenizer_name="raw")
        schema.add_text_field("title", tokenizer_name="en_stem")
        schema.add_text_field("body", tokenizer_name="en_stem")
        index = tantivy.Index(schema.build())  # in memory
        writer = index.writer(50_000_000, 1)
        for doc in docs:
            writer.add_document(tantivy.Document(id=doc.id, title=doc.title, body=doc.body))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        searcher = index.searcher()

        def rank(query: str) -> list[str]:
            if not query:
                return []
            parsed = index.parse_query(query, ["title", "body"])
            hits = searcher.search(parsed, DEPTH, count=False).hits
            return [str(searcher.doc(address)["id"][0]) for _score, address in hits]

        return rank

    return lambda: _timed(build)


def bm25s_builder(docs: list[Doc]) -> Builder:
    def build() -> Ranker:
        bm25s = _optional("bm25s", "bm25s")
        stemmer = _optional("Stemmer", "PyStemmer").Stemmer("english")
        options: dict[str, Any] = {"stopwords": "en", "stemmer": stemmer, "show_progress": False}
        corpus = bm25s.tokenize([f"{doc.title}\n{doc.body}" for doc in docs], **options)
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        ids = [doc.id for doc in docs]
        depth = min(DEPTH, len(docs))

        def rank(query: str) -> list[str]:
            tokens = bm25s.tokenize([query], return_ids=False, **options)
            if not tokens[0]:
                return []
            found, scores = retriever.retrieve(tokens, k=depth, show_progress=False, n_threads=1)
            # bm25s always returns k docs; those scoring 0 share no word with the query.
            return [ids[i] for i, score in zip(found[0], scores[0], strict=True) if score > 0]

        return rank

    return lambda: _timed(build)


# --- running and scoring ----------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    system: str
    metrics: dict[str, float] | None = None
    no_hits: int | None = None  # queries that found nothing
    index_seconds: float | None = None
    query_seconds: float | None = None
    note: str = ""


def run_system(name: str, build: Builder, collection: Collection) -> Outcome:
    """Build `name`'s index, run every query, score the rankings."""
    try:
        rank, index_seconds = build()
    except MissingDependencyError as missing:
        return Outcome(name, note=str(missing))
    run: dict[str, list[str]] = {}
    started = time.perf_counter()
    for query_id, text in collection.queries.items():
        run[query_id] = rank(clean_query(text))[:DEPTH]
    query_seconds = time.perf_counter() - started
    return Outcome(
        name,
        metrics=evaluate(run, collection.qrels),
        no_hits=sum(1 for ranking in run.values() if not ranking),
        index_seconds=index_seconds,
        query_seconds=query_seconds,
    )


def evaluate(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean of each metric over every judged query; a query missing from `run` counts 0."""
    ir_measures = _optional("ir_measures", "ir-measures")
    measures = {name: ir_measures.parse_measure(spec) for name, spec in METRICS.items()}
    judgments = [
        ir_measures.Qrel(query_id, doc_id, relevance)
        for query_id, docs in qrels.items()
        for doc_id, relevance in docs.items()
    ]
    # Scores that follow each ranking's order, so that trec_eval keeps it as it is.
    scored = [
        ir_measures.ScoredDoc(query_id, doc_id, float(len(ranking) - position))
        for query_id, ranking in run.items()
        for position, doc_id in enumerate(ranking)
    ]
    per_query: dict[str, dict[str, float]] = {name: {} for name in measures}
    name_of = {str(measure): name for name, measure in measures.items()}
    if scored:
        for metric in ir_measures.iter_calc(list(measures.values()), judgments, scored):
            per_query[name_of[str(metric.measure)]][metric.query_id] = float(metric.value)
    return {
        name: sum(values.get(query_id, 0.0) for query_id in qrels) / len(qrels)
        for name, values in per_query.items()
    }


def similar_neighbours(index: NewsgrepIndex, collection: Collection) -> dict[str, float]:
    """How well `newsgrep similar` finds an article's fellow relevant articles: for every
    query with two or more relevant articles, each of them is given to `similar`, and the
    others count as the relevant answers. Means over those (article, query) pairs, with
    what a random ranking would give for comparison."""
    from newsgrep.engine.session import SearchSession

    index_dir, _ = index.get()
    precision, recall, random_precision = [], [], []
    with SearchSession(index_dir) as session:
        for query_id in collection.queries:
            relevant = {d for d, grade in collection.qrels.get(query_id, {}).items() if grade > 0}
            if len(relevant) < 2:
                continue
            for doc_id in sorted(relevant):
                request = SearchRequest(doc_id, limit=10, snippets=0)
                result = session.similar(f"{NEWSGREP_FILE}#{doc_id}", request)
                found = {hit.id.removeprefix(NEWSGREP_FILE + "#") for hit in result.hits}
                others = relevant - {doc_id}
                precision.append(len(found & others) / 10)
                recall.append(len(found & others) / len(others))
                random_precision.append(len(others) / (len(collection.docs) - 1))
    count = len(precision) or 1
    return {
        "pairs": float(len(precision)),
        "P@10": sum(precision) / count,
        "Recall@10": sum(recall) / count,
        "P@10 at random": sum(random_precision) / count,
    }


def machine() -> dict[str, Any]:
    """Where and with what the figures were measured."""
    versions: dict[str, str | None] = {}
    for package in ("newsgrep", "whoosh-reloaded", "tantivy", "bm25s", "PyStemmer", "ir-measures"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "date": dt.date.today().isoformat(),
        "packages": versions,
    }


# --- output -----------------------------------------------------------------------------


def table(collection: Collection, outcomes: list[Outcome]) -> str:
    lines = [
        f"{collection.name}: {len(collection.docs)} docs, {len(collection.queries)} judged "
        f"queries, top {DEPTH} per query",
        "",
        "| system | " + " | ".join(METRICS) + " | no hits | index s | queries s |",
        "| --- |" + " ---: |" * (len(METRICS) + 3),
    ]
    for outcome in outcomes:
        if outcome.metrics is None:
            lines.append(f"| {outcome.system} | {outcome.note} |" + " |" * (len(METRICS) + 2))
            continue
        figures = [f"{outcome.metrics[name]:.3f}" for name in METRICS]
        figures += [
            str(outcome.no_hits),
            f"{outcome.index_seconds:.2f}",
            f"{outcome.query_seconds:.2f}",
        ]
        lines.append(f"| {outcome.system} | " + " | ".join(figures) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Relevance of newsgrep's search against BM25 baselines on an IR collection."
    )
    parser.add_argument(
        "collection",
        nargs="?",
        type=Path,
        default=DEFAULT_COLLECTION,
        help="folder with docs.jsonl, queries.jsonl, qrels.tsv (default: %(default)s)",
    )
    parser.add_argument(
        "--newsgrep-any",
        action="store_true",
        help="also run newsgrep with the query words joined by OR",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--similar",
        action="store_true",
        help="also measure `newsgrep similar`: do an article's fellow relevant articles rank high?",
    )
    args = parser.parse_args(argv)
    try:
        _optional("ir_measures", "ir-measures")
        collection = load_collection(args.collection)
    except (BenchError, MissingDependencyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="newsgrep-bench-") as workdir:
        newsgrep = NewsgrepIndex(collection.docs, Path(workdir))
        systems = [("newsgrep (defaults)", newsgrep_builder(newsgrep, any_word=False))]
        if args.newsgrep_any:
            systems.append(("newsgrep (words OR-ed)", newsgrep_builder(newsgrep, any_word=True)))
        systems += [
            ("SQLite FTS5 (porter, bm25)", fts5_builder(collection.docs)),
            ("tantivy (en_stem, BM25)", tantivy_builder(collection.docs)),
            ("bm25s (stop words, Snowball)", bm25s_builder(collection.docs)),
        ]
        neighbours = similar_neighbours(newsgrep, collection) if args.similar else None
        outcomes = []
        for name, build in systems:
            print(f"running {name} …", file=sys.stderr)
            try:
                outcomes.append(run_system(name, build, collection))
            except BenchError as error:
                print(f"error: {name}: {error}", file=sys.stderr)
                return 1
    if args.json:
        result = {
            "collection": str(args.collection),
            "docs": len(collection.docs),
            "queries": len(collection.queries),
            "unjudged_queries_skipped": collection.unjudged_queries,
            "depth": DEPTH,
            "systems": [asdict(outcome) for outcome in outcomes],
            "similar": neighbours,
            "machine": machine(),
        }
        print(json.dumps(result, indent=2))
    else:
        print(table(collection, outcomes))
        if neighbours is not None:
            print(
                f"\nnewsgrep similar, over {neighbours['pairs']:.0f} (relevant article, query) "
                f"pairs: P@10 {neighbours['P@10']:.3f}, Recall@10 {neighbours['Recall@10']:.3f} "
                f"(a random ranking: P@10 {neighbours['P@10 at random']:.3f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
