"""Large runs write with worker processes (see newsgrep.engine.parallel): the index must answer
exactly as one written by a single process, and a failed, interrupted or killed run must
leave the last commit as it was, with no worker left behind holding anything."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from newsgrep.engine import transaction as store
from newsgrep.engine.session import SearchSession
from newsgrep.errors import NewsgrepError
from newsgrep.indexer import run_index
from newsgrep.model import Progress, SearchRequest, Sort

WORDS = [
    "oil",
    "price",
    "opec",
    "crude",
    "barrel",
    "talks",
    "negotiations",
    "negotiate",
    "trade",
    "tariff",
    "japan",
    "wheat",
    "grain",
    "bank",
    "rates",
    "inflation",
    "dollar",
    "yen",
    "gold",
    "mining",
    "shares",
    "profit",
    "loss",
    "quarter",
]
QUERIES = ["oil", "negoti*", "opec~", "bank rates", '"crude oil"', "wheat -japan", "gold OR yen"]


def article_text(number: int) -> str:
    # Deterministic, varied text: a few words repeated with the article's own rhythm, so
    # that scores differ and ties (same words, same length) also occur.
    words = [WORDS[(number * 7 + i * (number % 5 + 1)) % len(WORDS)] for i in range(30)]
    return f"date 1987-03-{number % 28 + 1:02d}\nStory {number % 40}\n\n{' '.join(words)}.\n"


def make_corpus(folder: Path, files: int = 120) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        (folder / f"{number:04d}.txt").write_text(article_text(number), encoding="utf-8")
    # A JSON Lines file whose records are shared out between the workers.
    records = [
        {"id": f"r{n}", "title": f"Record {n}", "date": "1987-04-01", "body": article_text(n)}
        for n in range(60)
    ]
    (folder / "wire.jsonl").write_text(
        "".join(json.dumps(record) + "\n" for record in records), encoding="utf-8"
    )
    return folder


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run with something to read writes with two workers."""
    monkeypatch.setattr(store, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setenv(store.WORKERS_VARIABLE, "2")


def answers(index_dir: Path) -> list[Any]:
    with SearchSession(index_dir) as session:
        return [
            [(hit.id, hit.score) for hit in session.search(SearchRequest(q, sort=sort)).hits]
            for q in QUERIES
            for sort in (Sort.RELEVANCE, Sort.NEWEST)
        ]


def segments(index_dir: Path) -> int:
    return sum(1 for name in os.listdir(index_dir) if name.endswith(".trm"))


@pytest.fixture
def single_and_parallel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The same corpus indexed by one process (one segment) and by two workers (two)."""
    corpus = make_corpus(tmp_path / "news")
    monkeypatch.setenv(store.WORKERS_VARIABLE, "1")
    run_index(tmp_path / "single", [corpus])
    monkeypatch.setattr(store, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setenv(store.WORKERS_VARIABLE, "2")
    report = run_index(tmp_path / "parallel", [corpus])
    assert report.total_articles == 180
    return tmp_path / "single", tmp_path / "parallel"


def test_a_parallel_run_answers_exactly_as_a_single_process(
    single_and_parallel: tuple[Path, Path],
) -> None:
    single, parallel = single_and_parallel

    assert segments(single) == 1 and segments(parallel) == 2  # one per worker
    assert answers(parallel) == answers(single)


def test_a_prefix_ranks_the_same_however_the_index_is_cut_into_segments(
    single_and_parallel: tuple[Path, Path],
) -> None:
    # Whoosh scores an OR by the size of each segment: a prefix's words got a constant
    # score in one layout and BM25 scores in another.
    one, two = single_and_parallel

    def prefix_scores(index_dir: Path) -> list[tuple[str, float | None]]:
        with SearchSession(index_dir) as session:
            result = session.search(SearchRequest("negoti*", limit=20))
            return [(hit.id, hit.score) for hit in result.hits]

    assert prefix_scores(one) == prefix_scores(two)
    assert len({score for _, score in prefix_scores(one)}) > 1  # BM25, not one constant


def test_a_parallel_refresh_replaces_changed_files_and_keeps_the_rest(
    tmp_path: Path, parallel: None
) -> None:
    corpus = make_corpus(tmp_path / "news")
    index_dir = tmp_path / "index"
    run_index(index_dir, [corpus])
    (corpus / "0003.txt").write_text("date 1987-05-01\nZeppelin news\n\nAirship.\n")
    (corpus / "0004.txt").unlink()

    report = run_index(index_dir)

    assert (report.updated, report.removed, report.total_articles) == (1, 1, 179)
    with SearchSession(index_dir) as session:
        assert [h.id for h in session.search(SearchRequest("zeppelin")).hits] == ["0003.txt"]


def test_progress_counts_the_files_the_workers_have_written(tmp_path: Path, parallel: None) -> None:
    corpus = make_corpus(tmp_path / "news")
    calls: list[Progress] = []

    run_index(tmp_path / "index", [corpus], progress=calls.append)

    last = calls[-1]
    assert (last.files_done, last.files_total, last.articles) == (121, 121, 180)
    assert last.bytes_done == last.bytes_total > 0
    done = [call.files_done for call in calls]
    assert done == sorted(done)


def test_a_worker_that_dies_fails_the_run_and_keeps_the_last_commit(
    tmp_path: Path, parallel: None
) -> None:
    corpus = make_corpus(tmp_path / "news")
    index_dir = tmp_path / "index"
    run_index(index_dir, [corpus])
    before = answers(index_dir)
    for path in corpus.glob("00*.txt"):
        path.write_text(path.read_text() + "\nAmended.\n")

    killed: list[int] = []

    def kill_a_worker(progress: Progress) -> None:
        if not killed:
            worker = multiprocessing.active_children()[0]
            os.kill(worker.pid or 0, signal.SIGKILL)
            killed.append(worker.pid or 0)

    with pytest.raises(NewsgrepError, match="worker process stopped"):
        run_index(index_dir, progress=kill_a_worker)

    assert multiprocessing.active_children() == []
    assert answers(index_dir) == before
    assert run_index(index_dir).updated == 100  # the next run does the job


def test_ctrl_c_stops_the_workers_and_commits_nothing(tmp_path: Path, parallel: None) -> None:
    corpus = make_corpus(tmp_path / "news")
    index_dir = tmp_path / "index"
    run_index(index_dir, [corpus])
    before = answers(index_dir)
    (corpus / "0001.txt").write_text("date 1987-05-01\nZeppelin news\n\nAirship.\n")
    make_corpus(tmp_path / "more", files=50)

    calls: list[Progress] = []

    def interrupt(progress: Progress) -> None:
        calls.append(progress)
        if len(calls) == 1:  # while the files are read and written
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_index(index_dir, [tmp_path / "more"], progress=interrupt)

    assert multiprocessing.active_children() == []
    assert answers(index_dir) == before


RUN_PARALLEL = (
    "import sys; from newsgrep import cli; from newsgrep.engine import transaction as store; "
    "store.PARALLEL_MIN_BYTES = 0; "
    "sys.argv = ['newsgrep', *sys.argv[1:]]; cli.run()"
)


def test_workers_leave_when_the_indexing_process_is_killed(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "news", files=3000)
    index_dir = tmp_path / "index"
    env = {**os.environ, store.WORKERS_VARIABLE: "2"}
    command = [sys.executable, "-c", RUN_PARALLEL, "index", "--index", str(index_dir)]
    process = subprocess.Popen([*command, str(corpus)], env=env, stderr=subprocess.DEVNULL)
    workers = _wait_for_workers(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    # Nothing holds the lock: the next run goes ahead at once and does the whole job.
    again = subprocess.run(
        [*command, "--wait", "0", "-q", str(corpus)], env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    with SearchSession(index_dir) as session:
        assert session.search(SearchRequest("oil", limit=0)).total > 0


def _wait_for_workers(parent: int) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = _children(parent)
        if len(children) >= 2:
            return children
        time.sleep(0.05)
    raise AssertionError("the indexing process started no workers")


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append(int(entry))
    # The spawn start method also runs a resource tracker: count only the writers.
    return [pid for pid in found if _is_writer(pid)]


def _is_writer(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"spawn_main" in handle.read()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_write_error_in_a_worker_is_one_line_and_keeps_the_last_commit(
    tmp_path: Path,
) -> None:
    import resource

    # One JSON Lines file: the manifest stays a few hundred bytes, the workers' segments
    # (its records are shared out between them) grow past the file size limit.
    corpus = tmp_path / "news"
    corpus.mkdir()
    wire = corpus / "wire.jsonl"

    def write_wire(records: int) -> None:
        wire.write_text(
            "".join(
                json.dumps({"id": f"r{n}", "title": f"Record {n}", "body": article_text(n)}) + "\n"
                for n in range(records)
            ),
            encoding="utf-8",
        )

    write_wire(100)
    index_dir = tmp_path / "index"
    env = {**os.environ, store.WORKERS_VARIABLE: "2"}
    command = [sys.executable, "-c", RUN_PARALLEL, "index", "--index", str(index_dir)]
    assert subprocess.run([*command, str(corpus)], env=env, capture_output=True).returncode == 0
    before = answers(index_dir)
    write_wire(3000)

    def small_files() -> None:  # inherited by the workers, whose segment files hit it
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))

    done = subprocess.run(command, env=env, capture_output=True, text=True, preexec_fn=small_files)

    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "could not update the index" in done.stderr and "left as it was" in done.stderr
    assert "File too large" in done.stderr
    assert answers(index_dir) == before


def test_every_segment_names_newsgreps_codec_and_reads_its_stored_articles(
    single_and_parallel: tuple[Path, Path],
) -> None:
    """Every segment, whether the indexing process or a worker wrote it, names newsgrep's
    codec, whose column of stored articles (deflated against a dictionary) reads them."""
    from newsgrep.engine.codec import STORED_FIELDS_COLUMN, ArticlesReader, NewsCodec

    for index_dir in single_and_parallel:
        with SearchSession(index_dir) as session:
            leaves = [leaf for leaf, _ in session._searcher.reader().leaf_readers()]
            for leaf in leaves:
                assert type(leaf.segment().codec()) is NewsCodec
                assert leaf.stored_fields(0)["id"]
                stored = leaf._perdoc._readers[STORED_FIELDS_COLUMN]
                assert isinstance(stored, ArticlesReader)
            assert answers(index_dir)


def test_workers_whose_postings_fill_their_memory_write_several_segments_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No memory for postings: each worker finishes a segment after every batch it is sent,
    # and the index still answers as one process's single segment.
    corpus = make_corpus(tmp_path / "news")
    monkeypatch.setenv(store.WORKERS_VARIABLE, "1")
    run_index(tmp_path / "single", [corpus])
    monkeypatch.setattr(store, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(store, "WRITER_MEMORY_MB", 0)
    monkeypatch.setenv(store.WORKERS_VARIABLE, "2")
    run_index(tmp_path / "parallel", [corpus])

    assert segments(tmp_path / "parallel") > 2
    assert answers(tmp_path / "parallel") == answers(tmp_path / "single")
