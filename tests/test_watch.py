"""`newsgrep index --watch`: a real folder, a watcher in the background, and bounded waits
that poll for the result (never a sleep that hopes it was long enough)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import newsgrep, write_corpus

from newsgrep.check import check_index
from newsgrep.engine.session import SearchSession
from newsgrep.model import SearchRequest
from newsgrep.watch import Batch, WatchError, watch_index

WAIT_SECONDS = 30  # a ceiling for a busy machine; each wait ends as soon as it is met


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT_SECONDS} s: {what}")
        time.sleep(0.05)


def count(index_dir: Path, query: str) -> int:
    with SearchSession(index_dir) as session:
        return session.search(SearchRequest(query, limit=None)).total


class Watcher:
    """watch_index in a thread: its batches, its error, and a way to stop it."""

    def __init__(self, index_dir: Path, paths: list[Path]) -> None:
        self.batches: list[Batch] = []
        self.error: BaseException | None = None
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(index_dir, paths), daemon=True)

    def _run(self, index_dir: Path, paths: list[Path]) -> None:
        try:
            watch_index(
                index_dir,
                paths,
                on_batch=self.batches.append,
                on_ready=lambda _roots: self.ready.set(),
                stop=self.stop,
            )
        except BaseException as error:  # handed to the test
            self.error = error

    def changes(self) -> list[Batch]:
        return [b for b in self.batches if b.report and (b.report.added or b.report.removed)]


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[tuple[Watcher, Path, Path]]:
    folder = write_corpus(tmp_path / "news", {"first.txt": "First\n\nThe first story.\n"})
    index_dir = tmp_path / "index"
    running = Watcher(index_dir, [folder])
    running.thread.start()
    eventually(lambda: running.ready.is_set() or running.error is not None, "the watcher ready")
    assert running.error is None
    yield running, folder, index_dir
    running.stop.set()
    running.thread.join(WAIT_SECONDS)
    assert not running.thread.is_alive()


def test_files_that_arrive_change_and_vanish_are_indexed(
    watcher: tuple[Watcher, Path, Path],
) -> None:
    running, folder, index_dir = watcher
    assert count(index_dir, "first") == 1

    (folder / "zeppelin.txt").write_text("Zeppelin\n\nAn airship landed.\n")
    eventually(lambda: count(index_dir, "airship") == 1, "a new file searchable")
    (folder / "zeppelin.txt").write_text("Zeppelin\n\nA balloon landed.\n")
    eventually(lambda: count(index_dir, "balloon") == 1, "a changed file re-indexed")
    assert count(index_dir, "airship") == 0
    (folder / "zeppelin.txt").unlink()
    eventually(lambda: count(index_dir, "zeppelin") == 0, "a deleted file removed")
    assert running.error is None
    assert check_index(index_dir).healthy


def test_a_burst_of_files_is_a_few_commits_not_one_each(
    watcher: tuple[Watcher, Path, Path],
) -> None:
    running, folder, index_dir = watcher
    before = len(running.changes())
    for number in range(30):
        (folder / "burst" / f"{number:02}.txt").parent.mkdir(exist_ok=True)
        (folder / "burst" / f"{number:02}.txt").write_text(f"Burst {number}\n\nA burst story.\n")

    eventually(lambda: count(index_dir, "burst") == 30, "the whole burst indexed")
    assert len(running.changes()) - before <= 5


def test_changes_inside_the_index_folder_do_not_wake_the_watcher(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "news", {"a.txt": "A\n\nAlpha.\n"})
    running = Watcher(folder / "index", [folder])  # the index lies inside the watched folder
    running.thread.start()
    try:
        eventually(running.ready.is_set, "the watcher ready")
        (folder / "b.txt").write_text("B\n\nBeta.\n")
        eventually(lambda: count(folder / "index", "beta") == 1, "b.txt indexed")
        time.sleep(1.5)  # (here a pause is the point: the commits must not wake it)
        woken = [path for batch in running.batches for path in batch.changed]
        inside = str(folder / "index")
        assert woken and not [path for path in woken if path.startswith(inside)]
    finally:
        running.stop.set()
        running.thread.join(WAIT_SECONDS)


def test_a_watched_folder_that_vanishes_stops_the_watch_with_an_error(
    watcher: tuple[Watcher, Path, Path],
) -> None:
    running, folder, _ = watcher
    for path in sorted(folder.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    folder.rmdir()

    eventually(lambda: not running.thread.is_alive(), "the watcher stopped")
    assert isinstance(running.error, WatchError)
    assert f"stopped watching: {folder} is gone" in str(running.error)


def test_a_watch_limit_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import watchfiles

    def refuse(*_args: object, **_kwargs: object) -> Iterator[set[object]]:
        raise OSError('OS file watch limit reached. about ["/x"]')
        yield set()

    monkeypatch.setattr(watchfiles, "watch", refuse)
    folder = write_corpus(tmp_path / "news", {"a.txt": "A\n\nAlpha.\n"})

    result = newsgrep("index", "--index", tmp_path / "index", "--watch", folder)

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[-1].startswith(f"newsgrep: cannot watch {folder}: os file watch limit reached")
    assert "fs.inotify.max_user_watches" in lines[-1]


def test_watch_options_that_cannot_go_together(tmp_path: Path) -> None:
    for extra in (["-"], ["--rebuild", str(tmp_path)]):
        result = newsgrep("index", "--index", tmp_path / "index", "--watch", *extra)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr


def test_the_command_stops_on_ctrl_c_with_exit_130_and_the_index_intact(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "news", {"a.txt": "A\n\nAlpha.\n"})
    index_dir = tmp_path / "index"
    process = subprocess.Popen(
        [sys.executable, "-m", "newsgrep", "index", "--index", str(index_dir), "--watch", folder],
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C must reach Python even where the test runs with SIGINT ignored (a
        # background job): the child starts with the default disposition.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or ()])
    reader.start()
    try:
        seen: list[str] = []
        eventually(lambda: _read(lines, seen) and "watching" in seen[-1], "watching")
        (folder / "b.txt").write_text("B\n\nBeta.\n")
        eventually(lambda: index_dir.exists() and count(index_dir, "beta") == 1, "b.txt")
        process.send_signal(signal.SIGINT)
        process.wait(WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
        reader.join(WAIT_SECONDS)
        process.stderr.close()
    _read(lines, seen)
    assert process.returncode == 130
    assert seen[-1] == "newsgrep: stopped watching; the index holds its last commit\n"
    assert not any("Traceback" in line for line in seen)
    assert check_index(index_dir).healthy and count(index_dir, "alpha OR beta") == 2


def _read(lines: queue.Queue[str], seen: list[str]) -> bool:
    while not lines.empty():
        seen.append(lines.get())
    return bool(seen)
