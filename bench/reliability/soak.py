"""Soak: Reuters-21578 indexed, then minutes of searches from several processes while files
are changed, added and removed and the index is updated again and again.

    python -m bench.reliability.soak                    # 5 minutes, 3 searcher processes
    python -m bench.reliability.soak --minutes 1 --searchers 2

The folder holds every Reuters story as a `.txt` file (bench/corpus.py's format, version 0).
A mutator rewrites some files (each new version names its file and version in its title and
carries a mark word, see `model`), adds and removes others, and runs `newsgrep index` after
each round. Meanwhile searcher processes run the benchmark queries (bench/queries.py) in
new `SearchSession`s and through `newsgrep search`, and every few searches list all marked
articles: what they see must be exactly one state the mutator committed (old or new, never
a mix). At the end, one more run, then the index must match the folder exactly: each file
present with exactly its current version's articles, and nothing else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpus import REUTERS_JSONL, article_text, load_records
from bench.queries import QUERIES
from bench.reliability.checks import (
    Snapshot,
    check_command_exists,
    cli,
    everything,
    file_version,
    has_traceback,
    read_hits,
)
from bench.reliability.model import (
    State,
    Texts,
    expected_ids,
    mutate,
    parse_marker,
    write_state,
)
from bench.reliability.report import log, machine, seconds, table
from bench.reliability.runs import index_command

SNAPSHOT_EVERY = 10  # every tenth search lists all marked articles
CLI_EVERY = 15  # every fifteenth search is a `newsgrep search` process


def digest(state: State) -> str:
    """A fingerprint of the marked part of a state (files at version ≥ 1)."""
    marked = sorted((name, version) for name, version in state.items() if version >= 1)
    return hashlib.blake2b(json.dumps(marked).encode(), digest_size=8).hexdigest()


def snapshot_digest(snap: Snapshot) -> tuple[str, list[str]]:
    state: State = {}
    problems = list(snap.violations)
    for name, found in snap.files.items():
        version, problem = file_version(name, found)
        if problem:
            problems.append(problem)
        elif version is not None:
            state[name] = version
    return digest(state), problems


@dataclass(slots=True)
class SearcherReport:
    searches: int = 0
    snapshots: int = 0
    cli_searches: int = 0
    errors: list[str] = field(default_factory=list)
    digests: Counter[str] = field(default_factory=Counter)
    latency: list[float] = field(default_factory=list)


def searcher(index_dir: str, root: str, until: float, seed: int, out: Any) -> None:
    """One searcher process: queries until `until` (a time.time()), then its report."""
    from newsgrep.engine.session import SearchSession
    from newsgrep.model import SearchRequest, Sort

    rng = random.Random(seed)
    report = SearcherReport()
    n = 0
    while time.time() < until:
        n += 1
        query = rng.choice(QUERIES)
        started = time.perf_counter()
        try:
            if n % CLI_EVERY == 0:
                report.cli_searches += 1
                args = ["search", query.newsgrep_text(), "--json", "--index", index_dir]
                done = cli(*args)
                if done.returncode not in (0, 1) or has_traceback(done.stderr):
                    report.errors.append(
                        f"CLI {query.label}: exit {done.returncode}: {done.stderr.strip()[:200]}"
                    )
                else:
                    ids = [json.loads(line)["id"] for line in done.stdout.splitlines()]
                    if len(ids) != len(set(ids)):
                        report.errors.append(f"CLI {query.label}: an id twice")
            else:
                with SearchSession(Path(index_dir)) as session:
                    if n % SNAPSHOT_EVERY == 0:
                        report.snapshots += 1
                        snap = Snapshot()
                        result = session.search(everything())
                        read_hits(snap, [(h.id, h.path, h.title) for h in result.hits], Path(root))
                        key, problems = snapshot_digest(snap)
                        report.digests[key] += 1
                        report.errors.extend(problems)
                    else:
                        request = SearchRequest(
                            query.newsgrep_text(),
                            since=query.since,
                            until=query.until,
                            sort=Sort.NEWEST if query.newest_first else Sort.RELEVANCE,
                        )
                        result = session.search(request)
                        ids = [hit.id for hit in result.hits]
                        if len(ids) != len(set(ids)) or result.total < len(ids):
                            report.errors.append(f"{query.label}: ids {ids}, total {result.total}")
        except Exception as error:
            report.errors.append(f"{query.label}: {type(error).__name__}: {error}")
        report.searches += 1
        report.latency.append(time.perf_counter() - started)
    out.put(report)


def write_originals(root: Path) -> State:
    """Every Reuters story that has any text as `NNNNN.txt` (version 0); the few empty
    ones, which newsgrep skips with a reason, are left out so that every file counts."""
    state: State = {}
    root.mkdir(parents=True)
    for record in load_records():
        if not (record.title or record.body.strip()):
            continue
        name = f"{int(record.id):05d}.txt"
        (root / name).write_text(article_text(record, 0), encoding="utf-8")
        state[name] = 0
    return state


def check_folder_exact(index_dir: Path, root: Path, state: State) -> list[str]:
    """Each file of `state` indexed exactly as its version, and nothing else."""
    from newsgrep.engine.session import SearchSession
    from newsgrep.errors import ArticleNotFoundError

    problems = []
    expected_total = 0
    with SearchSession(index_dir) as session:
        for name, version in sorted(state.items()):
            want = expected_ids(name, max(version, 1))
            expected_total += len(want)
            try:
                shown = session.articles(str(root / name))
            except ArticleNotFoundError:
                problems.append(f"{name}: not in the index")
                continue
            ids = sorted(item.article.id for item in shown)
            if ids != sorted(want):
                problems.append(f"{name}: ids {ids}, expected {want}")
                continue
            markers = [parse_marker(item.article.title) for item in shown]
            versions = {marker.version if marker else 0 for marker in markers}
            if versions != {version}:
                problems.append(f"{name}: indexed as {sorted(versions)}, the file is v{version}")
        total = session.article_count()
    if total != expected_total:
        problems.append(f"{total} articles in the index, the folder holds {expected_total}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--searchers", type=int, default=3, help="searcher processes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    texts = Texts(REUTERS_JSONL)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsgrep-soak-") as work:
        root, index_dir = Path(work) / "news", Path(work) / "index"
        log("soak: writing the Reuters files …")
        state = write_originals(root)
        files_at_start = len(state)
        t = time.perf_counter()
        done = subprocess.run(index_command(root, index_dir), capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"soak: the first index failed: {done.stderr}")
        first_index = time.perf_counter() - t
        log(f"soak: {len(state)} files indexed in {first_index:.1f} s; searching and churning …")
        committed = {digest(state)}
        until = time.time() + args.minutes * 60
        context = multiprocessing.get_context("spawn")
        queue: Any = context.Queue()
        processes = [
            context.Process(
                target=searcher, args=(str(index_dir), str(root), until, args.seed + i, queue)
            )
            for i in range(args.searchers)
        ]
        for process in processes:
            process.start()
        runs: list[float] = []
        changes = Counter[str]()
        mutator_errors: list[str] = []
        while time.time() < until:
            change = mutate(state, rng, change=0.003, add=0.001, remove=0.001, touch=0.0005)
            write_state(root, texts, change.state, state, change.touched)
            changes.update(
                changed=len(change.changed),
                added=len(change.added),
                removed=len(change.removed),
                touched=len(change.touched),
            )
            t = time.perf_counter()
            done = subprocess.run(index_command(root, index_dir), capture_output=True, text=True)
            runs.append(time.perf_counter() - t)
            if done.returncode != 0:
                mutator_errors.append(f"index run exit {done.returncode}: {done.stderr[:300]}")
            state = change.state
            committed.add(digest(state))
            log(f"  run {len(runs)}: {runs[-1]:.1f} s")
        reports: list[SearcherReport] = [queue.get() for _ in processes]
        for process in processes:
            process.join()
        done = subprocess.run(index_command(root, index_dir), capture_output=True, text=True)
        if done.returncode != 0:
            mutator_errors.append(f"final index run exit {done.returncode}: {done.stderr[:300]}")
        final = check_folder_exact(index_dir, root, state)
        check_ran = check_command_exists()
        if check_ran:
            done = cli("check", "--index", index_dir, timeout=600)
            if done.returncode != 0:
                final.append(f"newsgrep check exit {done.returncode}: {done.stderr[:300]}")
    searches = sum(r.searches for r in reports)
    errors = [e for r in reports for e in r.errors]
    seen = Counter[str]()
    for report in reports:
        seen.update(report.digests)
    unknown = sum(count for key, count in seen.items() if key not in committed)
    violations = errors + mutator_errors + final
    if unknown:
        violations.append(f"{unknown} listings matched no committed state")
    latency = [x for r in reports for x in r.latency]
    print(f"## Soak ({machine()})\n")
    print(
        f"{files_at_start} Reuters files indexed in {first_index:.1f} s; then "
        f"{args.minutes:g} minutes with {args.searchers} searcher processes and a mutator; "
        f"{len(violations)} violations; {time.perf_counter() - started:.0f} s in all.\n"
    )
    print(
        table(
            ("what", "figure"),
            [
                ("index runs while searching", f"{len(runs)} (s, median / max: {seconds(runs)})"),
                (
                    "files changed / added / removed / touched",
                    " / ".join(str(changes[k]) for k in ("changed", "added", "removed", "touched")),
                ),
                ("searches (all processes)", searches),
                ("… of them `newsgrep search` processes", sum(r.cli_searches for r in reports)),
                ("… listings of every marked article", sum(r.snapshots for r in reports)),
                ("distinct committed states seen by listings", f"{len(seen)} of {len(committed)}"),
                ("listings matching no committed state", unknown),
                ("search errors", len(errors)),
                ("search seconds (median / max)", seconds(latency)),
                ("files at the end", len(state)),
                ("index = folder at the end", "yes" if not final else "NO"),
                (
                    "`newsgrep check` at the end",
                    "passed"
                    if check_ran and not final
                    else "not available"
                    if not check_ran
                    else "see violations",
                ),
            ],
        )
    )
    for violation in violations[:50]:
        print(f"- VIOLATION: {violation}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
