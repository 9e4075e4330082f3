"""What durable commits cost: a build and a refresh of Reuters-21578, as one JSON Lines file
and as a folder of .txt files, timed with the `newsgrep` of a given checkout.

    python bench/durability.py                         # this checkout, 3 builds, 3 refreshes
    python bench/durability.py --source ../before      # another checkout (e.g. before fsync)
    python bench/durability.py --syscalls              # also count fsync/rename (strace -f)

A refresh of the file appends one story to it; a refresh of the folder changes 10 files and
adds 10 (as `bench/run.py`'s refresh phase does). Times are medians of wall-clock seconds
of `newsgrep index … -q` as a process; the folder corpus is bench/data's 1x corpus.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import REUTERS_JSONL, ensure_corpus, mutate, restore


def newsgrep(*args: str | Path) -> list[str]:
    """The command line of `newsgrep ARGS` (the checkout comes from `environment`)."""
    return [sys.executable, "-m", "newsgrep", *map(str, args)]


def environment(source: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if source is not None:  # PYTHONPATH comes before the editable install's path
        env["PYTHONPATH"] = str(source.resolve())
    return env


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def syscalls(command: list[str], env: dict[str, str]) -> dict[str, int]:
    """How many fsync, fdatasync and rename calls `command` makes (every process)."""
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as log:
        subprocess.run(
            ["strace", "-f", "-c", "-o", log.name, "-e", "trace=fsync,fdatasync,rename,renameat2"]
            + command,
            check=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        counts = {}
        for line in Path(log.name).read_text().splitlines():
            parts = line.split()
            if parts and re.fullmatch(r"fsync|fdatasync|rename|renameat2", parts[-1]):
                counts[parts[-1]] = int(parts[3])
        return counts


def measure(source: Path | None, rounds: int, with_syscalls: bool) -> dict[str, object]:
    env = environment(source)
    # Bytecode written once (with PYTHONDONTWRITEBYTECODE set, every process would compile
    # newsgrep again, ~50 ms each; see bench/run.py).
    compileall.compile_dir(str((source or Path(__file__).parent.parent) / "newsgrep"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="newsgrep-durability-"))
    results: dict[str, object] = {}
    try:
        jsonl = work / "reuters.jsonl"
        folder = ensure_corpus(1)
        for name, target in (("file", jsonl), ("folder", folder.root)):
            builds, refreshes = [], []
            for _ in range(rounds):
                if name == "file":
                    shutil.copyfile(REUTERS_JSONL, jsonl)
                else:
                    restore(folder)
                index = work / f"index-{name}"
                shutil.rmtree(index, ignore_errors=True)
                builds.append(timed(newsgrep("index", target, "--index", index, "-q"), env))
            for number in range(1, rounds + 1):
                if name == "file":
                    with open(REUTERS_JSONL, encoding="utf-8") as handle:
                        story = json.loads(next(handle))
                    story["id"] = f"appended-{number}"
                    with open(jsonl, "a", encoding="utf-8") as handle:
                        handle.write(json.dumps(story) + "\n")
                else:
                    mutate(folder, number)
                refreshes.append(timed(newsgrep("index", "--index", index, "-q"), env))
            entry: dict[str, object] = {
                "build_s": statistics.median(builds),
                "builds": builds,
                "refresh_s": statistics.median(refreshes),
                "refreshes": refreshes,
            }
            if with_syscalls and shutil.which("strace"):
                if name == "file":
                    with open(jsonl, "a", encoding="utf-8") as handle:
                        handle.write(json.dumps({**story, "id": "appended-last"}) + "\n")
                else:
                    mutate(folder, rounds + 1)
                entry["refresh_syscalls"] = syscalls(newsgrep("index", "--index", index, "-q"), env)
                shutil.rmtree(index)
                entry["build_syscalls"] = syscalls(
                    newsgrep("index", target, "--index", index, "-q"), env
                )
            if name == "folder":
                restore(folder)
            results[name] = entry
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="the checkout whose newsgrep to time")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--syscalls", action="store_true", help="count fsync/rename (strace)")
    args = parser.parse_args(argv)
    results = measure(args.source, args.rounds, args.syscalls)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
