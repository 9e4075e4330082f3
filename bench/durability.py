"""What durable commits cost: a build and a refresh of Reuters-21578, as one JSON Lines file
and as a folder of .txt files, timed for the `newsgrep` of each checkout given.

    python bench/durability.py --source before=../before --source after=.   # the comparison
    python bench/durability.py --rounds 5                                   # this checkout

A refresh of the file appends one story to it; a refresh of the folder changes 10 files and
adds 10 (as `bench/run.py`'s refresh phase does). The checkouts take turns within each round
(build, build, …; refresh, refresh, …), so that a busy machine slows them alike. Figures:
the median wall-clock seconds of `newsgrep index … -q` as a process, and the fsync calls
(and fdatasync) every process of the run made and the seconds spent in them, recorded by a
`sitecustomize` that wraps `os.fsync` (the worker processes load it too). The folder corpus
is bench/data's 1x corpus.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import REPO, REUTERS_JSONL, ensure_corpus, mutate, restore

TIMER = r"""
import os, time

_log = os.environ.get("NEWSGREP_BENCH_FSYNC_LOG")
if _log:
    def _timed(real):
        def call(fd):
            started = time.perf_counter()
            real(fd)
            took = time.perf_counter() - started
            handle = os.open(_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(handle, f"{took:.6f}\n".encode())
            finally:
                os.close(handle)
        return call

    os.fsync = _timed(os.fsync)
    os.fdatasync = _timed(os.fdatasync)
"""


def index_run(source: Path, timer: Path, log: Path, *args: str | Path) -> tuple[float, int, float]:
    """`newsgrep index ARGS -q` with `source`'s newsgrep: (seconds, fsyncs, fsync seconds)."""
    env = {**os.environ, "PYTHONPATH": f"{timer}{os.pathsep}{source}"}
    env["NEWSGREP_BENCH_FSYNC_LOG"] = str(log)
    log.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "newsgrep", "index", *map(str, args), "-q"],
        check=True,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=source,
    )
    seconds = time.perf_counter() - started
    calls = [float(line) for line in log.read_text().split()] if log.exists() else []
    return seconds, len(calls), sum(calls)


def summary(runs: list[tuple[float, int, float]]) -> dict[str, object]:
    return {
        "seconds": statistics.median(run[0] for run in runs),
        "runs": [round(run[0], 3) for run in runs],
        "fsyncs": statistics.median(run[1] for run in runs),
        "fsync_seconds": statistics.median(run[2] for run in runs),
    }


def append_story(jsonl: Path, number: int) -> None:
    with open(REUTERS_JSONL, encoding="utf-8") as handle:
        story = json.loads(next(handle))
    story["id"] = f"appended-{number}"
    with open(jsonl, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(story) + "\n")


def measure(sources: dict[str, Path], rounds: int) -> dict[str, object]:
    for source in sources.values():
        # Bytecode written once: with PYTHONDONTWRITEBYTECODE set, every process would
        # compile newsgrep again (~50 ms each; see bench/run.py).
        compileall.compile_dir(str(source / "newsgrep"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="newsgrep-durability-"))
    timer = work / "timer"
    timer.mkdir()
    (timer / "sitecustomize.py").write_text(TIMER, encoding="utf-8")
    log = work / "fsync.log"
    results: dict[str, object] = {}
    try:
        folder = ensure_corpus(1)
        jsonl = work / "reuters.jsonl"
        for corpus in ("file", "folder"):
            target = jsonl if corpus == "file" else folder.root
            builds: dict[str, list[tuple[float, int, float]]] = {name: [] for name in sources}
            refreshes: dict[str, list[tuple[float, int, float]]] = {name: [] for name in sources}
            indexes = {name: work / f"index-{corpus}-{name}" for name in sources}
            for _ in range(rounds):
                for name, source in sources.items():
                    shutil.rmtree(indexes[name], ignore_errors=True)
                    if corpus == "file":
                        shutil.copyfile(REUTERS_JSONL, jsonl)
                    else:
                        restore(folder)
                    run = index_run(source, timer, log, target, "--index", indexes[name])
                    builds[name].append(run)
            # Every index now holds the same files; each round changes them once, and
            # every checkout refreshes its own index.
            for number in range(1, rounds + 1):
                if corpus == "file":
                    append_story(jsonl, number)
                else:
                    mutate(folder, number)
                for name, source in sources.items():
                    refreshes[name].append(index_run(source, timer, log, "--index", indexes[name]))
            if corpus == "folder":
                restore(folder)
            results[corpus] = {
                name: {"build": summary(builds[name]), "refresh": summary(refreshes[name])}
                for name in sources
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="a checkout to time (repeatable; default: this one)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    sources = dict(item.split("=", 1) for item in args.source) or {"this": str(REPO)}
    results = measure({name: Path(d).resolve() for name, d in sources.items()}, args.rounds)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
