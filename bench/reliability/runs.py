"""Index runs to attack: a corpus folder and its index, mutated between runs, with runs
started as real processes and stopped by a signal at a chosen moment.

`Workbench` keeps the state the index was last seen to hold. `attack` mutates the folder,
starts `newsgrep index` (an update, a `--rebuild`, or a first run into no index at all;
with the parallel writer forced on, if asked), sends a signal at a uniform random moment of
a typical run of that kind (or soon after the run's manifest appears, i.e. during the
commit), checks the invariants, then lets the next `newsgrep index` or `newsgrep check
--repair` finish the job and checks that the index matches the folder exactly.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.reliability.checks import check_exact, check_old_or_new, cli, has_traceback
from bench.reliability.model import State, Texts, initial_state, mutate, write_state

_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
POLL_SECONDS = 0.001


def interruptible() -> None:
    """In the attacked run's process: Ctrl-C as a terminal delivers it. A harness started in
    the background (`cmd &`) has SIGINT ignored, the run would inherit that, and no SIGINT
    would stop it (as it should not, for a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def latest_generation(index_dir: Path) -> int:
    generations = [int(m.group(1)) for n in os.listdir(index_dir) if (m := _TOC.match(n))]
    return max(generations, default=-1)


RUNS = ("first", "update", "rebuild")

# `newsgrep` with the parallel writer on for a run of any size (an update reads too little
# to use it): the size threshold lowered before the CLI starts, Ctrl-C handled as
# `newsgrep/__main__.py` handles it.
PARALLEL_NEWSGREP = """
import sys
try:
    import newsgrep.engine.transaction
    newsgrep.engine.transaction.PARALLEL_MIN_BYTES = 1
    from newsgrep.__main__ import main
except KeyboardInterrupt:
    sys.stderr.write("newsgrep: interrupted\\n")
    sys.exit(130)
sys.argv[0] = "newsgrep"
main()
"""
PARALLEL_WORKERS = "2"


def index_command(
    root: Path | None, index_dir: Path, *, rebuild: bool = False, parallel: bool = False
) -> list[str]:
    """`newsgrep index [ROOT] --index INDEX -q [--rebuild]` (no ROOT: a bare refresh)."""
    head = [sys.executable, "-c", PARALLEL_NEWSGREP] if parallel else [sys.executable, "-m"]
    args = [*head, *([] if parallel else ["newsgrep"]), "index"]
    args += [str(root)] if root is not None else []
    return args + ["--index", str(index_dir), "-q"] + (["--rebuild"] if rebuild else [])


def run_environment(parallel: bool) -> dict[str, str]:
    return {**os.environ, "NEWSGREP_WORKERS": PARALLEL_WORKERS} if parallel else dict(os.environ)


@dataclass(frozen=True, slots=True)
class Attack:
    """One signal sent to one index run, and what was found after it."""

    signal: str  # "KILL" or "INT"
    aim: str  # "uniform" (anywhere in the run) or "commit" (after the manifest appears)
    run: str  # first (no index before it) | update | rebuild
    writer: str  # "parallel" (worker processes were seen) or "single"
    delay: float  # seconds after the start
    moment: float  # delay / a typical run of this kind: where in the run the signal came
    phase: str  # startup | reading | commit | finished (the run ended before the signal)
    exit_code: int
    state: str  # what the index held after it: old | new | same | mixed
    violations: tuple[str, ...]
    recovery: str  # "index" (a bare refresh), "repair" (check --repair), "again" (see below)
    recovery_seconds: float
    check_ran: bool
    # A SIGINT that came while Python itself was starting (site, runpy), before any code of
    # newsgrep ran: Python prints its own KeyboardInterrupt traceback, which no program can
    # prevent. Counted apart, not as a violation (the index is not touched yet).
    in_python_startup: bool = False

    @property
    def rebuild(self) -> bool:
        return self.run == "rebuild"


class Workbench:
    """A folder of articles and its index, in a known state."""

    def __init__(self, work: Path, texts: Texts, files: int, seed: int = 1) -> None:
        self.root = work / "news"
        self.index_dir = work / "index"
        self.texts = texts
        self.rng = random.Random(seed)
        self.state: State = initial_state(files)
        write_state(self.root, texts, self.state)
        # Run times seen in runs that were not stopped: each kind, and their commits.
        self.durations: dict[str, list[float]] = {kind: [] for kind in (*RUNS, "commit")}

    def typical(self, kind: str) -> float:
        """The median run (or commit) time seen so far for `kind` ("update", or
        "update+parallel" for runs with the parallel writer forced on; the plain kind's
        when that has none yet)."""
        seen = sorted(self.durations.get(kind, [])[-15:])
        if not seen and "+" in kind:
            return self.typical(kind.split("+")[0])
        return seen[len(seen) // 2] if seen else 1.0

    def _record(self, kind: str, seconds: float, commit: float | None) -> None:
        self.durations.setdefault(kind, []).append(seconds)
        if commit is not None:
            self.durations["commit"].append(commit)

    def index_now(self, *, rebuild: bool = False, parallel: bool = False) -> tuple[float, float]:
        """Run `newsgrep index` to the end; (seconds, seconds spent in the commit)."""
        generation = latest_generation(self.index_dir) if self.index_dir.exists() else -1
        manifest = self.index_dir / f"manifest-{max(generation + 1, 1)}.json"
        started = time.perf_counter()
        committing = None
        with tempfile.TemporaryFile("w+") as stderr_file:
            process = subprocess.Popen(
                index_command(self.root, self.index_dir, rebuild=rebuild, parallel=parallel),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr_file,
                env=run_environment(parallel),
            )
            while process.poll() is None:
                if committing is None and manifest.exists():
                    committing = time.perf_counter()
                time.sleep(POLL_SECONDS)
            ended = time.perf_counter()
            stderr_file.seek(0)
            stderr = stderr_file.read()
        if process.returncode != 0:
            raise RuntimeError(f"newsgrep index failed ({process.returncode}): {stderr}")
        return ended - started, ended - (committing or ended)

    def calibrate(self, updates: int = 3, *, parallel: bool = False) -> None:
        """Index the folder (if not yet: a first run), then time a few updates (one more
        with the parallel writer forced on, if `parallel`) and a rebuild."""
        if not self.index_dir.exists():
            self._record("first", *self.index_now())
        for number in range(updates + parallel):
            change = mutate(self.state, self.rng)
            write_state(self.root, self.texts, change.state, self.state, change.touched)
            forced = number == updates
            self._record(
                "update+parallel" if forced else "update", *self.index_now(parallel=forced)
            )
            self.state = change.state
        self._record("rebuild", *self.index_now(rebuild=True))

    def attack(
        self,
        sig: signal.Signals,
        aim: str,
        *,
        run: str = "update",
        parallel: bool = False,
        recovery: str = "index",
        use_cli: bool = True,
    ) -> Attack:
        """Mutate the folder, start a `run` (first: into no index at all), signal it, check,
        and recover by `recovery`: a bare `newsgrep index` ("index") or `newsgrep check
        --repair` ("repair"). (A first run stopped before it recorded its folders left no
        index to refresh: it is run again, "again", as a user would.)"""
        first = run == "first"
        change = mutate(self.state, self.rng)
        write_state(self.root, self.texts, change.state, self.state, change.touched)
        old: State = {} if first else self.state
        new = change.state
        if first:
            shutil.rmtree(self.index_dir, ignore_errors=True)
            generation = -1
        else:
            generation = latest_generation(self.index_dir)
        # The run's commit writes this manifest first (a first run writes manifest-0 when
        # it creates the index, and commits generation 1).
        manifest = self.index_dir / f"manifest-{max(generation + 1, 1)}.json"
        lock = self.index_dir / "newsgrep.lock"
        kind = f"{run}+parallel" if parallel else run
        duration = self.typical(kind)
        with tempfile.TemporaryFile("w+") as stderr_file:
            started = time.perf_counter()
            process = subprocess.Popen(
                index_command(
                    self.root, self.index_dir, rebuild=run == "rebuild", parallel=parallel
                ),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr_file,
                preexec_fn=interruptible,
                env=run_environment(parallel),
            )
            if aim == "uniform":
                deadline: float | None = started + self.rng.uniform(0, duration)
            else:
                deadline = None  # set when the manifest appears
            locked = workers = False
            committing: float | None = None
            while process.poll() is None:
                now = time.perf_counter()
                if not locked:
                    locked = _holds_lock(lock, process.pid)
                if not workers:
                    workers = _has_children(process.pid)
                if committing is None and manifest.exists():
                    committing, locked = now, True
                    if deadline is None:
                        deadline = now + self.rng.uniform(0, self.typical("commit"))
                if deadline is not None and now >= deadline:
                    break
                time.sleep(POLL_SECONDS)
            delay = time.perf_counter() - started
            phase = "commit" if committing else "reading" if locked else "startup"
            if process.poll() is None:
                # (Not reaped yet, so the pid is still this process's, even if it has
                # just ended: then the signal does nothing, as below.)
                os.kill(process.pid, sig)
            exit_code = process.wait()
            if exit_code == 0 or (sig is signal.SIGKILL and exit_code != -signal.SIGKILL):
                # The run ended on its own, before the signal (or in its last instant,
                # when the signal no longer stops anything): not a kill.
                phase = "finished"
                ended = time.perf_counter()
                self._record(kind, ended - started, ended - (committing or ended))
            stderr_file.seek(0)
            stderr = stderr_file.read()
        in_python_startup = sig is signal.SIGINT and phase == "startup" and _python_start(stderr)
        violations = [] if in_python_startup else _exit_violations(sig, phase, exit_code, stderr)
        verdict = check_old_or_new(
            self.index_dir, self.root, old, new, use_cli=use_cli, first=first
        )
        violations.extend(verdict.violations)
        if phase == "finished" and verdict.state == "old":
            violations.append("the run ended normally but the index holds the old state")
        if first and not _made(self.index_dir):
            recovery = "again"
        recovery_started = time.perf_counter()
        done = subprocess.run(
            self._recovery_command(recovery), capture_output=True, text=True, timeout=600
        )
        recovery_seconds = time.perf_counter() - recovery_started
        if done.returncode != 0 or has_traceback(done.stderr):
            violations.append(
                f"recovery ({recovery}) exit {done.returncode}: "
                f"{(done.stderr or done.stdout).strip()[:300]}"
            )
        exact = check_exact(self.index_dir, self.root, new, use_cli=False)
        violations.extend(f"after recovery: {v}" for v in exact.violations)
        self.state = new
        return Attack(
            sig.name.removeprefix("SIG"),
            aim,
            run,
            "parallel" if workers else "single",
            delay,
            delay / duration,
            phase,
            exit_code,
            verdict.state,
            tuple(violations),
            recovery,
            recovery_seconds,
            verdict.check_ran,
            in_python_startup,
        )

    def _recovery_command(self, recovery: str) -> list[str]:
        if recovery == "repair":
            return [sys.executable, "-m", "newsgrep", "check", "--repair", "-q"] + [
                "--index",
                str(self.index_dir),
            ]
        return index_command(self.root if recovery == "again" else None, self.index_dir)


def _has_children(pid: int) -> bool:
    """Whether the process has started others (the parallel writer's workers)."""
    try:
        return bool(Path(f"/proc/{pid}/task/{pid}/children").read_text().strip())
    except OSError:
        return False


def _made(index_dir: Path) -> bool:
    """Whether a first run got as far as recording what to index (a table of contents, or
    the manifest of generation 0): else there is nothing to refresh or repair."""
    return index_dir.is_dir() and any(
        name.startswith("_MAIN_") or name == "manifest-0.json" for name in os.listdir(index_dir)
    )


def _holds_lock(lock: Path, pid: int) -> bool:
    try:
        return lock.read_text(encoding="utf-8").startswith(f"pid {pid},")
    except OSError:
        return False


def _python_start(stderr: str) -> bool:
    """Whether `stderr` is Python's KeyboardInterrupt traceback from its own start-up: no
    frame of it is in newsgrep's code."""
    lines = stderr.strip().splitlines()
    return (
        has_traceback(stderr)
        and bool(lines)
        and lines[-1] == "KeyboardInterrupt"
        and not re.search(r'File "[^"]*/newsgrep/', stderr)
    )


def _exit_violations(sig: signal.Signals, phase: str, exit_code: int, stderr: str) -> list[str]:
    if has_traceback(stderr):
        return [f"traceback on stderr: {stderr.strip().splitlines()[-1]}"]
    if phase == "finished":
        return [] if exit_code == 0 else [f"unattacked run exit {exit_code}: {stderr.strip()}"]
    if sig is signal.SIGKILL:
        return [] if exit_code == -signal.SIGKILL else [f"SIGKILL gave exit {exit_code}"]
    if exit_code == -signal.SIGINT:
        # Python's own handler was not (yet, or any longer) in place: the first or last
        # milliseconds of the process. A shell sees this as 130 too.
        return []
    if exit_code != 130:
        return [f"SIGINT gave exit {exit_code} (want 130): {stderr.strip()[:200]}"]
    # "newsgrep: interrupted" is printed when the signal lands in a command; in Typer's
    # own few milliseconds around it, Typer exits 130 without a word.
    if stderr.strip() not in ("", "newsgrep: interrupted"):
        return [f"SIGINT: unexpected stderr: {stderr.strip()[:200]}"]
    return []


def run_cli_ok(*args: str | Path) -> str:
    done = cli(*args)
    if done.returncode != 0:
        raise RuntimeError(f"newsgrep {' '.join(map(str, args))}: {done.stderr}")
    return done.stdout
