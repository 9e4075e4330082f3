"""How far "did you mean" can be trusted, on a real archive: correctly spelt rare words that
get no suggestion, and one-edit typos of common words corrected to the word.

    python bench/spelling.py [ARTICLES_JSONL] [--sample N] [--seed S]

The default archive is the BBC's (`../shared/corpora/bbc-news/articles.jsonl`); Reuters'
(`reuters-21578/articles.jsonl`) works too. The archive is indexed once into a temporary
folder. From the raw text (words as written, lower-cased, letters only, five or more):

- **rare words**: `--sample` words that occur in exactly one article; each is searched
  alone, and counts as right when newsgrep suggests nothing;
- **typos**: `--sample` words that occur in at least 20 articles, each given one random
  edit (a letter dropped, added, changed, or two neighbours swapped; never the first
  letter, where typos are rare) that makes no word of the archive; it counts as right when
  the suggestion has the word's index term (`negotiatons` → `negotiations` for
  `negotiation` counts, as both are `negoti`), or when the typo has it already (`believs`
  is stemmed as `believes` is: the search finds the word without a suggestion).

It prints both rates, the time the speller takes for a word (median, p95, worst; the word's
search itself not counted; term lists are read on first use of a letter and kept for the
session), the worst time of a word that is the first of its letter in a session (as one
`newsgrep search` is: the slowest word of each first letter, again, in a new session, the
term lists read anew), and for one 30,000-letter word, as a Markdown table. `--show` lists
the rare words that got a suggestion and the typos not corrected, with the number of
articles that hold each word's index term. Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import string
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from newsgrep.engine.session import SearchSession
from newsgrep.indexer import run_index
from newsgrep.model import SearchRequest
from newsgrep.text.analysis import index_terms

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ARCHIVE = REPO.parent / "shared" / "corpora" / "bbc-news" / "articles.jsonl"
_WORD = re.compile(r"[^\W\d_]+")


def vocabulary(path: Path) -> Counter[str]:
    """How many articles each word (as written, lower-cased) occurs in."""
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = f"{record.get('title') or ''} {record.get('body') or ''}".lower()
            counts.update({word for word in _WORD.findall(text) if len(word) >= 5})
    return counts


def typo(word: str, rng: random.Random, known: Counter[str]) -> str | None:
    for _ in range(20):
        position = rng.randrange(1, len(word))
        kind = rng.choice(("drop", "add", "change", "swap"))
        letter = rng.choice(string.ascii_lowercase)
        if kind == "drop":
            made = word[:position] + word[position + 1 :]
        elif kind == "add":
            made = word[:position] + letter + word[position:]
        elif kind == "change":
            made = word[:position] + letter + word[position + 1 :]
        elif position < len(word) - 1:
            made = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        else:
            continue
        if made != word and made not in known:
            return made
    return None


def timed_suggestion(session: SearchSession, word: str) -> tuple[str | None, float]:
    """The suggestion a search of `word` gives, and how long the speller took for it."""
    suggestion = session.search(SearchRequest(word, limit=1, snippets=0)).suggestion
    started = time.perf_counter()
    session.suggest(word)
    return suggestion, time.perf_counter() - started


def first_of_session(index: Path, word: str, common: str) -> float:
    """How long the speller takes for `word` as the first of its letter in a new session
    (after a search for the `common` word, which reads what any search reads)."""
    with SearchSession(index) as session:
        session.search(SearchRequest(common, limit=1, snippets=0))
        started = time.perf_counter()
        session.suggest(word)
        return time.perf_counter() - started


def held(session: SearchSession, word: str) -> str:
    """`word` with its index term and the number of articles holding that term."""
    terms = index_terms(word)
    if len(terms) != 1:
        return repr(word)
    count = sum(session._vocabulary().frequency(field, terms[0]) for field in ("body", "title"))
    return f"{word!r} ({terms[0]}: {count})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", nargs="?", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", action="store_true", help="list false alarms and misses")
    args = parser.parse_args(argv)
    if not args.archive.is_file():
        print(f"spelling: no archive at {args.archive}", file=sys.stderr)
        return 2
    known = vocabulary(args.archive)
    rng = random.Random(args.seed)
    rare = sorted(word for word, count in known.items() if count == 1)
    common = sorted(word for word, count in known.items() if count >= 20)
    rare = rng.sample(rare, min(args.sample, len(rare)))
    chosen = rng.sample(common, min(args.sample, len(common)))
    typos = [(word, made) for word in chosen if (made := typo(word, rng, known))]
    times: list[float] = []
    slowest: dict[str, tuple[float, str]] = {}  # of each first letter
    shown: list[str] = []
    with tempfile.TemporaryDirectory() as workdir:
        folder = Path(workdir) / "archive"
        folder.mkdir()
        (folder / args.archive.name).symlink_to(args.archive.resolve())
        index = Path(workdir) / "index"
        run_index(index, [folder])
        with SearchSession(index) as session:
            left_alone = 0
            for word in rare:
                suggestion, seconds = timed_suggestion(session, word)
                times.append(seconds)
                slowest[word[0]] = max(slowest.get(word[0], (0.0, "")), (seconds, word))
                left_alone += suggestion is None
                if suggestion is not None:
                    shown.append(f"rare {held(session, word)} -> {held(session, suggestion)}")
            corrected = 0
            for word, made in typos:
                suggestion, seconds = timed_suggestion(session, made)
                times.append(seconds)
                slowest[made[0]] = max(slowest.get(made[0], (0.0, "")), (seconds, made))
                wanted = index_terms(word)
                right = index_terms(suggestion or made) == wanted
                corrected += right
                if not right:
                    shown.append(
                        f"typo {held(session, made)} of {held(session, word)} -> {suggestion!r}"
                    )
            started = time.perf_counter()
            session.suggest("q" * 30_000)
            long_word = time.perf_counter() - started
        most_common = known.most_common(1)[0][0]
        first = max(first_of_session(index, word, most_common) for _, word in slowest.values())
    times.sort()
    median, p95 = statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000
    print(f"{args.archive.parent.name}: {len(rare)} rare words, {len(typos)} typos\n")
    print(
        "| rare words left alone | typos corrected | median | p95 | worst "
        "| worst, first of its letter | 30,000 letters |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {left_alone / len(rare):.1%} ({left_alone}/{len(rare)}) "
        f"| {corrected / len(typos):.1%} ({corrected}/{len(typos)}) "
        f"| {median:.1f} ms | {p95:.1f} ms "
        f"| {times[-1] * 1000:.1f} ms | {first * 1000:.1f} ms | {long_word * 1000:.0f} ms |"
    )
    if args.show:
        print("\n" + "\n".join(shown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
