"""Write errors: `newsgrep index` under a file size limit, and on a file system that is full.

    python -m bench.reliability.diskfull                 # 1,000 files, limits 4 KiB … 16 MiB
    python -m bench.reliability.diskfull --files 200

File size limit (RLIMIT_FSIZE; Python ignores SIGXFSZ, so a write past it fails with
EFBIG): for each limit in a sweep, the folder is changed and `newsgrep index` (an update,
then a --rebuild) runs under the limit. It must either succeed, or fail with exit 2 and one
line on stderr (no traceback), leaving the index exactly as it was; then a run without the
limit must bring the index in line with the folder.

Full file system (ENOSPC): the index lives on a small tmpfs, which a filler file fills up
to a few kilobytes, and the same is checked. This needs root (mount); without it the table
says so.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpus import REUTERS_JSONL
from bench.reliability.checks import check_exact, has_traceback
from bench.reliability.model import Texts, mutate, write_state
from bench.reliability.report import log, machine, table
from bench.reliability.runs import Workbench, index_command

LIMITS = [4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20]
FREE_SPACE = [4 << 10, 64 << 10, 256 << 10, 1 << 20]


@dataclass(frozen=True, slots=True)
class Trial:
    fault: str  # e.g. "RLIMIT_FSIZE 64 KiB" or "ENOSPC, 64 KiB free"
    run: str  # update | rebuild
    exit_code: int
    message: str
    held: bool
    problems: tuple[str, ...]


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB"


def attempt(
    bench: Workbench,
    rng: random.Random,
    fault: str,
    run: str,
    preexec: Any = None,
    undo: Callable[[], None] = lambda: None,
) -> Trial:
    """Change the folder, run `newsgrep index` under the fault and check; then `undo` the
    fault, let one more run finish the job, and check that too."""
    old = bench.state
    change = mutate(old, rng, change=0.3, add=0.05)
    write_state(bench.root, bench.texts, change.state, old, change.touched)
    done = subprocess.run(
        index_command(bench.root, bench.index_dir, rebuild=run == "rebuild"),
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        timeout=600,
    )
    stderr = done.stderr.strip()
    problems = []
    if has_traceback(stderr):
        problems.append("traceback")
    if done.returncode == 0:
        verdict = check_exact(bench.index_dir, bench.root, change.state)
    else:
        if done.returncode != 2:
            problems.append(f"exit {done.returncode}")
        if len(stderr.splitlines()) != 1 or "left as it was" not in stderr:
            problems.append(f"message: {stderr[:300]}")
        verdict = check_exact(bench.index_dir, bench.root, old, current=False)
    problems.extend(verdict.violations)
    undo()
    bench.state = change.state
    recovery = subprocess.run(
        index_command(bench.root, bench.index_dir), capture_output=True, text=True, timeout=600
    )
    if recovery.returncode != 0:
        problems.append(f"recovery run exit {recovery.returncode}: {recovery.stderr[:300]}")
    exact = check_exact(bench.index_dir, bench.root, change.state, use_cli=False)
    problems.extend(f"after recovery: {v}" for v in exact.violations)
    trial = Trial(
        fault,
        run,
        done.returncode,
        stderr.splitlines()[-1] if stderr else "",
        not problems,
        tuple(problems),
    )
    log(
        f"  {fault:24s} {run:7s} exit {trial.exit_code} "
        + ("held" if trial.held else "VIOLATION " + "; ".join(problems))
    )
    return trial


def file_size_limits(bench: Workbench, rng: random.Random) -> list[Trial]:
    trials = []
    for limit in LIMITS:
        for run in ("update", "rebuild"):

            def preexec(limit: int = limit) -> None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

            trials.append(attempt(bench, rng, f"RLIMIT_FSIZE {_size(limit)}", run, preexec))
    return trials


@contextlib.contextmanager
def small_file_system(where: Path, size: str) -> Iterator[bool]:
    """A tmpfs of `size` mounted at `where` (True), or nothing when mounting fails (False)."""
    where.mkdir(parents=True, exist_ok=True)
    try:
        mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )
    except OSError:  # no mount command
        mounted = False
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of `folder` until about `leave` bytes are free."""
    import os

    filler = folder / "filler"
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with contextlib.suppress(OSError), open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


def full_file_system(work: Path, texts: Texts, files: int, rng: random.Random) -> list[Trial]:
    small = work / "small"
    with small_file_system(small, "64m") as mounted:
        if not mounted:
            return [Trial("ENOSPC (tmpfs)", "-", -1, "mount failed: not run", True, ())]
        bench = Workbench(work / "enospc", texts, files, seed=5)
        bench.index_dir = small / "index"
        bench.index_now()
        trials = []
        for leave in FREE_SPACE:
            for run in ("update", "rebuild"):
                filler = fill(small, leave)
                trials.append(
                    attempt(bench, rng, f"ENOSPC, {_size(leave)} free", run, undo=filler.unlink)
                )
    return trials


def _reason(message: str) -> str:
    """The error's reason, without the index path: "File too large (EFBIG)"."""
    if not message:
        return ""
    _, _, rest = message.partition(" index at ")
    reason = rest.split(": ", 1)[-1].split(";", 1)[0]
    return reason or message[:120]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--synthetic", action="store_true")
    args = parser.parse_args(argv)
    texts = Texts(None if args.synthetic else REUTERS_JSONL, seed=args.seed)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsgrep-diskfull-") as work:
        bench = Workbench(Path(work), texts, args.files, seed=args.seed)
        log(f"diskfull: {args.files} files of {texts.source} text")
        bench.index_now()
        trials = file_size_limits(bench, rng)
        trials += full_file_system(Path(work), texts, args.files, rng)
    failed = [t for t in trials if not t.held]
    print(f"## Write errors ({machine()})\n")
    print(
        f"{args.files} files ({texts.source}); {len(trials)} runs under a fault, "
        f"{sum(t.exit_code == 2 for t in trials)} of them failed as they should (exit 2), "
        f"{sum(t.exit_code == 0 for t in trials)} had room enough and succeeded; "
        f"{len(failed)} violations; {time.perf_counter() - started:.0f} s in all.\n"
    )
    print(
        table(
            ("fault", "run", "exit", "held", "stderr"),
            [
                (t.fault, t.run, t.exit_code, "yes" if t.held else "NO", _reason(t.message))
                for t in trials
            ],
        )
    )
    for trial in failed:
        print(f"- VIOLATION: {trial.fault} {trial.run}: {'; '.join(trial.problems)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
