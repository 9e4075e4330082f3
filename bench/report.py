"""The printed result: Markdown tables of figures, newsgrep ÷ peer ratios, and the issue's
targets met or missed."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.peers import SYSTEMS
from bench.phases import FLOOR_IMPORTS
from bench.queries import KINDS, QUERIES

# (label, key, format); a ratio is printed for the rows with `ratio` set.
ROWS: tuple[tuple[str, str, str, bool], ...] = (
    ("full build (s)", "build_s", "{:.1f}", True),
    ("articles/s", "build_rate", "{:,.0f}", False),
    ("peak RSS of the build, all its processes (MiB)", "peak_rss_mb", "{:.0f}", True),
    ("index ÷ text", "index_ratio", "{:.2f}", True),
    ("refresh: 10 changed + 10 new (s)", "refresh_s", "{:.3f}", True),
    ("warm top-10 + snippets p50 (ms)", "query_p50_ms", "{:.1f}", True),
    ("warm top-10 + snippets p95 (ms)", "query_p95_ms", "{:.1f}", True),
    ("warm p50, one SearchSession (ms)", "session_p50_ms", "{:.1f}", False),
    ("warm p95, one SearchSession (ms)", "session_p95_ms", "{:.1f}", False),
    ("queries with hits", "queries_with_hits", "{:.0f}/" + str(len(QUERIES)), False),
    ("--batch, 99 queries, whole process (queries/s)", "batch_qps", "{:.0f}", False),
    ("cold one-word search (ms)", "cold_ms", "{:.0f}", True),
    ("cold one-word search, --json (ms)", "cold_json_ms", "{:.0f}", False),
    ("import floor, in turns with the cold searches (ms)", "floor_ms", "{:.0f}", False),
)


def _cell(value: Any, template: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return template.format(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def scale_tables(scale: dict[str, Any], names: Sequence[str]) -> str:
    systems = scale["systems"]
    present = [name for name in names if name in systems]
    header = ["", *(SYSTEMS[name].title for name in present)]
    rows = []
    for label, key, template, _ratio in ROWS:
        cells = [_cell(systems[name].get(key), template) for name in present]
        if any(cell != "–" for cell in cells):
            rows.append([label, *cells])
    parts = [_table(header, rows)]

    peers = [name for name in present if name != "newsgrep"]
    if "newsgrep" in systems and peers:
        ours = systems["newsgrep"]
        ratio_rows = []
        for label, key, _template, ratio in ROWS:
            if not ratio or ours.get(key) is None:
                continue
            cells = []
            for name in peers:
                theirs = systems[name].get(key)
                cells.append(f"{ours[key] / theirs:.2f}×" if theirs else "–")
            if any(cell != "–" for cell in cells):
                ratio_rows.append([label, *cells])
        if ratio_rows:
            header = ["newsgrep ÷ peer", *(SYSTEMS[name].title for name in peers)]
            parts.append(_table(header, ratio_rows))

    queried = [name for name in present if "query_kind_p50_ms" in systems[name]]
    if queried:
        counts = {kind: sum(1 for query in QUERIES if query.kind == kind) for kind in KINDS}
        kind_rows = [
            [
                f"{kind} ({counts[kind]})",
                *(f"{systems[name]['query_kind_p50_ms'][kind]:.1f}" for name in queried),
            ]
            for kind in KINDS
        ]
        header = ["warm p50 by query kind (ms)", *(SYSTEMS[name].title for name in queried)]
        parts.append(_table(header, kind_rows))
    return "\n\n".join(parts)


@dataclass(frozen=True, slots=True)
class Target:
    label: str
    scale: str
    figure: Callable[[dict[str, Any]], float | None]
    limit: float
    unit: str
    at_least: bool = False  # the figure must reach the limit, not stay under it


def _get(name: str, key: str) -> Callable[[dict[str, Any]], float | None]:
    def figure(systems: dict[str, Any]) -> float | None:
        value = systems.get(name, {}).get(key)
        return None if value is None else float(value)

    return figure


def _ratio(key: str, other: str, other_key: str | None = None) -> Callable[..., float | None]:
    def figure(systems: dict[str, Any]) -> float | None:
        ours = systems.get("newsgrep", {}).get(key)
        theirs = systems.get(other, {}).get(other_key or key)
        return None if ours is None or not theirs else float(ours) / float(theirs)

    return figure


_JSON_OVER_HUMAN = _ratio("cold_json_ms", "newsgrep", "cold_ms")

TARGETS = (
    Target("full build, 21.6k", "1", _get("newsgrep", "build_s"), 9, "s"),
    Target("full build, 108k", "5", _get("newsgrep", "build_s"), 45, "s"),
    Target("full build ÷ recoll's, 108k", "5", _ratio("build_s", "recoll"), 0.6, "×"),
    Target("peak RSS of the build, 108k", "5", _get("newsgrep", "peak_rss_mb"), 400, "MiB"),
    Target("refresh 10+10, 21.6k", "1", _get("newsgrep", "refresh_s"), 0.25, "s"),
    Target("refresh 10+10, 108k", "5", _get("newsgrep", "refresh_s"), 0.8, "s"),
    Target("warm p50, 21.6k", "1", _get("newsgrep", "query_p50_ms"), 8, "ms"),
    Target("warm p95, 21.6k", "1", _get("newsgrep", "query_p95_ms"), 20, "ms"),
    Target("warm p50, 108k", "5", _get("newsgrep", "query_p50_ms"), 20, "ms"),
    Target("warm p95, 108k", "5", _get("newsgrep", "query_p95_ms"), 60, "ms"),
    Target("warm p50, one SearchSession, 108k", "5", _get("newsgrep", "session_p50_ms"), 20, "ms"),
    Target("warm p95, one SearchSession, 108k", "5", _get("newsgrep", "session_p95_ms"), 60, "ms"),
    Target("cold search (human), 21.6k", "1", _get("newsgrep", "cold_ms"), 150, "ms"),
    Target("cold search (human), 108k", "5", _get("newsgrep", "cold_ms"), 200, "ms"),
    Target("cold search ÷ `rg -il`, 108k", "5", _ratio("cold_ms", "rg"), 0.5, "×"),
    # "no slower": within 5 %, the run-to-run noise of a hyperfine median here
    Target("cold --json ÷ human, 21.6k", "1", _JSON_OVER_HUMAN, 1.05, "×"),
    Target("cold --json ÷ human, 108k", "5", _JSON_OVER_HUMAN, 1.05, "×"),
    # issue 14: at the bare import of Typer, Rich and the Whoosh modules a search needs
    Target("cold search ÷ import floor, 21.6k", "1", _get("newsgrep", "cold_over_floor"), 1.0, "×"),
    Target(
        "cold --json ÷ import floor, 21.6k", "1", _get("newsgrep", "cold_json_over_floor"), 1.0, "×"
    ),
    Target("cold search ÷ import floor, 108k", "5", _get("newsgrep", "cold_over_floor"), 1.0, "×"),
    Target(
        "cold --json ÷ import floor, 108k", "5", _get("newsgrep", "cold_json_over_floor"), 1.0, "×"
    ),
    Target("--batch, 108k", "5", _get("newsgrep", "batch_qps"), 50, "queries/s", at_least=True),
    Target("index ÷ text, 21.6k", "1", _get("newsgrep", "index_ratio"), 2.2, "×"),
    Target("index ÷ text, 108k", "5", _get("newsgrep", "index_ratio"), 2.2, "×"),
)


def targets_table(results: dict[str, Any]) -> str:
    rows = []
    for target in TARGETS:
        systems = results["scales"].get(target.scale, {}).get("systems", {})
        value = target.figure(systems)
        if value is None:
            continue
        if target.at_least:
            met = "met" if value >= target.limit else f"missed ({target.limit / value:.1f}× short)"
        else:
            met = "met" if value <= target.limit else f"missed ({value / target.limit:.1f}× over)"
        bound = f"{'≥' if target.at_least else '≤'} {target.limit:g} {target.unit}"
        rows.append([target.label, bound, f"{value:.3g} {target.unit}", met])
    if not rows:
        return ""
    return _table(["issue 4 target", "target", "newsgrep now", ""], rows)


def render(results: dict[str, Any], names: Sequence[str]) -> str:
    parts = []
    for scale_key in sorted(results["scales"], key=int):
        scale = results["scales"][scale_key]
        title = (
            f"### {scale_key}×: {scale['files']:,} articles, "
            f"{scale['text_bytes'] / 1e6:.1f} MB of text"
        )
        parts += [title, scale_tables(scale, names)]
    floor = results.get("floor", {})
    if floor:
        commands = {"python_ms": "pass", "imports_ms": f'"{FLOOR_IMPORTS}"'}
        rows = [
            [f"`python -c {code}`", f"{floor[key]:.0f}"]
            for key, code in commands.items()
            if key in floor
        ]
        parts.append("### Start-up floor (hyperfine medians)\n\n" + _table(["command", "ms"], rows))
    targets = targets_table(results)
    if targets:
        parts += ["### Issue 4 targets (newsgrep as measured in this run)", targets]
    return "\n\n".join(parts) + "\n"
