"""Languages: how many of queries.tsv's native-reader queries find their text, and what
telling an article's language costs.

    python bench/languages.py                # the detector's cost, then the hit rate
    python bench/languages.py --hits-only    # the hit rate alone (runs on any newsgrep)

The texts are tests/data/languages (UDHR sentences in 25 languages, none declaring its
language), indexed into a temporary folder; each query of queries.tsv is searched with
newsgrep's defaults and counts when its language's text is among the hits. The detector's
cost is measured on Reuters-21578 (../shared/corpora), title and body as indexing reads
them: the first call (numpy and the model), then CPU ms per article.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

TEXTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "languages"
REUTERS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
REUTERS = REUTERS / "reuters-21578" / "articles.jsonl"


def hit_rate() -> None:
    from newsgrep.engine.session import SearchSession
    from newsgrep.indexer import run_index
    from newsgrep.model import SearchRequest

    rows = [
        line.split("\t")
        for line in (TEXTS / "queries.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    with tempfile.TemporaryDirectory() as work:
        news = Path(work) / "news"
        shutil.copytree(TEXTS, news, ignore=shutil.ignore_patterns("*.tsv", "*.md"))
        run_index(Path(work) / "index", [news])
        found, by_need, missed = 0, collections.Counter[str](), []
        with SearchSession(Path(work) / "index") as session:
            for lang, typed, _written, need, *_ in rows:
                hits = session.search(SearchRequest(typed, limit=None, snippets=0)).hits
                if f"{lang}.txt" in [hit.id for hit in hits]:
                    found += 1
                    by_need[need] += 1
                else:
                    missed.append(f"{lang} {typed}")
    needs = collections.Counter(row[3] for row in rows)
    print(f"queries that find their text: {found}/{len(rows)}")
    print("  by need: " + ", ".join(f"{n} {by_need[n]}/{needs[n]}" for n in sorted(needs)))
    print("  missed: " + ", ".join(missed))


def detection_cost() -> None:
    if not REUTERS.is_file():
        print(f"(no {REUTERS}: detection cost not measured)")
        return
    from newsgrep.text.languages.detect import detect_language

    rows = [json.loads(line) for line in REUTERS.open(encoding="utf-8")]
    started = time.process_time()
    detect_language("", "Eine Zeile deutscher Text, damit das Modell geladen wird.")
    print(f"first detection (numpy and the model loaded): {time.process_time() - started:.2f} s")
    started = time.process_time()
    found = collections.Counter(
        detect_language(row.get("title") or "", row.get("body") or "") for row in rows
    )
    spent = time.process_time() - started
    print(
        f"Reuters: {len(rows):,} articles in {spent:.2f} s CPU, "
        f"{spent / len(rows) * 1000:.3f} ms per article; {dict(found.most_common())}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hits-only", action="store_true", help="only the hit rate")
    args = parser.parse_args()
    if not args.hits_only:
        detection_cost()  # first: indexing the texts would load the model
    hit_rate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
