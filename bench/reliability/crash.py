"""Crash safety: SIGKILL and SIGINT at random moments of `newsgrep index` runs.

    python -m bench.reliability.crash                    # 55 SIGKILLs, 15 SIGINTs, 2,000 files
    python -m bench.reliability.crash --kills 5 --sigints 3 --files 300   # a quick look

Between runs the folder is mutated (files changed, added, removed, touched). Runs are of
three kinds: updates; every `--rebuild-every`-th a `--rebuild`; every `--first-every`-th a
first run into no index at all. `--parallel-share` of them have the parallel writer forced
on (rebuilds and first runs of a large folder use it anyway). Each signal lands at a uniform
random moment of a typical run of its kind (measured first, and kept up to date), or, for
`--commit-share` of them, soon after the run's manifest appears, i.e. during the commit.
After each: the index opens and searches (or, after a first run, says there is no index
yet), every file is indexed as its old or its new version (never both, twice or partly),
the whole index is one commit, `newsgrep check` finds nothing but what the run did not get
to do and never prints a Python error, and the next `newsgrep index` (or, for
`--repair-share` of them, `newsgrep check --repair`) makes the index match the folder
exactly. Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpus import REUTERS_JSONL
from bench.reliability.checks import check_command_exists
from bench.reliability.model import Texts
from bench.reliability.report import log, machine, seconds, table
from bench.reliability.runs import Attack, Workbench

# Where in a run a signal came, as a share of a typical run of its kind.
MOMENTS = ((0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0), (1.0, float("inf")))
PHASES = ("startup", "reading", "commit", "finished")


def next_attack(
    landed: dict[str, int], wanted: dict[str, int], rng: random.Random, commit_share: float
) -> tuple[signal.Signals, str]:
    """The signal that is furthest behind its count, aimed at the commit `commit_share` of
    the time."""
    sig = min(
        (s for s in (signal.SIGKILL, signal.SIGINT) if wanted[s.name]),
        key=lambda s: landed[s.name] / wanted[s.name],
    )
    return sig, "commit" if rng.random() < commit_share else "uniform"


def run_kind(number: int, rebuild_every: int, first_every: int) -> str:
    if first_every > 0 and number % first_every == 0:
        return "first"
    if rebuild_every > 0 and number % rebuild_every == 0:
        return "rebuild"
    return "update"


def _counts(values: list[str]) -> str:
    return ", ".join(f"{value} {count}" for value, count in sorted(Counter(values).items()))


def summarise(attacks: list[Attack]) -> str:
    groups: dict[tuple[str, str, str, str], list[Attack]] = defaultdict(list)
    for attack in attacks:
        groups[(attack.signal, attack.run, attack.writer, attack.phase)].append(attack)
    rows = []
    for (sig, run, writer, phase), members in sorted(groups.items()):
        rows.append(
            (
                f"SIG{sig}",
                run,
                writer,
                phase,
                len(members),
                _counts([attack.state for attack in members]),
                sorted({attack.exit_code for attack in members}),
                sum(len(attack.violations) for attack in members),
                _counts([attack.recovery for attack in members]),
                seconds([attack.recovery_seconds for attack in members]),
            )
        )
    headers = (
        "signal",
        "run",
        "writer",
        "phase hit",
        "runs",
        "index after (old/new)",
        "exit codes",
        "violations",
        "recovered by",
        "recovery s (median / max)",
    )
    return table(headers, rows)


def by_moment(attacks: list[Attack]) -> str:
    """How the signals spread over the runs: per share of a typical run, the phases hit."""
    rows = []
    for low, high in MOMENTS:
        members = [a for a in attacks if low <= a.moment < high]
        label = f"{low:.0%}–{high:.0%}" if high != float("inf") else f"after {low:.0%}"
        phases = Counter(a.phase for a in members)
        rows.append((label, len(members), *(phases[phase] for phase in PHASES)))
    return table(("moment (of a typical run)", "signals", *PHASES), rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=55, help="SIGKILLs that land in a run")
    parser.add_argument("--sigints", type=int, default=15, help="SIGINTs that land in a run")
    parser.add_argument("--files", type=int, default=2000, help="files in the corpus")
    parser.add_argument("--commit-share", type=float, default=0.3, help="aimed at the commit")
    parser.add_argument("--rebuild-every", type=int, default=6, help="every Nth run rebuilds")
    parser.add_argument("--first-every", type=int, default=5, help="every Nth: a first run")
    parser.add_argument("--parallel-share", type=float, default=0.25, help="parallel forced")
    parser.add_argument("--repair-share", type=float, default=0.3, help="check --repair after")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--synthetic", action="store_true", help="made-up text, not Reuters")
    args = parser.parse_args(argv)
    texts = Texts(None if args.synthetic else REUTERS_JSONL, seed=args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsgrep-crash-") as work:
        bench = Workbench(Path(work), texts, args.files, seed=args.seed)
        log(f"crash: {args.files} files of {texts.source} text; calibrating …")
        bench.calibrate(parallel=args.parallel_share > 0)
        log(
            "crash: typical runs: "
            + ", ".join(
                f"{kind} {bench.typical(kind):.2f} s"
                for kind in ("first", "update", "update+parallel", "rebuild", "commit")
            )
        )
        attacks = attack_runs(bench, args, log)
        articles = len(bench.state)
    violations = [v for attack in attacks for v in attack.violations]
    signalled = [a for a in attacks if a.phase != "finished"]
    print(f"## Crash safety ({machine()})\n")
    print(
        f"{args.files} files at the start ({texts.source}; {articles} at the end), "
        f"{len(attacks)} runs attacked ({_counts([a.run for a in attacks])}; writer: "
        f"{_counts([a.writer for a in attacks])}): "
        f"{sum(a.signal == 'KILL' for a in signalled)} SIGKILLs "
        f"and {sum(a.signal == 'INT' for a in signalled)} SIGINTs landed during a run, "
        f"{len(attacks) - len(signalled)} runs ended before their signal; "
        f"{sum(a.in_python_startup for a in attacks)} SIGINTs came while Python itself "
        "was starting (its own KeyboardInterrupt traceback, before any newsgrep code ran); "
        f"`newsgrep check` {'run after each' if check_command_exists() else 'not available'}; "
        f"{len(violations)} violations; {time.perf_counter() - started:.0f} s in all.\n"
    )
    print(summarise(attacks))
    print()
    print(by_moment(attacks))
    for violation in violations:
        print(f"- VIOLATION: {violation}")
    return 1 if violations else 0


def attack_runs(
    bench: Workbench, args: argparse.Namespace, say: Callable[[str], None]
) -> list[Attack]:
    wanted = {"SIGKILL": args.kills, "SIGINT": args.sigints}
    landed = {"SIGKILL": 0, "SIGINT": 0}
    rng = random.Random(args.seed)
    attacks: list[Attack] = []
    n = 0
    while any(landed[name] < wanted[name] for name in wanted) and n < 3 * sum(wanted.values()):
        n += 1
        sig, aim = next_attack(landed, wanted, rng, args.commit_share)
        run = run_kind(n, args.rebuild_every, args.first_every)
        parallel = rng.random() < args.parallel_share
        recovery = "repair" if rng.random() < args.repair_share else "index"
        attack = bench.attack(sig, aim, run=run, parallel=parallel, recovery=recovery)
        if attack.phase != "finished":
            landed[sig.name] += 1
        attacks.append(attack)
        say(
            f"  {n:3d} SIG{attack.signal:4s} {aim:7s} {run:7s} {attack.writer:8s}"
            f" at {attack.delay:5.2f} s ({attack.moment:4.0%}, {attack.phase}) → exit "
            f"{attack.exit_code}, index {attack.state}, {attack.recovery} "
            f"{attack.recovery_seconds:.2f} s"
            + "".join(f"\n      VIOLATION {v}" for v in attack.violations)
        )
    return attacks


if __name__ == "__main__":
    sys.exit(main())
