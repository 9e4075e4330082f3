"""The phases of a benchmark run — build, query, cold, refresh — each filling in figures
per scale and system; and --record-top."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import CORPUS_VERSION, REPO, Corpus, ensure_corpus, mutate, restore
from bench.measure import hyperfine, median, percentile, run_process
from bench.peers import INDEXES, PYTHON, SCRATCH, System, worker_env
from bench.queries import COLD_WORD, KINDS, QUERIES, BenchQuery

PHASES = ("build", "query", "batch", "cold", "refresh", "scenarios")
BATCH_PASSES = 3  # the query set three times over: 99 lines
BATCH_RUNS = 3
# The bare import of what a search needs from its libraries: Typer, Rich's console, and the
# Whoosh modules that open an index and parse a query (issue 14: newsgrep's cold search is
# to take no longer than this, measured side by side in the same run).
FLOOR_IMPORTS = "import typer, rich.console, whoosh.index, whoosh.qparser"
FLOOR_ROUNDS = 5  # the floor and newsgrep take turns, so that load on the box hits both
EXPECTED_TOP = Path(__file__).resolve().parent / "expected_top10.json"
PARTIAL = REPO / "bench" / "results" / "scenarios-partial.json"


@dataclass(frozen=True, slots=True)
class Settings:
    build_repeats: dict[int, int]
    refresh_rounds: int
    query_repeats: int
    cold_runs: int
    word: str = COLD_WORD

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        if quick:
            return cls(build_repeats={1: 1, 5: 1}, refresh_rounds=2, query_repeats=3, cold_runs=10)
        return cls(build_repeats={1: 3, 5: 1}, refresh_rounds=3, query_repeats=5, cold_runs=20)


def batch_line(query: BenchQuery) -> str:
    text = query.newsgrep_text()
    if query.since or query.until:
        text += f" date:[{query.since or ''} TO {query.until or ''}]"
    return text


def _summary(output: str) -> str:
    """The line of a refresh's output that says what changed (newsgrep's summary, or the
    worker's JSON counts)."""
    lines = output.strip().splitlines()
    return next((line.strip() for line in lines if "added" in line), "")


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class Bench:
    """Runs phases for the chosen systems and collects figures into `results`."""

    def __init__(self, systems: Sequence[System], settings: Settings) -> None:
        self.systems = list(systems)
        self.settings = settings
        self.results: dict[str, Any] = {"scales": {}, "floor": {}}

    def figures(self, corpus: Corpus, system: System) -> dict[str, Any]:
        scale = self.results["scales"].setdefault(
            str(corpus.scale),
            {"files": corpus.files, "text_bytes": corpus.text_bytes, "systems": {}},
        )
        figures: dict[str, Any] = scale["systems"].setdefault(system.name, {})
        return figures

    def indexed(self) -> list[System]:
        return [system for system in self.systems if system.has_index]

    # --- build ----------------------------------------------------------------------------

    def _marker(self, corpus: Corpus, system: System) -> Path:
        return INDEXES / corpus.key / f"{system.name}.built.json"

    def _set_marker(self, corpus: Corpus, system: System) -> None:
        marker = self._marker(corpus, system)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(self._state(corpus, system)), encoding="utf-8")

    def _state(self, corpus: Corpus, system: System) -> dict[str, Any]:
        return {
            "corpus_version": CORPUS_VERSION,
            "files": corpus.files,
            "system": system.fingerprint(),
        }

    def _is_built(self, corpus: Corpus, system: System) -> bool:
        try:
            state = json.loads(self._marker(corpus, system).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(state == self._state(corpus, system))

    def _build_once(self, corpus: Corpus, system: System) -> tuple[float, float]:
        self._marker(corpus, system).unlink(missing_ok=True)
        system.prepare(corpus)
        run = run_process(system.build_command(corpus), env=worker_env())
        self._set_marker(corpus, system)
        return run.seconds, run.peak_rss_mb

    def ensure_built(self, corpus: Corpus, system: System) -> None:
        if system.has_index and not self._is_built(corpus, system):
            log(f"[{corpus.key}] building the {system.name} index first (not timed)")
            self._build_once(corpus, system)

    def build(self, corpus: Corpus) -> None:
        repeats = self.settings.build_repeats.get(corpus.scale, 1)
        times: dict[str, list[float]] = {system.name: [] for system in self.indexed()}
        peaks: dict[str, list[float]] = {system.name: [] for system in self.indexed()}
        for round_number in range(1, repeats + 1):
            for system in self.indexed():  # systems interleaved: noise spreads evenly
                seconds, peak = self._build_once(corpus, system)
                times[system.name].append(seconds)
                peaks[system.name].append(peak)
                log(
                    f"[{corpus.scale}x build {round_number}/{repeats}] {system.name}: "
                    f"{seconds:.2f} s, peak RSS {peak:.0f} MiB"
                )
        for system in self.indexed():
            figures = self.figures(corpus, system)
            seconds = median(times[system.name])
            index_bytes = system.index_bytes(corpus)
            figures.update(
                build_s=seconds,
                build_runs=times[system.name],
                build_rate=corpus.files / seconds,
                peak_rss_mb=max(peaks[system.name]),
                index_mb=index_bytes / 1e6,
                index_ratio=index_bytes / corpus.text_bytes,
            )

    # --- refresh --------------------------------------------------------------------------

    def refresh(self, corpus: Corpus) -> None:
        """Refresh working copies of the built indexes (the built ones stay as they are, so
        later phases and runs measure a freshly built index), then put the corpus back."""
        systems = self.indexed()
        copies = {}
        for system in systems:
            self.ensure_built(corpus, system)
            copies[system.name] = SCRATCH / f"{corpus.scale}x" / system.name
            system.copy_index(corpus, copies[system.name])
        times: dict[str, list[float]] = {system.name: [] for system in systems}
        try:
            for round_number in range(1, self.settings.refresh_rounds + 1):
                mutate(corpus, round_number)
                for system in systems:
                    command = system.refresh_command(corpus, copies[system.name])
                    run = run_process(command, env=worker_env())
                    times[system.name].append(run.seconds)
                    log(
                        f"[{corpus.scale}x refresh {round_number}] {system.name}: "
                        f"{run.seconds:.3f} s  {_summary(run.stdout + run.stderr)}"
                    )
        finally:
            restore(corpus)
            shutil.rmtree(SCRATCH / f"{corpus.scale}x", ignore_errors=True)
        for system in systems:
            figures = self.figures(corpus, system)
            figures["refresh_s"] = median(times[system.name])
            figures["refresh_runs"] = times[system.name]

    # --- refresh scenarios (issue 11) ------------------------------------------------------

    def scenarios(self, corpus: Corpus) -> None:
        """Each scenario of `bench.scenarios` on copies of the built indexes: the refresh,
        the size after it, and a fresh build of the same files (time and size)."""
        from bench.scenarios import CHANGES, SCENARIOS, SYSTEMS, corpus_for

        systems = [system for system in self.indexed() if system.name in SYSTEMS]
        table = self.results.setdefault("scenarios", {}).setdefault(str(corpus.scale), {})
        for scenario in SCENARIOS:
            target = corpus_for(scenario, corpus.scale)
            for system in systems:
                self.ensure_built(target, system)
            work = SCRATCH / target.key
            try:
                with CHANGES[scenario](target):  # type: ignore[attr-defined]
                    for system in systems:
                        table.setdefault(scenario, {})[system.name] = self._scenario(
                            target, system, work, scenario
                        )
                        # (a long run's figures so far, should it be stopped)
                        PARTIAL.parent.mkdir(parents=True, exist_ok=True)
                        PARTIAL.write_text(json.dumps(self.results, indent=1), encoding="utf-8")
            finally:
                shutil.rmtree(work, ignore_errors=True)

    def _scenario(
        self, corpus: Corpus, system: System, work: Path, scenario: str
    ) -> dict[str, Any]:
        copy, fresh = work / system.name, work / f"{system.name}-fresh"
        system.copy_index(corpus, copy)
        before = system.size_of(copy)
        refresh = run_process(system.refresh_command(corpus, copy), env=worker_env())
        after = system.size_of(copy)
        system.prepare_at(corpus, fresh)
        build = run_process(system.build_command(corpus, fresh), env=worker_env())
        built = system.size_of(fresh)
        figures = {
            "refresh_s": refresh.seconds,
            "fresh_build_s": build.seconds,
            "refresh_of_build": refresh.seconds / build.seconds,
            "size_before_mb": before / 1e6,
            "size_after_mb": after / 1e6,
            "fresh_size_mb": built / 1e6,
            "size_of_fresh": after / built if built else None,
            "summary": _summary(refresh.stdout + refresh.stderr),
        }
        log(
            f"[{corpus.key} {scenario}] {system.name}: refresh {refresh.seconds:.2f} s "
            f"({figures['refresh_of_build']:.1%} of a fresh build's {build.seconds:.1f} s); "
            f"size {after / 1e6:.1f} MB = {figures['size_of_fresh'] or 0:.2f}x a fresh build's"
        )
        shutil.rmtree(copy, ignore_errors=True)
        shutil.rmtree(fresh, ignore_errors=True)
        return figures

    # --- warm queries ---------------------------------------------------------------------

    def query(self, corpus: Corpus) -> None:
        for system in self.indexed():
            self.ensure_built(corpus, system)
            command = system.query_command(corpus, self.settings.query_repeats)
            output = json.loads(run_process(command, env=worker_env()).stdout)
            latencies = [value for values in output["latencies_ms"] for value in values]
            by_kind = {
                kind: median(
                    [
                        value
                        for query, values in zip(QUERIES, output["latencies_ms"], strict=True)
                        if query.kind == kind
                        for value in values
                    ]
                )
                for kind in KINDS
            }
            figures = self.figures(corpus, system)
            session = [
                value for values in output.get("session_latencies_ms", []) for value in values
            ]
            if session:
                figures["session_p50_ms"] = percentile(session, 0.5)
                figures["session_p95_ms"] = percentile(session, 0.95)
            figures.update(
                query_p50_ms=percentile(latencies, 0.5),
                query_p95_ms=percentile(latencies, 0.95),
                query_kind_p50_ms=by_kind,
                queries_with_hits=sum(1 for hits in output["hits"] if hits),
                query_hits=output["hits"],
            )
            log(
                f"[{corpus.scale}x query] {system.name}: p50 {figures['query_p50_ms']:.1f} ms, "
                f"p95 {figures['query_p95_ms']:.1f} ms, "
                f"{figures['queries_with_hits']}/{len(QUERIES)} queries with hits"
            )

    # --- newsgrep --batch ------------------------------------------------------------------

    def batch(self, corpus: Corpus) -> None:
        """`newsgrep search --batch`: the query set as stdin lines, one whole process; the
        date ranges go into the query text, the date-sorted queries run by relevance."""
        newsgrep = next((system for system in self.systems if system.name == "newsgrep"), None)
        if newsgrep is None:
            return
        self.ensure_built(corpus, newsgrep)
        lines = [batch_line(query) for query in QUERIES] * BATCH_PASSES
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            command = [*newsgrep.cold_commands(corpus, "x")["human"][:-1], "--batch"]
            runs = []
            for _ in range(BATCH_RUNS):
                run = run_process(command, stdin=Path(handle.name), check=False)
                if run.returncode not in (0, 1):
                    log(f"[{corpus.scale}x batch] newsgrep --batch failed: {run.stderr.strip()}")
                    return
                runs.append(run.seconds)
        seconds = median(runs)
        self.figures(corpus, newsgrep)["batch_qps"] = len(lines) / seconds
        log(
            f"[{corpus.scale}x batch] newsgrep --batch: {len(lines)} queries in {seconds:.2f} s "
            f"({len(lines) / seconds:.0f} queries/s, whole process)"
        )

    # --- cold whole-process searches ------------------------------------------------------

    def cold(self, corpus: Corpus) -> None:
        runs = self.settings.cold_runs
        for system in self.systems:
            self.ensure_built(corpus, system)
            if system.name == "newsgrep":
                self._cold_beside_floor(corpus, system)
                continue
            for kind, command in system.cold_commands(corpus, self.settings.word).items():
                result = hyperfine(command, runs=runs, env=worker_env())
                key = "cold_ms" if kind == "human" else f"cold_{kind}_ms"
                self.figures(corpus, system)[key] = result.median_ms
                log(
                    f"[{corpus.scale}x cold] {system.name} {kind}: median {result.median_ms:.1f} "
                    f"ms (±{result.stddev_ms:.1f}, {result.runs} runs)"
                )

    def _cold_beside_floor(self, corpus: Corpus, system: System) -> None:
        """newsgrep's cold searches and the import floor in turns of a few runs each, so
        that both meet the same load; the medians of all their runs, and the ratios."""
        commands = {"floor": [PYTHON, "-c", FLOOR_IMPORTS]}
        commands.update(system.cold_commands(corpus, self.settings.word))
        times: dict[str, list[float]] = {kind: [] for kind in commands}
        share = max(2, self.settings.cold_runs // FLOOR_ROUNDS)
        for _ in range(FLOOR_ROUNDS):
            for kind, command in commands.items():
                result = hyperfine(command, runs=share, warmup=1, env=worker_env())
                times[kind].extend(result.times_ms)
        figures = self.figures(corpus, system)
        floor = median(times["floor"])
        figures["floor_ms"] = floor
        for kind in commands:
            if kind == "floor":
                continue
            key = "cold_ms" if kind == "human" else f"cold_{kind}_ms"
            figures[key] = median(times[kind])
            figures[f"{key[:-3]}_over_floor"] = figures[key] / floor
        log(
            f"[{corpus.scale}x cold] import floor {floor:.1f} ms; newsgrep human "
            f"{figures['cold_ms']:.1f} ms ({figures['cold_over_floor']:.2f}x), --json "
            f"{figures['cold_json_ms']:.1f} ms ({figures['cold_json_over_floor']:.2f}x); "
            f"{len(times['floor'])} runs each, in {FLOOR_ROUNDS} turns"
        )

    def floor(self) -> None:
        """What any Python CLI on these libraries pays before doing anything."""
        runs = self.settings.cold_runs
        for key, command in (
            ("python_ms", [PYTHON, "-c", "pass"]),
            ("imports_ms", [PYTHON, "-c", FLOOR_IMPORTS]),
        ):
            result = hyperfine(command, runs=runs)
            self.results["floor"][key] = result.median_ms
            log(f"[floor] {' '.join(command[1:])}: median {result.median_ms:.1f} ms")


def record_top(bench: Bench) -> Path:
    """newsgrep's top 10 per query on the 1x corpus, into bench/expected_top10.json."""
    corpus = ensure_corpus(1)
    newsgrep = next(system for system in bench.systems if system.name == "newsgrep")
    bench.ensure_built(corpus, newsgrep)
    command = [PYTHON, "-m", "bench.worker", "top", str(newsgrep.index_dir(corpus))]
    queries = json.loads(run_process(command, env=worker_env()).stdout)
    payload = {
        "about": "newsgrep's top 10 for bench/queries.py on the 1x Reuters corpus "
        "(python bench/run.py --record-top); ids are paths relative to the corpus folder",
        "newsgrep_commit": _commit(),
        "corpus": "reuters-1x",
        "corpus_version": CORPUS_VERSION,
        "files": corpus.files,
        "queries": queries,
    }
    EXPECTED_TOP.write_text(_compact_json(payload), encoding="utf-8")
    return EXPECTED_TOP


def _commit() -> str | None:
    """The repository's commit, with `-dirty` when newsgrep/ has changes; None outside git."""
    git = ["git", "-C", str(REPO)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", "newsgrep"], capture_output=True, text=True
        )
    except OSError:
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("-dirty" if status.stdout.strip() else "")


def _compact_json(payload: dict[str, Any]) -> str:
    """Indented JSON with one line per hit: small, and diffs read well."""
    queries = payload["queries"]
    head = json.dumps({key: value for key, value in payload.items() if key != "queries"}, indent=1)
    blocks = []
    for query in queries:
        fields = json.dumps({key: value for key, value in query.items() if key != "top10"})
        hits = ",\n".join(f"   {json.dumps(hit)}" for hit in query["top10"])
        blocks.append(f'  {fields[:-1]}, "top10": [\n{hits}\n  ]}}')
    return head[:-2] + ',\n "queries": [\n' + ",\n".join(blocks) + "\n ]\n}\n"
