"""Index runs to attack: a corpus folder and its index, mutated between runs, with runs
started as real processes and stopped by a signal at a chosen moment.

`Workbench` keeps the state the index was last seen to hold. `attack` mutates the folder,
starts `newsgrep index`, sends a signal at a uniform random moment of the run (or soon after
the run's manifest appears, i.e. during the commit), checks the invariants, then lets one
more `newsgrep index` finish the job and checks that the index matches the folder exactly.
"""

from __future__ import annotations

import os
import random
import re
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


def index_command(root: Path, index_dir: Path, *, rebuild: bool = False) -> list[str]:
    args = [sys.executable, "-m", "newsgrep", "index", str(root), "--index", str(index_dir)]
    return args + ["-q"] + (["--rebuild"] if rebuild else [])


@dataclass(frozen=True, slots=True)
class Attack:
    """One signal sent to one index run, and what was found after it."""

    signal: str  # "KILL" or "INT"
    aim: str  # "uniform" (anywhere in the run) or "commit" (after the manifest appears)
    rebuild: bool
    delay: float  # seconds after the start
    phase: str  # startup | reading | commit | finished (the run ended before the signal)
    exit_code: int
    state: str  # what the index held after it: old | new | same | mixed
    violations: tuple[str, ...]
    recovery_seconds: float
    check_ran: bool


class Workbench:
    """A folder of articles and its index, in a known state."""

    def __init__(self, work: Path, texts: Texts, files: int, seed: int = 1) -> None:
        self.root = work / "news"
        self.index_dir = work / "index"
        self.texts = texts
        self.rng = random.Random(seed)
        self.state: State = initial_state(files)
        write_state(self.root, texts, self.state)
        # Run times seen in runs that were not stopped: updates, rebuilds, their commits.
        self.durations: dict[str, list[float]] = {"update": [], "rebuild": [], "commit": []}

    def typical(self, kind: str) -> float:
        """The median run (or commit) time seen so far for `kind`."""
        seen = sorted(self.durations[kind][-15:])
        return seen[len(seen) // 2] if seen else 1.0

    def _record(self, kind: str, seconds: float, commit: float | None) -> None:
        self.durations[kind].append(seconds)
        if commit is not None:
            self.durations["commit"].append(commit)

    def index_now(self, *, rebuild: bool = False) -> tuple[float, float]:
        """Run `newsgrep index` to the end; (seconds, seconds spent in the commit)."""
        generation = latest_generation(self.index_dir) if self.index_dir.exists() else -1
        manifest = self.index_dir / f"manifest-{generation + 1}.json"
        started = time.perf_counter()
        committing = None
        with tempfile.TemporaryFile("w+") as stderr_file:
            process = subprocess.Popen(
                index_command(self.root, self.index_dir, rebuild=rebuild),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr_file,
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

    def calibrate(self, updates: int = 3) -> None:
        """Index the folder (if not yet), then time a few updates and a rebuild."""
        if not self.index_dir.exists():
            self.index_now()
        for _ in range(updates):
            change = mutate(self.state, self.rng)
            write_state(self.root, self.texts, change.state, self.state, change.touched)
            self._record("update", *self.index_now())
            self.state = change.state
        self._record("rebuild", *self.index_now(rebuild=True))

    def attack(
        self, sig: signal.Signals, aim: str, *, rebuild: bool = False, use_cli: bool = True
    ) -> Attack:
        old = self.state
        change = mutate(old, self.rng)
        write_state(self.root, self.texts, change.state, old, change.touched)
        new = change.state
        generation = latest_generation(self.index_dir)
        manifest = self.index_dir / f"manifest-{generation + 1}.json"
        lock = self.index_dir / "newsgrep.lock"
        kind = "rebuild" if rebuild else "update"
        duration = self.typical(kind)
        with tempfile.TemporaryFile("w+") as stderr_file:
            started = time.perf_counter()
            process = subprocess.Popen(
                index_command(self.root, self.index_dir, rebuild=rebuild),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr_file,
                preexec_fn=interruptible,
            )
            if aim == "uniform":
                deadline: float | None = started + self.rng.uniform(0, duration)
            else:
                deadline = None  # set when the manifest appears
            locked = False
            committing: float | None = None
            while process.poll() is None:
                now = time.perf_counter()
                if not locked:
                    locked = _holds_lock(lock, process.pid)
                if committing is None and manifest.exists():
                    committing, locked = now, True
                    if deadline is None:
                        deadline = now + self.rng.uniform(0, self.typical("commit"))
                if deadline is not None and now >= deadline:
                    break
                time.sleep(POLL_SECONDS)
            delay = time.perf_counter() - started
            if process.poll() is None:
                phase = "commit" if committing else "reading" if locked else "startup"
                process.send_signal(sig)
                exit_code = process.wait()
            else:
                phase = "finished"
                exit_code = process.wait()
                ended = time.perf_counter()
                self._record(kind, ended - started, ended - (committing or ended))
            stderr_file.seek(0)
            stderr = stderr_file.read()
        violations = list(_exit_violations(sig, phase, exit_code, stderr))
        verdict = check_old_or_new(self.index_dir, self.root, old, new, use_cli=use_cli)
        violations.extend(verdict.violations)
        if phase == "finished" and verdict.state == "old":
            violations.append("the run ended normally but the index holds the old state")
        recovery_started = time.perf_counter()
        done = subprocess.run(
            index_command(self.root, self.index_dir), capture_output=True, text=True, timeout=600
        )
        recovery = time.perf_counter() - recovery_started
        if done.returncode != 0:
            violations.append(f"recovery run exit {done.returncode}: {done.stderr.strip()[:300]}")
        exact = check_exact(self.index_dir, self.root, new, use_cli=False)
        violations.extend(f"after recovery: {v}" for v in exact.violations)
        self.state = new
        return Attack(
            sig.name.removeprefix("SIG"),
            aim,
            rebuild,
            delay,
            phase,
            exit_code,
            verdict.state,
            tuple(violations),
            recovery,
            verdict.check_ran,
        )


def _holds_lock(lock: Path, pid: int) -> bool:
    try:
        return lock.read_text(encoding="utf-8").startswith(f"pid {pid},")
    except OSError:
        return False


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
