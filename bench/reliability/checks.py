"""The invariants checked after every fault, as functions that return what went wrong.

`snapshot` reads the whole index through the library (`SearchSession`, as a search would)
and the CLI (`search -c`, `stats --json`, and `check` when that command exists);
`check_old_or_new` says whether each file is indexed exactly as its old or its new version
(never both, never twice, never a partial set of its articles) and whether the index as a
whole is the old or the new state; `check_exact` that it is exactly one state.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.reliability.model import MARK, State, expected_ids, parse_marker, record_count

CLI_TIMEOUT = 120


def cli(*args: str | Path, timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """`newsgrep ARGS` as a real process (`python -m newsgrep`)."""
    return subprocess.run(
        [sys.executable, "-m", "newsgrep", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
    )


def check_command_exists() -> bool:
    """Whether this newsgrep has a `check` command (added on another branch)."""
    from newsgrep.cli import app

    return any(
        (command.name or getattr(command.callback, "__name__", "")) == "check"
        for command in app.registered_commands
    )


def has_traceback(stderr: str) -> bool:
    return "Traceback (most recent call last)" in stderr


@dataclass(slots=True)
class Snapshot:
    """What the index holds, per file name: the (marker, id) of each article found."""

    total: int = 0
    files: dict[str, list[tuple[int, int, int, str]]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    check_ran: bool = False
    unmade: bool = False  # no index yet (a first run stopped before its first commit)


def everything() -> Any:
    """The request that lists every article of these corpora: the mark, no frills."""
    from newsgrep.model import Match, SearchRequest

    return SearchRequest(
        MARK, limit=None, snippets=0, collapse=False, synonyms=None, match=Match.ALL
    )


def session_snapshot(session: Any, root: Path) -> Snapshot:
    """Every article, as an open `SearchSession` sees the index."""
    snap = Snapshot()
    result = session.search(everything())
    snap.total = len(result.hits)
    count = session.article_count()
    if count != snap.total:
        snap.violations.append(f"{count} articles in the index but {snap.total} carry the mark")
    read_hits(snap, [(hit.id, hit.path, hit.title) for hit in result.hits], root)
    return snap


def snapshot(
    index_dir: Path,
    root: Path,
    *,
    use_cli: bool = True,
    current: bool = False,
    first: bool = False,
) -> Snapshot:
    """Open the index, list every article, check the manifest agrees, and cross-check the
    count with the CLI (`search -c`, `stats --json`, `check` when it exists: after a fault
    it may find the index behind its folder; when `current`, nothing at all). After a
    `first` run was stopped, there may be no index yet, which everything must say."""
    from newsgrep import manifest as manifest_file
    from newsgrep.engine.session import SearchSession
    from newsgrep.errors import IndexNotFoundError, NewsgrepError

    try:
        with SearchSession(index_dir) as session:
            snap = session_snapshot(session, root)
            manifest = manifest_file.read(index_dir, session.generation)
    except IndexNotFoundError as error:
        if not first:
            return Snapshot(violations=[f"index does not open or search: {error}"])
        snap = Snapshot(unmade=True)
        if use_cli:
            snap.violations.extend(_unmade_cli_checks(index_dir))
            snap.check_ran = True
        return snap
    except NewsgrepError as error:
        return Snapshot(violations=[f"index does not open or search: {error}"])
    prefix = str(root.resolve()) + os.sep
    if manifest is None:
        snap.violations.append("the committed generation has no manifest")
    else:
        counts = {
            path.removeprefix(prefix): entry.articles for path, entry in manifest.files.items()
        }
        for name in counts.keys() | snap.files.keys():
            indexed = len(snap.files.get(name, []))
            if counts.get(name, 0) != indexed:
                snap.violations.append(
                    f"{name}: manifest says {counts.get(name, 0)} articles, index has {indexed}"
                )
    if use_cli:
        snap.violations.extend(_cli_checks(index_dir, snap))
        snap.check_ran = check_command_exists()
        if snap.check_ran:
            snap.violations.extend(_check_command(index_dir, current=current))
    return snap


# What `newsgrep check` may find right after a fault, when the index is healthy: the
# folder has moved on without it (a killed run's changes are not in it), and the killed
# run's files are still there. Any other problem is a broken index.
STALE_KINDS = frozenset({"missing", "changed", "unindexed", "leftover"})
# … and after a first run was stopped before its commit: nothing indexed yet.
UNMADE_KINDS = STALE_KINDS | {"unfinished"}

# Words of a Python error: never in what `check` says to people (its JSON `detail` may
# hold one, for a bug report).
PYTHON_ERROR = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b|NoneType")


def _check_command(index_dir: Path, *, current: bool, unmade: bool = False) -> list[str]:
    """What `newsgrep check --json` finds wrong: anything at all when the index should be
    `current` with its folder, only an index broken in itself after a fault; and a Python
    error in any of its messages."""
    done = cli("check", "--json", "--index", index_dir)
    if unmade and done.returncode == 2 and not has_traceback(done.stderr):
        # No index at all (a first run stopped before it recorded its folders).
        line = done.stderr.strip()
        return [] if "no index at" in line and "\n" not in line else [f"check: {line[:300]}"]
    if done.returncode not in (0, 1):
        return [f"newsgrep check exit {done.returncode}: {done.stderr.strip()[:300]}"]
    try:
        problems = json.loads(done.stdout)["problems"]
        kinds = {problem["kind"] for problem in problems}
    except (ValueError, KeyError, TypeError):
        return [f"newsgrep check --json printed no report: {done.stdout[:300]!r}"]
    allowed = frozenset() if current else UNMADE_KINDS if unmade else STALE_KINDS
    broken = sorted(kinds - allowed)
    found = [f"newsgrep check found: {', '.join(broken)}"] if broken else []
    worded = [p["message"] for p in problems if PYTHON_ERROR.search(p["message"])]
    return found + [f"newsgrep check printed a Python error: {m[:200]}" for m in worded]


def _unmade_cli_checks(index_dir: Path) -> list[str]:
    """No index yet: `search` and `stats` say so in one line (exit 2); `check` tells what
    happened (see `_check_command`)."""
    problems = []
    for command in (["search", MARK, "-c"], ["stats", "--json"]):
        done = cli(*command, "--index", index_dir)
        line = done.stderr.strip()
        said = ("no index at" in line or "no articles yet" in line) and "\n" not in line
        if done.returncode != 2 or done.stdout or not said:
            problems.append(f"{command[0]} without an index: exit {done.returncode}: {line[:300]}")
    return problems + _check_command(index_dir, current=False, unmade=True)


def read_hits(snap: Snapshot, hits: list[tuple[str, str, str]], root: Path) -> None:
    """Fill `snap.files` from hits as (id, path, title), noting doubled ids and articles
    that are not where their marker says."""
    prefix = str(root.resolve()) + os.sep
    files: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
    for article_id, times in Counter(article_id for article_id, _, _ in hits).items():
        if times > 1:
            snap.violations.append(f"id {article_id} is in the index {times} times")
    for article_id, path, title in hits:
        marker = parse_marker(title)
        if marker is None:
            snap.violations.append(f"{article_id}: title without a marker: {title!r}")
            continue
        name = path.removeprefix(prefix)
        if marker.name != name:
            snap.violations.append(f"{article_id}: article of {marker.name} stored under {path}")
        files[name].append((marker.version, marker.record, marker.records, article_id))
    snap.files = dict(files)


def cli_snapshot(index_dir: Path, root: Path) -> Snapshot:
    """The whole index as `newsgrep search --json` lists it."""
    snap = Snapshot()
    done = cli(
        "search",
        MARK,
        "--json",
        "-n",
        "0",
        "--all",
        "--no-synonyms",
        "--no-collapse",
        "--snippets",
        "0",
        "--index",
        index_dir,
    )
    if (
        done.returncode not in (0, 1)
        or has_traceback(done.stderr)
        or (done.returncode == 1 and done.stdout.strip())
    ):
        snap.violations.append(f"search --json exit {done.returncode}: {done.stderr[:300]}")
        return snap
    hits = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    snap.total = len(hits)
    read_hits(snap, [(hit["id"], hit["path"], hit["title"]) for hit in hits], root)
    return snap


def _cli_checks(index_dir: Path, snap: Snapshot) -> list[str]:
    problems = []
    done = cli("search", MARK, "-c", "--all", "--no-synonyms", "--index", index_dir)
    wanted = 0 if snap.total else 1
    if done.returncode != wanted or has_traceback(done.stderr):
        problems.append(f"search -c exit {done.returncode}: {done.stderr.strip()[:300]}")
    elif done.stdout.strip() and int(done.stdout.strip()) != snap.total:
        problems.append(f"search -c says {done.stdout.strip()}, the library {snap.total}")
    done = cli("stats", "--json", "--index", index_dir)
    if done.returncode != 0:
        problems.append(f"stats exit {done.returncode}: {done.stderr.strip()[:300]}")
    elif json.loads(done.stdout)["articles"] != snap.total:
        problems.append(f"stats says {json.loads(done.stdout)['articles']} articles")
    return problems


def file_version(name: str, found: list[tuple[int, int, int, str]]) -> tuple[int | None, str]:
    """The one version of `name` its indexed articles make up (None: none indexed), or a
    reason why they make up none (mixed versions, missing or doubled records)."""
    if not found:
        return None, ""
    versions = {version for version, _, _, _ in found}
    if len(versions) > 1:
        return None, f"{name}: articles of versions {sorted(versions)} at once"
    version = versions.pop()
    got = sorted(article_id for _, _, _, article_id in found)
    want = sorted(expected_ids(name, version))
    if got != want:
        return None, f"{name} v{version}: articles {got}, expected {want}"
    if any(records != record_count(name, version) for _, _, records, _ in found):
        return None, f"{name} v{version}: record count in titles disagrees"
    return version, ""


@dataclass(frozen=True, slots=True)
class Verdict:
    violations: tuple[str, ...]
    state: str  # "old", "new", "same" (old and new agree), or "mixed"
    total: int
    check_ran: bool


def check_old_or_new(
    index_dir: Path,
    root: Path,
    old: State,
    new: State,
    *,
    use_cli: bool = True,
    current: bool = False,
    first: bool = False,
) -> Verdict:
    """Every file as its old or new version (or absent where that version is absent), and
    the whole index one commit: all old or all new. After a `first` run, "old" may be no
    index at all."""
    snap = snapshot(index_dir, root, use_cli=use_cli, current=current, first=first)
    return judge(snap, old, new)


def judge(snap: Snapshot, old: State, new: State) -> Verdict:
    """`snap` judged against the two states the index may be in."""
    violations = list(snap.violations)
    matches_old = matches_new = not snap.violations
    for name in old.keys() | new.keys() | snap.files.keys():
        version, problem = file_version(name, snap.files.get(name, []))
        if problem:
            violations.append(problem)
            matches_old = matches_new = False
            continue
        allowed = {old.get(name), new.get(name)}
        if version not in allowed:
            violations.append(f"{name}: indexed as v{version}, expected one of {allowed}")
        matches_old = matches_old and version == old.get(name)
        matches_new = matches_new and version == new.get(name)
    if matches_old and matches_new:
        state = "same"
    elif matches_old or matches_new:
        state = "old" if matches_old else "new"
    else:
        state = "mixed"
        if not violations:
            violations.append("some files old and some new: not one commit")
    return Verdict(tuple(violations), state, snap.total, snap.check_ran)


def check_exact(
    index_dir: Path, root: Path, state: State, *, use_cli: bool = True, current: bool = True
) -> Verdict:
    """The index holds exactly `state`: each file's one version, complete, nothing else.
    `current`: the folder is in that state too (not after a run that failed), so that
    `newsgrep check` must find nothing at all."""
    verdict = check_old_or_new(index_dir, root, state, state, use_cli=use_cli, current=current)
    if verdict.state != "same" and not verdict.violations:
        return Verdict(("index differs from the folder",), verdict.state, verdict.total, False)
    return verdict


def folder_state(root: Path) -> State:
    """The state the folder is in, read from the files' own markers (for the soak test)."""
    state: State = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        text = path.read_text(encoding="utf-8")
        line = (
            text.splitlines()[1]
            if path.suffix == ".txt"
            else json.loads(text.splitlines()[0])["title"]
        )
        marker = parse_marker(line)
        if marker is not None:
            state[marker.name] = marker.version
    return state
