"""Ablations of newsgrep's ranking on an IR test collection: one row per variant, each a
change to one of newsgrep's ranking settings, with its effect against the defaults.

    python bench/ablations.py [COLLECTION_DIR] [--only NAME,...]

Every variant re-indexes the collection (analysis settings are fixed at indexing time) and
runs the queries exactly as `bench/relevance.py` runs newsgrep. The settings are module
constants of newsgrep (named in each variant), so the table documents what each one buys.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance import (  # noqa: E402
    DEFAULT_COLLECTION,
    METRICS,
    NewsgrepIndex,
    load_collection,
    newsgrep_builder,
    run_system,
)


@dataclass(frozen=True)
class Variant:
    name: str
    settings: dict[str, Any]  # "module.CONSTANT" → value
    note: str = ""


VARIANTS = [
    Variant("defaults", {}),
    Variant("dotted letters kept (U.S. not us)", {"newsgrep.analysis.ACRONYMS": False}),
    Variant("no stop words", {"newsgrep.analysis.NEWS_STOP_WORDS": frozenset()}),
    Variant("Porter stemmer (Whoosh's)", {"newsgrep.analysis.STEMMER": "porter"}),
    Variant("title boost 1 (no boost)", {"newsgrep.store.TITLE_BOOST": 1.0}),
    Variant("title boost 3", {"newsgrep.store.TITLE_BOOST": 3.0}),
    Variant("Whoosh's idf, log(N/(n+1))+1", {"newsgrep.search.BM25_IDF": False}),
    Variant("BM25 k1 0.9", {"newsgrep.search.BM25_K1": 0.9}),
    Variant("BM25 k1 1.5", {"newsgrep.search.BM25_K1": 1.5}),
    Variant("BM25 b 0.5", {"newsgrep.search.BM25_B": 0.5}),
    Variant("BM25 b 0.9", {"newsgrep.search.BM25_B": 0.9}),
    Variant("no coordination bonus", {"newsgrep.query.COORDINATION": None}),
    Variant(
        "coordination bonus for long queries too",
        {
            "newsgrep.query.COORDINATION_MAX_WORDS": 1000,
        },
    ),
    Variant("long queries keep their function words", {"newsgrep.query.QUERY_STOP_WORDS": []}),
    Variant("no proximity", {"newsgrep.search.PROXIMITY": None}),
    Variant("proximity doubled", {"newsgrep.search.PROXIMITY": (0.24, 0.12)}),
    Variant("feedback (RM3-style, Bo1) for 4+ words", {"newsgrep.search.FEEDBACK_MIN_WORDS": 4}),
    Variant(
        "feedback, weight 0.25",
        {
            "newsgrep.search.FEEDBACK_MIN_WORDS": 4,
            "newsgrep.search.FEEDBACK_WEIGHT": 0.25,
        },
    ),
    Variant(
        "feedback from 3 articles",
        {
            "newsgrep.search.FEEDBACK_MIN_WORDS": 4,
            "newsgrep.search.FEEDBACK_DOCS": 3,
        },
    ),
    Variant("require every word (no relaxing)", {"newsgrep.search.RELAX_BELOW": 0}),
]


@contextmanager
def applied(settings: dict[str, Any]) -> Iterator[None]:
    """Set newsgrep's constants for the duration; the analyzer is rebuilt from them."""
    saved = []
    for dotted, value in settings.items():
        module_name, name = dotted.rsplit(".", 1)
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            raise SystemExit(f"ablations: newsgrep has no setting {dotted}")
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, value)
    _reset_caches()
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)
        _reset_caches()


def _reset_caches() -> None:
    from newsgrep.engine import query
    from newsgrep.text import analysis

    analysis.clear_caches()
    query.clear_caches()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", nargs="?", type=Path, default=DEFAULT_COLLECTION)
    parser.add_argument("--only", help="comma-separated variant names (default: all)")
    args = parser.parse_args(argv)
    collection = load_collection(args.collection)
    wanted = set(args.only.split(",")) if args.only else None
    rows = []
    for variant in VARIANTS:
        if wanted and variant.name not in wanted and variant.name != "defaults":
            continue
        with tempfile.TemporaryDirectory() as workdir, applied(variant.settings):
            index = NewsgrepIndex(collection.docs, Path(workdir))
            outcome = run_system(variant.name, newsgrep_builder(index, any_word=False), collection)
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
        setting = ", ".join(f"`{k.rsplit('.', 1)[1]} = {v!r}`" for k, v in variant.settings.items())
        cells = [
            f"{metrics[m]:.3f}"
            + ("" if variant is rows[0][0] else f" ({metrics[m] - base[m]:+.3f})")
            for m in METRICS
        ]
        print(f"| {variant.name} | {setting or '—'} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
