"""Writing a large batch of articles with every core: worker processes that each build
index segments (one, or a few in turn for a large share), and the writer in the indexing
process that commits their segments.

Whoosh spends most of a build turning documents into postings and writing them out, in pure
Python; one process uses one core. Here the indexing process keeps Whoosh's write lock, the
deletions, the merging of old segments and the commit, while each worker opens a segment
writer of its own (without the lock), turns the articles it is sent into documents and
writes them as a segment. The indexing process sends the first share of the articles to
the first worker, the next share to the next, and lists their segments in that order, so
the documents keep the order they were added in: the index answers exactly as one written
by a single process.

Workers are started with `spawn`, not `fork`: a forked worker would inherit the indexing
run's lock (see `store.IndexStore.lock`) and hold it after a crash. They ignore Ctrl-C (the
indexing process stops them), and leave when the indexing process is gone.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from newsgrep.engine.codec import NewsCodec
from newsgrep.engine.generations import NewsWriter
from newsgrep.engine.segment_writer import ArraySegmentWriter
from newsgrep.engine.storage import open_index
from newsgrep.errors import NewsgrepError

# Articles are sent in batches: one pickle per batch rather than one per article.
BATCH_SIZE = 64
POLL_SECONDS = 0.2

# What a worker runs on each item it is sent to get the fields of a Whoosh document.
MakeDocument = Callable[..., dict[str, Any]]


class WorkerError(NewsgrepError):
    """A worker process failed or vanished; the run is cancelled and the index unchanged."""


class ParallelWriter(NewsWriter):
    """A Whoosh segment writer whose added documents are written by worker processes.

    `add(worker, item, ends_file)` sends `item` (arguments for `make_document`) to a worker;
    `commit()` waits for the workers' segments and commits them with this writer's own
    changes (deletions, merged old segments) in one new generation (keeping the previous
    generation's files, as every newsgrep writer does).
    """

    def __init__(
        self,
        ix: Any,
        *,
        workers: int,
        make_document: MakeDocument,
        limitmb: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        context = multiprocessing.get_context("spawn")
        self._results: Any = context.Queue()
        pipes = [context.Pipe(duplex=False) for _ in range(workers)]
        self._feeds = [_Feed(sending) for _, sending in pipes]
        self._pending: list[list[tuple[Any, bool]]] = [[] for _ in range(workers)]
        # Files and articles each worker has written: shared counters, for progress.
        self._files_done = [context.Value("q", 0, lock=False) for _ in range(workers)]
        self._articles_done = [context.Value("q", 0, lock=False) for _ in range(workers)]
        directory = str(ix.storage.folder)
        self._processes: list[Any] = []
        # The workers start with Ctrl-C blocked (the mask is inherited), so that one
        # arriving while they start cannot print a traceback; they then ignore it.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for number in range(workers):
                process = context.Process(
                    target=_work,
                    args=(
                        directory,
                        pipes[number][0],
                        self._results,
                        number,
                        make_document,
                        {"limitmb": limitmb, **kwargs},
                        self._files_done[number],
                        self._articles_done[number],
                    ),
                    name=f"newsgrep-writer-{number}",
                    daemon=True,
                )
                process.start()
                # Only the worker keeps the receiving end: when this process dies, the
                # worker reads the end of its pipe and leaves.
                pipes[number][0].close()
                self._processes.append(process)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    @property
    def workers(self) -> int:
        return len(self._feeds)

    def add(self, worker: int, item: Sequence[Any], ends_file: bool) -> None:
        """Send `item` to `worker`; `ends_file` marks the last article of a file."""
        pending = self._pending[worker]
        pending.append((item, ends_file))
        if len(pending) >= BATCH_SIZE:
            self._send(worker)

    def written(self) -> tuple[int, int]:
        """Files and articles the workers have written so far."""
        return (
            sum(value.value for value in self._files_done),
            sum(value.value for value in self._articles_done),
        )

    def _send(self, worker: int) -> None:
        if self._pending[worker]:
            self._check_alive()
            self._feeds[worker].put(self._pending[worker])
            self._pending[worker] = []

    def commit(
        self,
        mergetype: Any = None,
        optimize: Any = None,
        merge: Any = None,
        *,
        waiting: Callable[[], None] | None = None,
    ) -> None:
        """Wait for the workers (calling `waiting` now and then), then commit everything."""
        self._check_state()
        for worker, feed in enumerate(self._feeds):
            self._send(worker)
            feed.put(None)
        try:
            finalsegments = self._merge_segments(mergetype, optimize, merge)
            worker_segments = self._collect(waiting)
            if self._added:
                finalsegments.append(self._finalize_segment())
            else:
                self._close_segment()
            for written in worker_segments:
                finalsegments.extend(written)
            self._commit_toc(finalsegments)
        except BaseException:
            self.cancel()
            raise
        self._stop_workers()
        self._finish()

    def cancel(self) -> None:
        self._stop_workers()
        if not self.is_closed:
            super().cancel()

    def _collect(self, waiting: Callable[[], None] | None) -> list[Any]:
        segments: dict[int, Any] = {}
        while len(segments) < self.workers:
            try:
                number, ok, payload = self._results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                self._check_alive(finished=set(segments))
                if waiting is not None:
                    waiting()
                continue
            if not ok:
                raise payload if isinstance(payload, BaseException) else WorkerError(payload)
            segments[number] = payload
        return [segments[number] for number in range(self.workers)]

    def _check_alive(self, finished: set[int] | None = None) -> None:
        for number, process in enumerate(self._processes):
            if finished is not None and number in finished:
                continue
            if not process.is_alive():
                raise WorkerError(
                    f"an indexing worker process stopped unexpectedly (exit code "
                    f"{process.exitcode}); the index was left as it was"
                )

    def _stop_workers(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(timeout=5)
        self._processes = []
        for feed in self._feeds:
            feed.close()


class _Feed:
    """What one worker is sent, written to its pipe by a thread: the indexing process
    goes on reading files while a worker is busy, so that every worker has work.

    Each worker takes a contiguous share of the articles, so the indexing process reads
    the whole of the first worker's share before the next worker's begins: what the first
    has not written yet waits here. It waits pickled and compressed, a few times smaller
    than the articles themselves (the largest part of the indexing process's memory)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def put(self, batch: list[tuple[Any, bool]] | None) -> None:
        """Send `batch`; None says there is nothing more."""
        if batch is None:
            self._queue.put(_END)
        else:
            self._queue.put(zlib.compress(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL), 1))

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)
        self._connection.close()

    def _run(self) -> None:
        while True:
            data = self._queue.get()
            if data is None:
                return
            try:
                self._connection.send_bytes(data)
            except OSError:  # the worker is gone; the indexing process finds out
                return
            if data == _END:
                return


