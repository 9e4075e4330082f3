"""Durable commits: every file a commit needs reaches the disk before the table of contents
(TOC) that names it is renamed into place, and the folder is synced after the rename; the
manifest likewise. (The crash model: ARCHITECTURE.md, "What a crash leaves".)

The order is proven on real `newsgrep index` processes, by recording the calls that make
data durable (fsync, fdatasync) and publish it (rename, replace): through Python's `os`
functions in every process (a `sitecustomize` on the PYTHONPATH, which the parallel
writer's spawned workers load too), and, where strace is installed, as the kernel sees
them (`strace -f -y`). Both records are checked by the same rules (`check_order`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import write_corpus

from newsgrep.durable import write_atomically

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="needs /proc to name the file an fd is"
)

# Wraps os.fsync, os.fdatasync, os.rename and os.replace in every Python process started
# with this folder on its PYTHONPATH; each call appends "pid op path [path]" to the log
# once it returned (an fsync counts when it is done, a rename when it is done).
RECORDER = r"""
import os

_log = os.environ.get("NEWSGREP_TEST_SYSCALL_LOG")
if _log:
    def _where(fd):
        return os.readlink(f"/proc/self/fd/{fd}")

    def _note(*words):
        line = " ".join([str(os.getpid()), *map(str, words)]) + "\n"
        handle = os.open(_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(handle, line.encode("utf-8", "surrogateescape"))
        finally:
            os.close(handle)

    def _synced(real, name):
        def call(fd):
            real(fd)
            _note(name, _where(fd))
        return call

    def _moved(real, name):
        def call(src, dst, *args, **kwargs):
            real(src, dst, *args, **kwargs)
            _note(name, os.path.abspath(src), os.path.abspath(dst))
        return call

    os.fsync = _synced(os.fsync, "fsync")
    os.fdatasync = _synced(os.fdatasync, "fsync")
    os.rename = _moved(os.rename, "rename")
    os.replace = _moved(os.replace, "rename")

_parallel = os.environ.get("NEWSGREP_TEST_PARALLEL_MIN_BYTES")
if _parallel:  # (in every process: only the indexing process reads it)
    import newsgrep.engine.transaction as _transaction

    _transaction.PARALLEL_MIN_BYTES = int(_parallel)
if os.environ.get("NEWSGREP_TEST_KEEP_SEGMENTS"):
    # No segment merged: an update's deletions stay, and a deletions file is written.
    import newsgrep.engine.transaction as _transaction

    _transaction._merge_policy = lambda writer, segments: list(segments)
"""


@dataclass(frozen=True, slots=True)
class Event:
    op: str  # "fsync" (or fdatasync) or "rename" (or replace)
    paths: tuple[str, ...]  # fsync: the file or folder; rename: from, to


_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
_MANIFEST = re.compile(r"^manifest-(\d+)\.json$")


def check_order(events: list[Event], index_dir: Path) -> list[str]:
    """What breaks the rule in `events` (the record of one or more `newsgrep index` runs on
    `index_dir`), checked for every TOC still in the folder: the files of each segment it
    names, the TOC itself, and the manifest of its generation, each fsynced (and their
    names synced with the folder) before the TOC's rename; the folder synced after it."""
    folder = str(index_dir.resolve())
    problems = []
    renames = {
        os.path.basename(e.paths[1]): n
        for n, e in enumerate(events)
        if e.op == "rename" and os.path.dirname(e.paths[1]) == folder
    }
    first_renames: dict[str, int] = {}
    for n, e in enumerate(events):
        if e.op == "rename":
            first_renames.setdefault(e.paths[1], n)
    folder_syncs = [n for n, e in enumerate(events) if e.op == "fsync" and e.paths[0] == folder]

    def last_fsync(path: str, before: int) -> int | None:
        found = [n for n, e in enumerate(events[:before]) if e.op == "fsync" and e.paths[0] == path]
        return found[-1] if found else None

    tocs = sorted(
        (p.name for p in index_dir.iterdir() if _TOC.match(p.name)),
        key=lambda name: int(_TOC.match(name).group(1)),  # type: ignore[union-attr]
    )
    assert tocs, "no table of contents to check"
    for toc in tocs:
        generation = int(_TOC.match(toc).group(1))  # type: ignore[union-attr]
        published = renames.get(toc)
        if published is None:
            problems.append(f"{toc} was never renamed into place")
            continue
        needed = []  # (the file, the name it had when it was synced and renamed)
        toc_temp = events[published].paths[0]
        needed.append((toc_temp, toc_temp))
        for segment in _segments(index_dir, generation):
            needed += [(str(p), str(p)) for p in index_dir.glob(f"MAIN_{segment}.*")]
        ours = [f"deletions-{generation}.json"]  # (when a segment has deletions)
        if toc == tocs[-1]:  # (a commit removes the manifests of older generations)
            ours.append(f"manifest-{generation}.json")
        for name in ours:
            if name.startswith("deletions-") and not (index_dir / name).exists():
                continue
            # (the first time: a run that changes only the manifest rewrites it later)
            moved = first_renames.get(str(index_dir / name))
            if moved is None or moved > published:
                problems.append(f"{name} was not in place before {toc}")
            else:
                needed.append((events[moved].paths[0], str(index_dir / name)))
                if not any(moved < n < published for n in folder_syncs):
                    problems.append(f"the folder was not synced between {name} and {toc}")
        for synced_as, name in needed:
            synced = last_fsync(synced_as, published)
            if synced is None:
                problems.append(f"{os.path.basename(name)} not fsynced before {toc} was renamed")
            elif not any(synced < n < published for n in folder_syncs):
                problems.append(f"folder not synced between {os.path.basename(name)} and {toc}")
        if not any(n > published for n in folder_syncs):
            problems.append(f"the folder was not synced after {toc} was renamed")
    return problems


def _segments(index_dir: Path, generation: int) -> list[str]:
    from whoosh.index import TOC

    from newsgrep.engine.storage import DurableStorage

    toc = TOC.read(DurableStorage(str(index_dir)), "MAIN", generation)
    return [segment.segment_id().removeprefix("MAIN_") for segment in toc.segments]


def recorded(log: Path) -> list[Event]:
    events = []
    for line in log.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        _, op, *paths = line.split(" ")
        events.append(Event(op, tuple(paths)))
    return events


def articles(count: int, start: int = 0, version: int = 1) -> dict[str, str]:
    return {
        f"wire/{number:04}.txt": f"Title: Story {number} v{version}\n\nReport {number} on "
        f"harvest{number} and the weather in town {number % 17}, version {version}.\n" * 3
        for number in range(start, start + count)
    }


def index_runs(
    tmp_path: Path, run: object, *, workers: int, parallel_below: int | None = None
) -> tuple[Path, list[str]]:
    """A first run, an update (changes, additions, a removal) and a --rebuild, each as
    `run(command, env)`; returns the index folder and the rule's violations after each."""
    news = write_corpus(tmp_path / "news", articles(60))
    index_dir = (tmp_path / "index").resolve()
    env = {**os.environ, "NEWSGREP_WORKERS": str(workers), "NEWSGREP_TEST_KEEP_SEGMENTS": "1"}
    if parallel_below is not None:
        env["NEWSGREP_TEST_PARALLEL_MIN_BYTES"] = str(parallel_below)
    base = [sys.executable, "-m", "newsgrep", "index", "--index", str(index_dir), "-q"]
    problems = []
    for step in ("first", "update", "rebuild"):
        if step == "update":
            write_corpus(news, articles(20, version=2))
            write_corpus(news, articles(10, start=60))
            (news / "wire" / "0059.txt").unlink()
        command = base + ([str(news)] if step == "first" else [])
        command += ["--rebuild"] if step == "rebuild" else []
        events = run(command, env)  # type: ignore[operator]
        problems += [f"{step}: {p}" for p in check_order(events, index_dir)]
        if step == "update":
            assert list(index_dir.glob("deletions-*.json")), "the update deleted nothing"
    return index_dir, problems


def python_recorder(tmp_path: Path):  # type: ignore[no-untyped-def]
    site = tmp_path / "recorder"
    site.mkdir()
    (site / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")
    log = tmp_path / "syscalls.log"

    def run(command: list[str], env: dict[str, str]) -> list[Event]:
        path = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH", "")) if p)
        env = {**env, "PYTHONPATH": path, "NEWSGREP_TEST_SYSCALL_LOG": str(log)}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return recorded(log)  # every run so far: old segments were synced by earlier ones

    return run


@pytest.mark.parametrize("workers", [1, 2])
def test_a_commit_syncs_what_its_table_of_contents_names_before_renaming_it(
    tmp_path: Path, workers: int
) -> None:
    # With 2 workers the parallel writer runs (lowered threshold): their segments are
    # synced in the worker processes, before the indexing process names them.
    index_dir, problems = index_runs(
        tmp_path, python_recorder(tmp_path), workers=workers, parallel_below=1
    )
    assert problems == []
    if workers > 1:
        pids = {line.split()[0] for line in (tmp_path / "syscalls.log").read_text().splitlines()}
        assert len(pids) > 3  # the workers' fsyncs were recorded too


def test_the_order_check_catches_a_toc_renamed_before_its_files_are_synced(
    tmp_path: Path,
) -> None:
    # The rule's own test: the same record with the segment files' fsyncs moved after the
    # rename (as Whoosh's plain FileStorage never syncs them) must fail.
    run = python_recorder(tmp_path)
    index_dir, problems = index_runs(tmp_path, run, workers=1)
    assert problems == []
    events = recorded(tmp_path / "syscalls.log")
    segment_syncs = [e for e in events if e.op == "fsync" and "/MAIN_" in e.paths[0]]
    reordered = [e for e in events if e not in segment_syncs] + segment_syncs
    assert any("not fsynced before" in p for p in check_order(reordered, index_dir))
    without_folder = [e for e in events if e.paths[0] != str(index_dir)]
    assert any("folder" in p for p in check_order(without_folder, index_dir))


def test_write_atomically_syncs_the_file_then_renames_then_syncs_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        real_fsync(fd)
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))

    def replace(src: str, dst: str) -> None:
        real_replace(src, dst)
        calls.append(("rename", os.fspath(dst)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "manifest-1.json"

    write_atomically(target, "{}")

    assert [op for op, _ in calls] == ["fsync", "rename", "fsync"]
    assert calls[0][1].endswith(".tmp") and calls[1][1] == str(target)
    assert calls[2][1] == str(tmp_path)


# --- the same, as the kernel sees it ------------------------------------------------------

_STRACE_LINE = re.compile(
    r"^(?P<pid>\d+)\s+"
    r"(?:<\.\.\. (?P<resumed>\w+) resumed>(?P<rest>.*)|(?P<call>\w+)\((?P<args>.*))$"
)
_FD_PATH = re.compile(r"^\d+<(?P<path>.*)>$")


def strace_events(log: Path) -> list[Event]:
    """fsync/fdatasync/rename/renameat2 calls that succeeded, in the order they returned."""
    events, pending = [], {}
    for line in log.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        match = _STRACE_LINE.match(line)
        if match is None:
            continue
        if match["resumed"]:
            args = pending.pop(match["pid"], None)
            if args is None:
                continue
            call, text = match["resumed"], args + match["rest"]
        else:
            call, text = match["call"], match["args"]
            if text.endswith("<unfinished ...>"):
                pending[match["pid"]] = text.removesuffix("<unfinished ...>")
                continue
        if not re.search(r"\) += 0$", text):
            continue
        arguments = [a.strip() for a in text.rsplit(")", 1)[0].split(", ")]
        if call in ("fsync", "fdatasync"):
            fd = _FD_PATH.match(arguments[0])
            if fd is not None:
                events.append(Event("fsync", (fd["path"],)))
        elif call in ("rename", "renameat", "renameat2"):
            names = [a for a in arguments if a.startswith('"')]
            events.append(Event("rename", tuple(os.path.abspath(n.strip('"')) for n in names)))
    return events


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
@pytest.mark.parametrize("workers", [1, 2])
def test_under_strace_the_kernel_sees_the_same_order(tmp_path: Path, workers: int) -> None:
    probe = subprocess.run(["strace", "-f", "-o", os.devnull, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"strace cannot trace here: {probe.stderr.decode().strip()[:200]}")
    site = tmp_path / "threshold"
    site.mkdir()
    (site / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")  # (only the threshold)
    log = tmp_path / "strace.log"

    def run(command: list[str], env: dict[str, str]) -> list[Event]:
        env = {**env, "PYTHONPATH": str(site)}
        traced = [
            "strace",
            "-f",
            "-y",
            "-s",
            "4096",
            "-e",
            "trace=fsync,fdatasync,rename,renameat,renameat2",
            "-o",
            str(log.with_suffix(f".{len(list(tmp_path.glob('strace.*')))}")),
            *command,
        ]
        done = subprocess.run(traced, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        events = []
        for part in sorted(tmp_path.glob("strace.*"), key=lambda p: int(p.suffix[1:])):
            events += strace_events(part)
        return events

    index_dir, problems = index_runs(tmp_path, run, workers=workers, parallel_below=1)
    assert problems == []
    logs = [
        part.read_text(encoding="utf-8", errors="replace") for part in tmp_path.glob("strace.*")
    ]
    pids = {line.split()[0] for text in logs for line in text.splitlines()}
    assert len(pids) >= 3 * workers  # every run's processes were traced
