"""newsgrep's performance benchmark, with its peers in the same run.

    python bench/run.py                      # 21.6k and 108k, every phase and system
    python bench/run.py --quick              # 21.6k only, fewer repetitions (a few minutes)
    python bench/run.py --scale 5 --only build,refresh --systems newsgrep,recoll
    python bench/run.py --record-top         # newsgrep's top 10 per query → expected_top10.json

Corpora and indexes go to bench/data/ (git-ignored), the figures as JSON to bench/results/;
the tables are printed on stdout as Markdown, progress on stderr.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import REPO, ensure_corpus
from bench.measure import MeasureError
from bench.peers import SYSTEMS
from bench.phases import PHASES, Bench, Settings, log, record_top
from bench.report import render

RESULTS = REPO / "bench" / "results"


def _names(text: str, allowed: tuple[str, ...] | list[str], what: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what}: {', '.join(unknown)} (choose from {', '.join(allowed)})"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Benchmark newsgrep against SQLite FTS5, tantivy, recoll, ripgrep and "
        "naive Whoosh on Reuters-21578 as .txt files (21.6k and 5× = 108k).",
    )
    parser.add_argument(
        "--scale",
        type=int,
        choices=[1, 5],
        action="append",
        help="corpus scale; repeatable (default: 1 and 5; 1 with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="21.6k only, fewer repetitions: a few minutes"
    )
    parser.add_argument(
        "--only",
        type=lambda text: _names(text, PHASES, "phase"),
        help=f"phases to run, comma-separated (default: all of {','.join(PHASES)})",
    )
    parser.add_argument(
        "--systems",
        type=lambda text: _names(text, list(SYSTEMS), "system"),
        help=f"systems to run, comma-separated (default: {','.join(SYSTEMS)})",
    )
    parser.add_argument(
        "--record-top",
        action="store_true",
        help="write newsgrep's top 10 per query (1x corpus) to bench/expected_top10.json; "
        "runs no phase unless --only is given",
    )
    parser.add_argument("--runs", type=int, help="hyperfine runs per cold command")
    parser.add_argument("--json", type=Path, help="where to write the figures as JSON")
    return parser.parse_args(argv)


def machine() -> dict[str, Any]:
    def version(command: list[str]) -> str:
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError:
            return "missing"
        return (result.stdout or result.stderr).strip().splitlines()[0]

    def package(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "missing"

    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "whoosh-reloaded": package("whoosh-reloaded"),
        "tantivy": package("tantivy"),
        "recoll": version(["dpkg-query", "-W", "-f=${Version}", "recoll"]),
        "ripgrep": version(["rg", "--version"]),
        "hyperfine": version(["hyperfine", "--version"]),
    }


# The tools each phase runs, and the Debian package that brings each one.
_TOOLS = {"cold": {"hyperfine": "hyperfine"}}


def _missing_tools(phases: list[str]) -> str:
    """What to install for the chosen phases, in one line; "" when nothing is missing."""
    missing = {
        (tool, phase): package
        for phase in phases
        for tool, package in _TOOLS.get(phase, {}).items()
        if shutil.which(tool) is None
    }
    if not missing:
        return ""
    needed = ", ".join(f"{tool} (for the {phase} phase)" for tool, phase in missing)
    packages = " ".join(sorted(set(missing.values())))
    return f"{needed} is not installed: apt-get install {packages}"


def compile_sources() -> None:
    """Write the bytecode of newsgrep and the bench, as `pip install` does for an installed
    package: with PYTHONDONTWRITEBYTECODE set (as in some shells and containers) an editable
    checkout is compiled again by every process it starts, ~50 ms of each cold start."""
    for folder in ("newsgrep", "bench"):
        compileall.compile_dir(str(REPO / folder), quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scales = sorted(set(args.scale or ([1] if args.quick else [1, 5])))
    phases = args.only if args.only is not None else ([] if args.record_top else list(PHASES))
    names = args.systems or list(SYSTEMS)
    systems = []
    for name in names:
        reason = SYSTEMS[name].missing()
        if reason:
            log(f"skipping {name}: needs {reason}")
        else:
            systems.append(SYSTEMS[name])
    settings = Settings.for_mode(args.quick)
    if args.runs:
        settings = Settings(
            settings.build_repeats, settings.refresh_rounds, settings.query_repeats, args.runs
        )
    missing = _missing_tools(phases)
    if missing:
        log(f"cannot run: {missing}")
        return 2
    compile_sources()
    bench = Bench(systems, settings)
    bench.results["machine"] = machine()
    bench.results["settings"] = {"quick": args.quick, "phases": phases, "scales": scales}

    if args.record_top:
        if not any(system.name == "newsgrep" for system in systems):
            bench.systems.insert(0, SYSTEMS["newsgrep"])
        log(f"recorded newsgrep's top 10 per query in {record_top(bench)}")
    if "cold" in phases:
        bench.floor()
    try:
        for scale in scales:
            if not phases:
                break
            corpus = ensure_corpus(scale)
            for phase in PHASES:  # in this order: refresh and scenarios change the corpus
                if phase in phases:
                    getattr(bench, phase)(corpus)
    except MeasureError as error:  # a tool that failed: one line, not a traceback
        log(f"stopped: {str(error).splitlines()[0]}")
        return 2

    if phases:
        output = args.json or RESULTS / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(bench.results, indent=1), encoding="utf-8")
        info = bench.results["machine"]
        print(
            f"Machine: {info['machine']}, {info['nproc']} cores ({info['cpu']}), "
            f"Python {info['python']}, {info['date']}\n"
        )
        print(render(bench.results, [system.name for system in systems]))
        from bench.scenarios import render as render_scenarios

        print(f"\n{render_scenarios(bench.results)}")
        log(f"figures written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