# What a feed sends after its last batch (a batch is never empty).
_END = b""


def _work(
    directory: str,
    jobs: Any,
    results: Any,
    number: int,
    make_document: MakeDocument,
    writer_args: dict[str, Any],
    files_done: Any,
    articles_done: Any,
) -> None:
    """A worker: documents from `jobs` into segments, reported on `results` in order.

    A segment is finished and another begun whenever its postings fill the memory the
    writer is given (they are held until the segment is written): a worker's share of a
    large run is then a few segments, one after the other."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        # Through the same storage as the indexing process: the segment's files are fsynced
        # here, before this worker reports the segment and the commit names it.
        ix = open_index(directory)
        segments: list[Any] = []
        writer = ArraySegmentWriter(ix, _lk=False, codec=NewsCodec(), **writer_args)
        while (batch := _next_batch(jobs)) is not None:
            for item, ends_file in batch:
                writer.add_document(**make_document(*item))
                articles_done.value += 1
                files_done.value += ends_file
            if writer.full():
                segments.append(writer._finalize_segment())
                writer = ArraySegmentWriter(ix, _lk=False, codec=NewsCodec(), **writer_args)
        if writer._added:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        results.put((number, True, segments))
    except BaseException as error:  # reported to the indexing process, which raises it
        with contextlib.suppress(Exception):
            results.put((number, False, _picklable(error)))


def _next_batch(jobs: Any) -> list[tuple[Any, bool]] | None:
    try:
        data: bytes = jobs.recv_bytes()
    except EOFError:  # the indexing process is gone, and with it the run
        os._exit(1)
    if data == _END:
        return None
    batch: list[tuple[Any, bool]] = pickle.loads(zlib.decompress(data))
    return batch


def _picklable(error: BaseException) -> BaseException | str:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return f"{type(error).__name__}: {error}"
    return error
