"""Faults, in their fast variants: index runs killed (SIGKILL) and interrupted (SIGINT) at
random moments, writes that fail (file size limit, a full file system), two runs at once,
and searches while a run commits. The real CLI runs as a process throughout.

The full harnesses, with the figures in docs/reliability.md, are `python -m
bench.reliability.crash`, `.diskfull`, `.concurrency` and `.soak`; the checks they and
these tests share are in bench/reliability/checks.py.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.reliability.checks import PYTHON_ERROR, check_exact, cli, has_traceback
from bench.reliability.concurrency import search_during_run
from bench.reliability.model import Texts, mutate, record_count, write_state
from bench.reliability.runs import Workbench, index_command
from newsgrep.engine.folder import IndexStore
from newsgrep.errors import IndexWriteError
from newsgrep.indexer import run_index

FILES = 150


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts(None, seed=7)  # made-up words: no need for ../shared


@pytest.fixture
def bench(tmp_path: Path, texts: Texts) -> Workbench:
    """A folder of FILES files, indexed."""
    workbench = Workbench(tmp_path, texts, FILES, seed=11)
    workbench.index_now()
    return workbench


def _mutated(bench: Workbench, **rates: float) -> tuple[dict[str, int], dict[str, int]]:
    old = bench.state
    change = mutate(old, bench.rng, **rates)
    write_state(bench.root, bench.texts, change.state, old, change.touched)
    return old, change.state


# --- crash safety -----------------------------------------------------------------------


def test_sigkill_at_random_moments_leaves_the_old_or_the_new_index(bench: Workbench) -> None:
    bench.calibrate(updates=1, parallel=True)  # how long runs take, to aim the signals
    attacks = [
        bench.attack(signal.SIGKILL, aim, run=run, parallel=parallel, recovery=recovery)
        for aim, run, parallel, recovery in [
            ("uniform", "update", False, "index"),
            ("commit", "update", True, "repair"),
            ("commit", "rebuild", False, "index"),
            ("uniform", "first", False, "repair"),
            ("commit", "first", True, "index"),
        ]
    ]
    assert [a.violations for a in attacks] == [()] * len(attacks)
    assert all(a.state in ("old", "new") for a in attacks)
    assert [attacks[1].writer, attacks[4].writer] == ["parallel", "parallel"]


def test_a_run_that_ends_just_before_its_signal_is_not_counted_as_killed(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The harness polls, then signals: a run that ended in between used to read as
    # "SIGKILL gave exit 0". Here the signal is due at once, and every poll of the run
    # waits until it has ended, then says it is still running (without reaping it): the
    # signal reaches a process that has already exited, which counts as finished.
    real_poll = subprocess.Popen.poll

    def poll_too_late(self: subprocess.Popen[bytes]) -> int | None:
        if self.returncode is not None:
            return real_poll(self)
        os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
        return None

    monkeypatch.setattr(bench, "typical", lambda kind: 1e-9)
    monkeypatch.setattr(subprocess.Popen, "poll", poll_too_late)

    attack = bench.attack(signal.SIGKILL, "uniform")

    assert attack.violations == ()
    assert (attack.phase, attack.exit_code, attack.state) == ("finished", 0, "new")


def test_a_sigint_in_pythons_own_start_up_is_told_apart_from_one_in_newsgrep() -> None:
    from bench.reliability.runs import _python_start

    start_up = (
        "Traceback (most recent call last):\n"
        '  File "<frozen runpy>", line 15, in <module>\n'
        '  File "/usr/lib/python3.11/contextlib.py", line 363, in <module>\n'
        "KeyboardInterrupt\n"
    )
    ours = start_up.replace("<frozen runpy>", "/work/x/newsgrep/indexer.py")
    assert _python_start(start_up) and not _python_start(ours)
    assert not _python_start("newsgrep: interrupted\n")


def test_sigint_at_random_moments_stops_cleanly_with_exit_130(bench: Workbench) -> None:
    bench.calibrate(updates=1)
    attacks = [
        bench.attack(signal.SIGINT, aim, run=run)
        for aim, run in [("uniform", "update"), ("commit", "update"), ("uniform", "first")]
    ]
    assert [a.violations for a in attacks] == [(), (), ()]
    for attack in attacks:
        # 130, or death by SIGINT (which a shell reports as 130) in the last milliseconds
        # of a process whose work is done.
        assert attack.exit_code in ((0,) if attack.phase == "finished" else (130, -2))


def test_sigint_while_python_loads_newsgrep_is_exit_130_without_traceback(
    tmp_path: Path,
) -> None:
    # Ctrl-C during the imports (before the command runs) once gave a KeyboardInterrupt
    # traceback. Make the first import slow so that the signal surely lands there.
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(
        "import sys, time\n"
        "class Slow:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'newsgrep.cli':\n"
        "            open(sys.argv[-1], 'w').close(); time.sleep(30)\n"
        "sys.meta_path.insert(0, Slow())\n"
    )
    ready = tmp_path / "importing"
    process = subprocess.Popen(
        [sys.executable, "-m", "newsgrep", "--version", str(ready)],
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(slow), "PATH": "/usr/bin:/bin"},
    )
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr.strip() == "newsgrep: interrupted"


def test_a_run_that_dies_before_its_first_commit_leaves_an_index_that_the_next_run_builds(
    tmp_path: Path, texts: Texts, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Workbench(tmp_path, texts, 20)
    calls = []

    def crash_on_write(path: Path, text: str) -> None:
        calls.append(path)
        raise KeyboardInterrupt  # a run stopped while it creates the index

    monkeypatch.setattr("newsgrep.engine.folder.write_atomically", crash_on_write)
    with pytest.raises(KeyboardInterrupt):
        run_index(bench.index_dir, [bench.root])
    monkeypatch.undo()
    assert calls
    done = cli("index", bench.root, "--index", bench.index_dir)
    assert done.returncode == 0, done.stderr
    assert check_exact(bench.index_dir, bench.root, bench.state).violations == ()


# --- first runs, killed -----------------------------------------------------------------

# The very first `newsgrep index` (the real CLI, in its own process) SIGKILLed at one point:
# while it creates the index (at its first table of contents), just after, while reading
# files, at the commit's table of contents, or after it, before the clean-up; "parallel-"
# points with the worker processes writing (the size threshold lowered to 1 byte).
KILLED_FIRST_RUN = """
import os, signal, sys
import whoosh.index
import newsgrep.engine.generations
import newsgrep.engine.transaction
import newsgrep.indexer
import newsgrep.indexing_pass

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point, news, index_dir = sys.argv[1:4]
if point.startswith("parallel-"):
    newsgrep.engine.transaction.PARALLEL_MIN_BYTES = 1
    point = point.removeprefix("parallel-")
