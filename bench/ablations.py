"""Ablations of newsgrep's ranking on an IR test collection: one row per variant, each a
change to newsgrep's ranking settings, with its effect against the defaults.

    python bench/ablations.py [COLLECTION_DIR] [--only NAME,...]

The settings are one value, `newsgrep.model.RankingSettings`, handed to the search session;
every variant runs the queries exactly as `bench/relevance.py` runs newsgrep, over one
index of the collection (ranking settings act at query time; analysis choices are part of
the index's schema and are not varied here).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.relevance import (
    DEFAULT_COLLECTION,
    METRICS,
    NewsgrepIndex,
    load_collection,
    newsgrep_builder,
    run_system,
)
from newsgrep.model import DEFAULT_RANKING, Idf, RankingSettings


@dataclass(frozen=True)
class Variant:
    name: str
    changes: dict[str, Any]  # RankingSettings field → value

    def settings(self) -> RankingSettings:
        return dataclasses.replace(DEFAULT_RANKING, **self.changes)


VARIANTS = [
    Variant("defaults", {}),
    Variant("Lucene's idf, log(1+(N-n+.5)/(n+.5))", {"idf": Idf.LUCENE}),
    Variant("Whoosh's idf, log(N/(n+1))+1", {"idf": Idf.WHOOSH}),
    Variant("idf floor 1e-6 (as FTS5)", {"idf_floor": 1e-6}),
    Variant("no query term frequency", {"query_term_frequency": False}),
    Variant("BM25 k1 0.9", {"k1": 0.9}),
    Variant("BM25 k1 1.5", {"k1": 1.5}),
    Variant("BM25 b 0.5", {"b": 0.5}),
    Variant("BM25 b 0.9", {"b": 0.9}),
    Variant("no coordination", {"coordination": False}),
    Variant("coordination bonus for long queries too", {"coordination_max_words": 1000}),
    Variant("long queries keep their function words", {"drop_function_words": False}),
    Variant("no proximity", {"proximity": None}),
    Variant("proximity of the sequential dependence model", {"proximity": (0.12, 0.06)}),
    Variant("key terms: 25", {"key_terms": 25}),
    Variant("require every word (no relaxing)", {"relax_below": 0}),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", nargs="?", type=Path, default=DEFAULT_COLLECTION)
    parser.add_argument("--only", help="comma-separated variant names (default: all)")
    args = parser.parse_args(argv)
    collection = load_collection(args.collection)
    wanted = set(args.only.split(",")) if args.only else None
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        index = NewsgrepIndex(collection.docs, Path(workdir))
        for variant in VARIANTS:
            if wanted and variant.name not in wanted and variant.name != "defaults":
                continue
            builder = newsgrep_builder(index, any_word=False, ranking=variant.settings())
            outcome = run_system(variant.name, builder, collection)
            assert outcome.metrics is not None
            rows.append((variant, outcome.metrics))
            print(f"{variant.name}: done", file=sys.stderr)
    base = rows[0][1]
    print(
        f"{collection.name}: {len(collection.queries)} queries; each variant changes one setting\n"
    )
    print("| variant | setting | " + " | ".join(METRICS) + " |")
    print("| --- | --- | " + " | ".join("---:" for _ in METRICS) + " |")
    for variant, metrics in rows:
        setting = ", ".join(f"`{name} = {value!r}`" for name, value in variant.changes.items())
        cells = [
            f"{metrics[m]:.3f}"
            + ("" if variant is rows[0][0] else f" ({metrics[m] - base[m]:+.3f})")
            for m in METRICS
        ]
        print(f"| {variant.name} | {setting or '—'} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
