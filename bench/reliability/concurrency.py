"""Concurrency: searches while `newsgrep index` commits, and two index runs at once.

    python -m bench.reliability.concurrency                  # 2,000 files, 8 runs, 4 searchers
    python -m bench.reliability.concurrency --runs 2 --files 300

Searches: while each index run (an update, or every third a --rebuild) goes on, several
threads search at once, each in its own way: a new `SearchSession` per search (in this
process), one long-lived `SearchSession` kept open across the commit, `newsgrep search
--json` and `newsgrep search -c` as processes. Every search must succeed and list exactly
the old or the new state (a session kept open must keep seeing the one it opened on).

Two runs: a run is started while another holds the lock; with `--wait 0.5` it must fail
(exit 2) naming the first run's pid; with a long wait it must succeed after the first, and
the index must then match the folder.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpus import REUTERS_JSONL
from bench.reliability.checks import (
    CLI_TIMEOUT,
    Snapshot,
    Verdict,
    check_exact,
    cli,
    cli_snapshot,
    has_traceback,
    judge,
    session_snapshot,
)
from bench.reliability.model import (
    MARK,
    State,
    Texts,
    expected_ids,
    mutate,
    record_count,
    write_state,
)
from bench.reliability.report import log, machine, seconds, table
from bench.reliability.runs import Workbench, index_command

KINDS = ("session per search", "long-lived session", "CLI --json", "CLI -c")


def article_count(state: State) -> int:
    return sum(len(expected_ids(name, version)) for name, version in state.items())


@dataclass(slots=True)
class Outcome:
    searches: int = 0
    during_run: int = 0  # searches that started while the index process was running
    during_commit: int = 0  # … after its manifest appeared (i.e. while it committed)
    failures: list[str] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)  # old / new / same
    latency: dict[str, list[float]] = field(default_factory=dict)
    run_seconds: list[float] = field(default_factory=list)


class _Searcher(threading.Thread):
    """One thread searching one way until told to stop."""

    def __init__(self, kind: str, bench: Workbench, run: _Run) -> None:
        super().__init__(daemon=True)
        self.kind = kind
        self.bench = bench
        self.run_ = run

    def run(self) -> None:
        from newsgrep.engine.session import SearchSession

        long_lived: Any = None
        first_state: str | None = None
        try:
            if self.kind == "long-lived session":
                long_lived = SearchSession(self.bench.index_dir).__enter__()
            while not self.run_.stop.is_set():
                started = time.perf_counter()
                phase = self.run_.phase()
                try:
                    snap = self._search(long_lived)
                    verdict = judge(snap, self.run_.old, self.run_.new)
                    problems = list(verdict.violations)
                except Exception as error:
                    verdict = Verdict((), "error", 0, False)
                    problems = [f"{type(error).__name__}: {error}"]
                elapsed = time.perf_counter() - started
                if long_lived is not None:
                    first_state = first_state or verdict.state
                    if verdict.state != first_state:
                        problems.append(f"one session saw {first_state}, then {verdict.state}")
                self.run_.record(self.kind, phase, verdict.state, elapsed, problems)
        finally:
            if long_lived is not None:
                long_lived.__exit__(None, None, None)

    def _search(self, long_lived: Any) -> Snapshot:
        from newsgrep.engine.session import SearchSession

        root = self.bench.root
        if long_lived is not None:
            return session_snapshot(long_lived, root)
        if self.kind == "session per search":
            with SearchSession(self.bench.index_dir) as session:
                return session_snapshot(session, root)
        if self.kind == "CLI --json":
            return cli_snapshot(self.bench.index_dir, root)
        done = cli("search", MARK, "-c", "--all", "--no-synonyms", "--index", self.bench.index_dir)
        snap = Snapshot()
        if done.returncode != 0 or has_traceback(done.stderr):
            snap.violations.append(f"search -c exit {done.returncode}: {done.stderr[:300]}")
            return snap
        count = int(done.stdout)
        # A count cannot say which files; it must be the old or the new total.
        state = self.run_.old if count == article_count(self.run_.old) else self.run_.new
        if count != article_count(state):
            snap.violations.append(f"search -c counted {count}")
        snap.files = {
            name: [
                (version, 0, record_count(name, version), article_id)
                for article_id in expected_ids(name, version)
            ]
            for name, version in state.items()
        }
        snap.total = count
        return snap


class _Run:
    """The shared state of one index run and its searchers."""

    def __init__(self, old: State, new: State, manifest: Path, outcome: Outcome) -> None:
        self.old, self.new = old, new
        self.manifest = manifest
        self.outcome = outcome
        self.stop = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.count = 0

    def phase(self) -> str:
        if self.process is None or self.process.poll() is not None:
            return "after"
        return "commit" if self.manifest.exists() else "run"

    def record(
        self, kind: str, phase: str, state: str, elapsed: float, problems: list[str]
    ) -> None:
        with self.lock:
            outcome = self.outcome
            self.count += 1
            outcome.searches += 1
            outcome.during_run += phase in ("run", "commit")
            outcome.during_commit += phase == "commit"
            outcome.by_kind[kind] += 1
            outcome.seen[state] += 1
            outcome.latency.setdefault(kind, []).append(elapsed)
            outcome.failures.extend(f"{kind} ({phase}): {problem}" for problem in problems)


def search_during_run(
    bench: Workbench,
    *,
    rng: random.Random,
    rebuild: bool = False,
    threads: int = 4,
    min_searches: int = 12,
    outcome: Outcome | None = None,
) -> Outcome:
    """Mutate the folder, run `newsgrep index`, and search from `threads` threads (each of
    one kind, in turn) until the run has ended and `min_searches` were made."""
    outcome = outcome if outcome is not None else Outcome()
    old = bench.state
    change = mutate(old, rng, change=0.2)
    write_state(bench.root, bench.texts, change.state, old, change.touched)
    from bench.reliability.runs import latest_generation

    manifest = bench.index_dir / f"manifest-{latest_generation(bench.index_dir) + 1}.json"
    run = _Run(old, change.state, manifest, outcome)
    searchers = [_Searcher(KINDS[i % len(KINDS)], bench, run) for i in range(threads)]
    for searcher in searchers[1:]:
        searcher.start()  # the long-lived session (the second) opens before the run
    time.sleep(0.2)
    started = time.perf_counter()
    run.process = subprocess.Popen(
        index_command(bench.root, bench.index_dir, rebuild=rebuild),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    searchers[0].start()
    _, stderr = run.process.communicate(timeout=CLI_TIMEOUT * 5)
    outcome.run_seconds.append(time.perf_counter() - started)
    if run.process.returncode != 0:
        outcome.failures.append(f"index run exit {run.process.returncode}: {stderr.decode()}")
    while run.count < min_searches and any(searcher.is_alive() for searcher in searchers):
        time.sleep(0.05)
    if not all(searcher.is_alive() for searcher in searchers):
        outcome.failures.append("a searcher thread died (see its traceback on stderr)")
    run.stop.set()
    for searcher in searchers:
        searcher.join()
    bench.state = change.state
    return outcome


@dataclass(frozen=True, slots=True)
class LockTrial:
    what: str
    exit_code: int
    held: bool
    detail: str


def two_runs(bench: Workbench, rng: random.Random) -> list[LockTrial]:
    """A second run with a short wait fails naming the first; with a long one it succeeds."""
    trials = []
    for wait in ("0.5", "120"):
        old = bench.state
        change = mutate(old, rng, change=0.3)
        write_state(bench.root, bench.texts, change.state, old, change.touched)
        first = subprocess.Popen(
            index_command(bench.root, bench.index_dir, rebuild=True),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        lock = bench.index_dir / "newsgrep.lock"
        while first.poll() is None and f"pid {first.pid}," not in _read(lock):
            time.sleep(0.002)
        second = cli("index", "--index", bench.index_dir, "--wait", wait, timeout=300)
        first.communicate()
        first_code = first.returncode
        bench.state = change.state
        exact = check_exact(bench.index_dir, bench.root, change.state, use_cli=False)
        message = second.stderr.strip()
        if wait == "0.5":
            held = (
                second.returncode == 2
                and f"pid {first.pid}" in message
                and len(message.splitlines()) == 1
                and first_code == 0
                and not exact.violations
            )
        else:
            held = second.returncode == 0 and first_code == 0 and not exact.violations
        detail = message.splitlines()[0] if message else "(no message)"
        trials.append(
            LockTrial(
                f"second run, --wait {wait}",
                second.returncode,
                held,
                detail + "".join(f"; {v}" for v in exact.violations),
            )
        )
    return trials


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=8, help="index runs searched during")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--synthetic", action="store_true")
    args = parser.parse_args(argv)
    texts = Texts(None if args.synthetic else REUTERS_JSONL, seed=args.seed)
    rng = random.Random(args.seed)
    outcome = Outcome()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsgrep-concurrency-") as work:
        bench = Workbench(Path(work), texts, args.files, seed=args.seed)
        log(f"concurrency: {args.files} files of {texts.source} text")
        bench.index_now()
        for n in range(1, args.runs + 1):
            rebuild = n % 3 == 0
            before = outcome.searches
            search_during_run(
                bench, rng=rng, rebuild=rebuild, threads=args.threads, outcome=outcome
            )
            log(
                f"  run {n} ({'rebuild' if rebuild else 'update'}, "
                f"{outcome.run_seconds[-1]:.2f} s): {outcome.searches - before} searches, "
                f"{len(outcome.failures)} failures so far"
            )
        trials = two_runs(bench, rng)
    failures = outcome.failures + [f"{t.what}: {t.detail}" for t in trials if not t.held]
    print(f"## Concurrency ({machine()})\n")
    print(
        f"{args.files} files ({texts.source}), {args.runs} index runs "
        f"(runs took {seconds(outcome.run_seconds)} s, median / max), {args.threads} searchers; "
        f"{outcome.searches} searches, {outcome.during_run} of them started during a run and "
        f"{outcome.during_commit} during its commit; index seen as "
        f"{dict(outcome.seen)}; {len(failures)} failures; "
        f"{time.perf_counter() - started:.0f} s in all.\n"
    )
    print(
        table(
            ("search", "searches", "failed", "seconds (median / max)"),
            [
                (
                    kind,
                    outcome.by_kind[kind],
                    sum(f.startswith(kind) for f in outcome.failures),
                    seconds(outcome.latency.get(kind, [])),
                )
                for kind in KINDS
            ],
        )
    )
    print()
    print(
        table(
            ("two runs at once", "exit", "held", "message"),
            [(t.what, t.exit_code, "yes" if t.held else "NO", t.detail) for t in trials],
        )
    )
    for failure in failures[:50]:
        print(f"- FAILURE: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