real_write, real_parse = whoosh.index.TOC.write, newsgrep.indexing_pass.parse_article_file
parsed = []

def write(toc, *args, **kwargs):
    if (point == "creating" and toc.generation == 0) or (point == "commit" and toc.generation):
        die()
    return real_write(toc, *args, **kwargs)

def parse(name, data, **kwargs):
    parsed.append(name)
    if (point == "created" and len(parsed) == 1) or (point == "reading" and len(parsed) == 50):
        die()
    return real_parse(name, data, **kwargs)

whoosh.index.TOC.write = write
newsgrep.indexing_pass.parse_article_file = parse
if point == "cleanup":
    newsgrep.engine.generations._clean_files = die
sys.argv = ["newsgrep", "index", news, "--index", index_dir, "-q"]
from newsgrep.cli import run
run()
"""


# Each point once, the two ways of recovering taking turns (both at the commits, where
# what is left differs most); the crash harness runs the whole cross on bench machines.
@pytest.mark.parametrize(
    ("point", "recovery"),
    [
        ("creating", "index"),
        ("created", "repair"),
        ("reading", "index"),
        ("commit", "repair"),
        ("commit", "index"),
        ("cleanup", "repair"),
        ("parallel-reading", "repair"),
        ("parallel-commit", "index"),
        ("parallel-commit", "repair"),
    ],
)
def test_a_first_run_killed_anywhere_leaves_an_index_that_says_so_and_is_then_finished(
    tmp_path: Path, texts: Texts, point: str, recovery: str
) -> None:
    bench = Workbench(tmp_path, texts, 100)
    env = {**os.environ, "NEWSGREP_WORKERS": "2"}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_FIRST_RUN, point, str(bench.root), str(bench.index_dir)],
        capture_output=True,
        timeout=120,
        env=env,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    committed = point == "cleanup"
    search = cli("search", "ngfaultmark", "-c", "--index", bench.index_dir)
    if committed:
        articles = sum(record_count(name, version) for name, version in bench.state.items())
        assert (search.returncode, search.stdout.strip()) == (0, str(articles))
    else:  # "no index yet", in one line
        assert search.returncode == 2 and search.stdout == ""
        assert len(search.stderr.strip().splitlines()) == 1
        no_index = "no index yet at" if point == "creating" else "no articles yet"
        assert no_index in search.stderr, search.stderr
    check = cli("check", "--index", bench.index_dir)
    assert not PYTHON_ERROR.search(check.stdout + check.stderr), check.stdout + check.stderr
    assert check.returncode == 1
    assert ("unfinished" in check.stdout) != committed
    record = json.loads(cli("check", "--json", "--index", bench.index_dir).stdout)
    allowed = {"leftover"} if committed else {"unfinished", "unindexed", "leftover"}
    assert {problem["kind"] for problem in record["problems"]} <= allowed
    assert record["folders"] == [str(bench.root.resolve())]

    if recovery == "index":
        done = cli("index", "--index", bench.index_dir)
    else:
        done = cli("check", "--repair", "--index", bench.index_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert check_exact(bench.index_dir, bench.root, bench.state).violations == ()


# --- write errors -----------------------------------------------------------------------


def _file_size_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("limit", [4_096, 65_536])
def test_file_size_limit_mid_commit_is_exit_2_with_one_line_and_the_index_intact(
    bench: Workbench, limit: int
) -> None:
    before = cli("search", "ngfaultmark", "-l", "-n", "0", "--index", bench.index_dir).stdout
    old, new = _mutated(bench, change=0.5)
    done = subprocess.run(
        index_command(bench.root, bench.index_dir),
        capture_output=True,
        text=True,
        preexec_fn=lambda: _file_size_limit(limit),
        timeout=120,
    )
    assert done.returncode == 2
    assert not has_traceback(done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1
    assert "could not update the index" in done.stderr
    assert "File too large" in done.stderr
    assert "left as it was" in done.stderr
    after = cli("search", "ngfaultmark", "-l", "-n", "0", "--index", bench.index_dir).stdout
    assert after == before
    assert check_exact(bench.index_dir, bench.root, old, current=False).violations == ()
    # Once there is room, the next run does the job.
    assert cli("index", "--index", bench.index_dir).returncode == 0
    assert check_exact(bench.index_dir, bench.root, new, use_cli=False).violations == ()


def test_a_failed_commit_leaves_no_files_behind(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    _mutated(bench, change=0.3)
    files_before = sorted(p.name for p in bench.index_dir.iterdir())

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("whoosh.index.TOC.write", disk_full)
    with pytest.raises(IndexWriteError) as caught:
        run_index(bench.index_dir, [bench.root])
    assert "No space left on device (ENOSPC)" in str(caught.value)
    assert "free some disk space" in (caught.value.hint or "")
    # The new segment's files and the new generation's manifest are gone again.
    assert sorted(p.name for p in bench.index_dir.iterdir()) == files_before


@contextlib.contextmanager
def _small_file_system(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            capture_output=True,
        )
    except OSError as error:  # no mount command
        pytest.skip(f"cannot mount a tmpfs here: {error}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_file_system_is_exit_2_and_the_index_intact(tmp_path: Path, texts: Texts) -> None:
    with _small_file_system(tmp_path / "small", "600k") as small:
        bench = Workbench(tmp_path, texts, 40)
        bench.index_dir = small / "index"
        bench.index_now()
        old, _ = _mutated(bench)
        with contextlib.suppress(OSError), open(small / "filler", "wb") as filler:
            while True:  # until the file system is full
                filler.write(b"\0" * 4096)
                filler.flush()
        for _ in range(3):  # more files than ever fit
            _mutated(bench, change=0.9, add=0.5)
        done = cli("index", bench.root, "--index", bench.index_dir)
        assert done.returncode == 2, done.stderr
        assert not has_traceback(done.stderr)
        assert "No space left on device (ENOSPC)" in done.stderr
        assert check_exact(bench.index_dir, bench.root, old, current=False).violations == ()


# --- concurrency ------------------------------------------------------------------------


def test_a_second_run_waits_then_fails_naming_the_first(bench: Workbench) -> None:
    store = IndexStore(bench.index_dir)
    with store.lock(0):  # this process is "the first run"
        started = time.monotonic()
        done = cli("index", "--index", bench.index_dir, "--wait", "0.5")
        waited = time.monotonic() - started
    assert done.returncode == 2
    assert f"pid {os.getpid()}" in done.stderr
    assert "being updated by another newsgrep run" in done.stderr
    assert "gave up after 0.5 s" in done.stderr
    assert waited >= 0.5
    assert check_exact(bench.index_dir, bench.root, bench.state, use_cli=False).violations == ()


def test_two_runs_at_once_the_second_waits_and_both_succeed(bench: Workbench) -> None:
    _, new = _mutated(bench, change=0.5)
    first = subprocess.Popen(index_command(bench.root, bench.index_dir))
    lock = bench.index_dir / "newsgrep.lock"
    deadline = time.monotonic() + 30
    while f"pid {first.pid}," not in lock.read_text() and time.monotonic() < deadline:
        time.sleep(0.005)
    second = cli("index", "--index", bench.index_dir, "--wait", "60")
    assert first.wait(timeout=60) == 0
    assert second.returncode == 0, second.stderr
    assert check_exact(bench.index_dir, bench.root, new).violations == ()


def test_a_search_session_opened_before_commits_keeps_working_after_them(
    bench: Workbench,
) -> None:
    # Whoosh reads stored fields and columns lazily; a commit used to delete the files of
    # the generation a session had opened, and the session then failed (TypeError, or the
    # index "damaged"). A session now opens them at once.
    from bench.reliability.checks import judge, session_snapshot
    from newsgrep.engine.session import SearchSession
    from newsgrep.model import Facet

    old, new = _mutated(bench, change=0.5)
    with SearchSession(bench.index_dir) as session:
        run_index(bench.index_dir, rebuild=True)  # every old segment replaced
        run_index(bench.index_dir, rebuild=True)  # and now deleted
        verdict = judge(session_snapshot(session, bench.root), old, old)
        assert verdict.violations == ()
        assert sum(count for _, count in session.count_by(Facet.SOURCE)) == verdict.total
        name = sorted(old)[0]
        assert session.articles(str(bench.root / name))
    assert check_exact(bench.index_dir, bench.root, new, use_cli=False).violations == ()


def test_stats_during_a_commit_does_not_trip_over_deleted_files(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsgrep import stats

    real_is_file = Path.is_file

    def is_file_then_deleted(self: Path) -> bool:
        found = real_is_file(self)
        if found and self.name.startswith("MAIN_"):
            self.unlink()  # a run's clean-up removes it just after it was seen
        return found

    expected = stats.index_stats(bench.index_dir).articles
    monkeypatch.setattr(Path, "is_file", is_file_then_deleted)
    committed = IndexStore(bench.index_dir).latest_generation()
    monkeypatch.setattr(stats, "SearchSession", _NoSession(expected, committed))
    assert stats.index_stats(bench.index_dir).articles == expected


class _NoSession:
    """Stands in for SearchSession where only the folder walk is under test."""

    def __init__(self, articles: int, generation: int) -> None:
        self.articles = articles
        self.generation = generation

    def __call__(self, index_dir: Path) -> _NoSession:
        return self

    def __enter__(self) -> _NoSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def article_count(self) -> int:
        return self.articles

    def date_span(self) -> tuple[None, None]:
        return None, None

    def count_by(self, facet: object) -> list[tuple[str, int]]:
        return []


def test_searches_during_a_commit_all_succeed_with_the_old_or_new_results(
    bench: Workbench,
) -> None:
    outcome = search_during_run(bench, rng=random.Random(3), rebuild=True, threads=3)
    assert outcome.failures == []
    assert outcome.searches >= 12
    assert check_exact(bench.index_dir, bench.root, bench.state, use_cli=False).violations == ()
