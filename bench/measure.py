"""Measuring: whole processes (wall time and peak RSS), hyperfine, sizes and percentiles."""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"  # Debian package `time`


@dataclass(frozen=True, slots=True)
class ProcessRun:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


class MeasureError(RuntimeError):
    pass


def run_process(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
    stdin: Path | None = None,
) -> ProcessRun:
    """Run `command` to its end; its wall time and the peak RSS of the process (and of the
    children it waited for), or of the whole process tree at once when that is larger
    (sampled every 50 ms: worker processes run side by side). `stdin`: a file to read from.

    The peak comes from GNU time when it is installed: a child forked from this (large)
    process would otherwise report this process's RSS as its own peak when that is higher
    (Linux keeps the pre-exec high-water mark in ru_maxrss)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as peak_file,
        open(stdin or os.devnull, "rb") as source,
    ):
        argv = list(command)
        if os.path.exists(GNU_TIME):
            argv = [GNU_TIME, "--format", "%M", "--output", peak_file.name, *argv]
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdin=source, stdout=out, stderr=err, env=env, cwd=cwd)
        sampler = TreeRss(process.pid)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        tree_peak_kib = sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        reported = peak_file.read().strip().splitlines()
        peak_kib = int(reported[-1]) if reported and reported[-1].isdigit() else usage.ru_maxrss
        # A run with worker processes: what they hold at once counts, not the largest one.
        peak_kib = max(peak_kib, tree_peak_kib)
        result = ProcessRun(
            seconds,
            peak_kib / 1024,
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )
    if check and result.returncode != 0:
        raise MeasureError(
            f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()[-2000:]}"
        )
    return result


class TreeRss:
    """The largest sum of RSS over a process and its descendants, sampled from /proc."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        self.root = root
        self.interval = interval
        self.peak_kib = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._stopped.set()
        self._thread.join()
        return self.peak_kib

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.root))


def _tree_rss_kib(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in tree)


@dataclass(frozen=True, slots=True)
class HyperfineResult:
    median_ms: float
    mean_ms: float
    stddev_ms: float
    min_ms: float
    runs: int
    times_ms: tuple[float, ...] = ()


def hyperfine(
    command: Sequence[str],
    *,
    runs: int,
    warmup: int = 2,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> HyperfineResult:
    """Time `command` (no shell in between) with hyperfine; non-zero exits are allowed
    (grep-like tools exit 1 on no match)."""
    if shutil.which("hyperfine") is None:
        raise MeasureError("hyperfine is not installed (apt-get install hyperfine)")
    with tempfile.TemporaryDirectory() as scratch:
        export = Path(scratch) / "result.json"
        line = " ".join(_quote(part) for part in command)
        run_process(
            [
                "hyperfine",
                "--shell=none",
                "--warmup",
                str(warmup),
                "--runs",
                str(runs),
                "--ignore-failure",
                "--style",
                "none",
                "--export-json",
                str(export),
                line,
            ],
            env=env,
            cwd=cwd,
        )
        result = json.loads(export.read_text(encoding="utf-8"))["results"][0]
    return HyperfineResult(
        result["median"] * 1000,
        result["mean"] * 1000,
        (result.get("stddev") or 0.0) * 1000,
        result["min"] * 1000,
        len(result["times"]),
        tuple(time * 1000 for time in result["times"]),
    )


def _quote(part: str) -> str:
    """Quote one argument for hyperfine's own word splitting (shell-words rules)."""
    if part and all(c.isalnum() or c in "-_./=:,+@%" for c in part):
        return part
    return "'" + part.replace("'", "'\\''") + "'"


def tree_bytes(path: Path) -> int:
    """The apparent size of a file, or of every file under a folder."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _subfolders, names in os.walk(path):
        for name in names:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                continue
    return total


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan
