"""The browse view's speed (issue 16): keystroke to results, and the first screen.

    python bench/browse.py --index /tmp/browse-idx            # an index of Reuters (21.6k)
    python bench/browse.py --index /tmp/browse-idx --queries 8 --interval 0.2

Keystrokes: a Textual pilot (headless, 120x40) types each of the benchmark's queries
(bench/queries.py; dates and sort set as the date and sort keys would) letter by letter,
`--interval` seconds apart (longer than the debounce, as a person typing: each key
searches at once). A keystroke's latency runs from the key press to the list filled
with that text's results (`BrowseApp.shown_at`); the engine's own share (the result's
`seconds`) is reported beside it. Burst: the same queries typed 30 ms a key (faster than
the debounce), timed from the last key to its results.

First screen: `newsgrep browse oil` started in a real terminal under tmux (120x40),
timed from the start of the process to the status line saying "matches" on the pane
(polled every 10 ms); skipped without tmux. Prints a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.queries import QUERIES, BenchQuery
from newsgrep.cli.fullscreen.app import BrowseApp
from newsgrep.cli.resolve import SearchOptions, resolve_browse
from newsgrep.config import Config
from newsgrep.model import Sort
from newsgrep.text.synonyms import load_synonyms

BURST_INTERVAL = 0.03
# (seconds, text typed so far, its result) of every keystroke, for --slowest.
SLOWEST: list[tuple[float, str, Any]] = []


def keys_of(text: str) -> list[str]:
    names = {" ": "space", '"': "quotation_mark", "*": "asterisk"}
    return [names.get(c, c) for c in text]


async def shown(app: BrowseApp, timeout: float = 10.0) -> None:
    """Until the list shows the results of what the view asks for."""
    deadline = time.perf_counter() + timeout
    while app.shown != app.state:
        if time.perf_counter() > deadline:
            raise SystemExit(f"bench: no results for {app.state.query!r}")
        await asyncio.sleep(0.0005)


async def type_queries(
    index: Path, queries: tuple[BenchQuery, ...], interval: float
) -> tuple[list[float], list[float], list[float], list[float]]:
    """(latency of each keystroke, engine seconds of each, latency of each burst's end,
    the gaps between a burst's keys as they came)."""
    template = resolve_browse(SearchOptions(), Config(), load_synonyms).request
    app = BrowseApp(index, template)
    latencies: list[float] = []
    engine: list[float] = []
    bursts: list[float] = []
    gaps: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.library.is_open:
            await pilot.pause(0.01)
        for query in queries:
            for burst in (False, True):
                app.state = replace(
                    app.state.typed(""),
                    since=query.since,
                    until=query.until,
                    sort=Sort.NEWEST if query.newest_first else Sort.RELEVANCE,
                )
                await pilot.press("ctrl+u")
                await pilot.pause(0.3)  # past the debounce: the next key searches at once
                previous = None
                for key in keys_of(query.newsgrep_text()):
                    started = time.perf_counter()
                    if burst and previous is not None:
                        gaps.append(started - previous)
                    previous = started
                    await pilot.press(key)
                    if burst:
                        await asyncio.sleep(BURST_INTERVAL)
                        continue
                    await shown(app)
                    latencies.append(app.shown_at - started)
                    SLOWEST.append((app.shown_at - started, app.state.query, app.result))
                    if app.result is not None:
                        engine.append(app.result.seconds)
                    await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))
                if burst:
                    await shown(app)
                    bursts.append(app.shown_at - started)
        await pilot.pause(0.5)
    return latencies, engine, bursts, gaps


def first_screen(index: Path, runs: int) -> list[float]:
    """Seconds from starting `newsgrep browse oil` under tmux to its results on the pane."""
    if shutil.which("tmux") is None:
        return []
    times = []
    with tempfile.TemporaryDirectory() as folder:
        tmux = ["tmux", "-S", os.path.join(folder, "sock")]
        for run in range(runs):
            name = f"first{run}"
            command = f"{sys.executable} -m newsgrep browse oil --index {index}"
            started = time.perf_counter()
            subprocess.run(
                [*tmux, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command],
                check=True,
            )
            while True:
                screen = subprocess.run(
                    [*tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True
                ).stdout
                if " matches · " in screen:
                    times.append(time.perf_counter() - started)
                    break
                if time.perf_counter() - started > 30:
                    raise SystemExit(f"bench: no first screen in 30 s:\n{screen}")
                time.sleep(0.01)
            subprocess.run([*tmux, "kill-session", "-t", name], check=True)
            time.sleep(0.5)
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(value: float) -> str:
    return f"{value * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index to browse")
    parser.add_argument("--queries", type=int, default=len(QUERIES), help="the first N queries")
    parser.add_argument("--interval", type=float, default=0.15, help="seconds between keys")
    parser.add_argument("--first-screens", type=int, default=5, help="tmux runs")
    parser.add_argument("--slowest", type=int, default=0, help="list the N slowest keys")
    args = parser.parse_args()
    chosen = QUERIES[: args.queries]
    latencies, engine, bursts, gaps = asyncio.run(type_queries(args.index, chosen, args.interval))
    screens = first_screen(args.index, args.first_screens)
    print(f"{len(chosen)} queries, {len(latencies)} keystrokes {args.interval:.2f} s apart; ")
    print(f"bursts: {BURST_INTERVAL * 1000:.0f} ms after each key's press returned\n")
    print("| measure | n | p50 ms | p95 ms | max ms |")
    print("| --- | --- | --- | --- | --- |")
    rows = [
        ("keystroke to results", latencies),
        ("of which the engine's search", engine),
        ("burst: last key to results", bursts),
        ("burst: the gap between its keys", gaps),
        ("first screen (tmux, process start to results)", screens),
    ]
    for label, values in rows:
        if not values:
            print(f"| {label} | 0 | not measured | | |")
            continue
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        print(f"| {label} | {len(values)} | {ms(p50)} | {ms(p95)} | {ms(max(values))} |")

    if args.slowest:
        print("\n| text typed | ms | engine ms | matches | what the search did |")
        print("| --- | --- | --- | --- | --- |")
        for seconds, text, result in sorted(SLOWEST, key=lambda row: -row[0])[: args.slowest]:
            engine_ms = ms(result.seconds) if result is not None else ""
            total = f"{result.total:,}" if result is not None else ""
            did = "; ".join(result.notices)[:90] if result is not None else ""
            if result is not None and result.suggestion:
                did += f" (did you mean {result.suggestion!r})"
            print(f"| `{text}` | {ms(seconds)} | {engine_ms} | {total} | {did} |")


if __name__ == "__main__":
    main()
