"""Crash safety: SIGKILL and SIGINT at random moments of `newsgrep index` runs.

    python -m bench.reliability.crash                    # 55 SIGKILLs, 15 SIGINTs, 2,000 files
    python -m bench.reliability.crash --kills 5 --sigints 3 --files 300   # a quick look

Between runs the folder is mutated (files changed, added, removed, touched; every
`--rebuild-every`-th run is a `--rebuild`). Each signal lands at a uniform random moment of
a typical run's duration (measured first), or, for `--commit-share` of them, soon after the
run's manifest appears, i.e. during the commit. After each: the index opens and searches,
every file is indexed as its old or its new version (never both, twice or partly), the
whole index is one commit, `newsgrep check` passes when it exists, and one more
`newsgrep index` makes the index match the folder exactly. Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpus import REUTERS_JSONL
from bench.reliability.checks import check_command_exists
from bench.reliability.model import Texts
from bench.reliability.report import log, machine, seconds, table
from bench.reliability.runs import Attack, Workbench


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


def summarise(attacks: list[Attack]) -> str:
    groups: dict[tuple[str, str, str], list[Attack]] = defaultdict(list)
    for attack in attacks:
        kind = "rebuild" if attack.rebuild else "update"
        groups[(attack.signal, kind, attack.phase)].append(attack)
    rows = []
    for (sig, kind, phase), members in sorted(groups.items()):
        states: dict[str, int] = defaultdict(int)
        for attack in members:
            states[attack.state] += 1
        rows.append(
            (
                f"SIG{sig}",
                kind,
                phase,
                len(members),
                ", ".join(f"{state} {count}" for state, count in sorted(states.items())),
                sorted({attack.exit_code for attack in members}),
                sum(len(attack.violations) for attack in members),
                seconds([attack.recovery_seconds for attack in members]),
            )
        )
    headers = (
        "signal",
        "run",
        "phase hit",
        "runs",
        "index after (old/new)",
        "exit codes",
        "violations",
        "recovery s (median / max)",
    )
    return table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=55, help="SIGKILLs that land in a run")
    parser.add_argument("--sigints", type=int, default=15, help="SIGINTs that land in a run")
    parser.add_argument("--files", type=int, default=2000, help="files in the corpus")
    parser.add_argument("--commit-share", type=float, default=0.3, help="aimed at the commit")
    parser.add_argument("--rebuild-every", type=int, default=6, help="every Nth run rebuilds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--synthetic", action="store_true", help="made-up text, not Reuters")
    args = parser.parse_args(argv)
    texts = Texts(None if args.synthetic else REUTERS_JSONL, seed=args.seed)
    started = time.perf_counter()
    attacks: list[Attack] = []
    with tempfile.TemporaryDirectory(prefix="newsgrep-crash-") as work:
        bench = Workbench(Path(work), texts, args.files, seed=args.seed)
        log(f"crash: {args.files} files of {texts.source} text; calibrating …")
        bench.calibrate()
        log(
            f"crash: an update takes {bench.typical('update'):.2f} s "
            f"({bench.typical('commit'):.2f} s committing), "
            f"a rebuild {bench.typical('rebuild'):.2f} s"
        )
        wanted = {"SIGKILL": args.kills, "SIGINT": args.sigints}
        landed = {"SIGKILL": 0, "SIGINT": 0}
        rng = random.Random(args.seed)
        n = 0
        while any(landed[name] < wanted[name] for name in wanted) and n < 3 * sum(wanted.values()):
            n += 1
            sig, aim = next_attack(landed, wanted, rng, args.commit_share)
            rebuild = args.rebuild_every > 0 and n % args.rebuild_every == 0
            attack = bench.attack(sig, aim, rebuild=rebuild)
            if attack.phase != "finished":
                landed[sig.name] += 1
            attacks.append(attack)
            log(
                f"  {n:3d} SIG{attack.signal:4s} {aim:7s} {'rebuild' if rebuild else 'update':7s}"
                f" at {attack.delay:5.2f} s ({attack.phase}) → exit {attack.exit_code}, "
                f"index {attack.state}, recovery {attack.recovery_seconds:.2f} s"
                + "".join(f"\n      VIOLATION {v}" for v in attack.violations)
            )
        articles = len(bench.state)
    violations = [v for attack in attacks for v in attack.violations]
    signalled = [a for a in attacks if a.phase != "finished"]
    print(f"## Crash safety ({machine()})\n")
    print(
        f"{args.files} files at the start ({texts.source}; {articles} at the end), "
        f"{len(attacks)} runs attacked: {sum(a.signal == 'KILL' for a in signalled)} SIGKILLs "
        f"and {sum(a.signal == 'INT' for a in signalled)} SIGINTs landed during a run, "
        f"{len(attacks) - len(signalled)} runs ended before their signal; "
        f"`newsgrep check` {'run after each' if check_command_exists() else 'not available'}; "
        f"{len(violations)} violations; {time.perf_counter() - started:.0f} s in all.\n"
    )
    print(summarise(attacks))
    for violation in violations:
        print(f"- VIOLATION: {violation}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
