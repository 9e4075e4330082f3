"""Peer: recoll, the desktop search engine (Xapian, C++), with a private configuration
folder under bench/data. Building and refreshing are `recollindex` runs; warm queries use
recoll's own Python module (Debian's python3-recoll, so they run under the system Python);
the cold search is `recollq`. Its date filter and date sort use the files' mtimes, which the
corpus sets to the stories' dates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.queries import BenchQuery

RECOLLINDEX = "recollindex"
RECOLLQ = "recollq"
SYSTEM_PYTHON = "/usr/bin/python3"


def write_config(confdir: Path, corpus: Path) -> None:
    confdir.mkdir(parents=True, exist_ok=True)
    settings = {
        "topdirs": str(corpus),
        "dbdir": str(confdir / "xapiandb"),
        "indexStemmingLanguages": "english",
        "indexedmimetypes": "text/plain",
        "noaspell": "1",
        "textfilemaxmbs": "-1",
        "loglevel": "1",
        "logfilename": str(confdir / "recoll.log"),
        "idxlogfilename": str(confdir / "recollindex.log"),
    }
    text = "".join(f"{key} = {value}\n" for key, value in settings.items())
    (confdir / "recoll.conf").write_text(text, encoding="utf-8")
    # The refresh scenarios' JSON Lines archives: plain text to recoll (it has no record
    # reader), read whole however large (textfilemaxmbs defaults to 20).
    (confdir / "mimemap").write_text(".jsonl = text/plain\n", encoding="utf-8")


def database(confdir: Path) -> Path:
    return confdir / "xapiandb"


def build_command(confdir: Path) -> list[str]:
    return [RECOLLINDEX, "-c", str(confdir), "-z"]


def refresh_command(confdir: Path) -> list[str]:
    return [RECOLLINDEX, "-c", str(confdir)]


def cold_command(confdir: Path, word: str) -> list[str]:
    return [RECOLLQ, "-c", str(confdir), "-n", "10", "-A", "-p", "1", word]


def query_text(query: BenchQuery) -> str:
    text = query.newsgrep_text()  # phrase, prefix* and words are written alike
    if query.since or query.until:
        text += f" date:{query.since or ''}/{query.until or ''}"
    return text


def open_searcher(confdir: Path) -> Callable[[BenchQuery], list[str]]:
    from recoll import recoll

    db: Any = recoll.connect(confdir=str(confdir))

    def run(bench_query: BenchQuery) -> list[str]:
        query = db.query()
        if bench_query.newest_first:
            query.sortby("mtime", ascending=False)
        query.execute(query_text(bench_query), stemming=1, stemlang="english")
        documents = query.fetchmany(10)
        for document in documents:
            query.makedocabstract(document)
        return [str(document.url).removeprefix("file://") for document in documents]

    return run
