"""Saved web pages: how much of the article text newsgrep keeps, and what a page costs.

    python bench/pages.py                 # precision/recall against the hand-made truths
    python bench/pages.py cost [--pages N] [--repeat R] [--cpu]

`quality` (the default) reads each page of tests/data/formats/pages as `newsgrep index`
does and compares the body with `NAME.truth.txt` (the article text, by hand): words as
NFKC lower-case `\\w+` runs, each CJK or Thai character a word of its own; precision is
the share of the body's words that are the article's, recall the share of the article's
words the body has (as multisets). Headline words in the body are neutral (the truth has
no headline). It prints one row per page and the means.

`cost` writes a folder of N pages (default 1,000) made from the fixtures with small
variations (a numbered paragraph and title each, so no two are the same), then times
reading each one (its bytes to an Article) in this process, and prints the median, the
90th percentile and the mean, with the median of each step (the tree, the metadata, the
date, the main text). `--cpu` times by the process's CPU time instead of the clock: on a
machine shared with other work, what a page costs rather than how long it waited.
"""

from __future__ import annotations

import argparse
import collections
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsgrep.formats import html as html_format  # noqa: E402
from newsgrep.formats import parse_article_file  # noqa: E402
from newsgrep.formats.decoding import decode_text  # noqa: E402

PAGES = ROOT / "tests" / "data" / "formats" / "pages"
_UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(r"\w+")
_UNSPACED_RUN = re.compile(f"[{_UNSPACED}]|[^{_UNSPACED}]+")


def words(text: str) -> collections.Counter[str]:
    found: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFKC", text).lower()):
        found.extend(_UNSPACED_RUN.findall(word))
    return collections.Counter(found)


def precision_recall(body: str, truth: str, title: str) -> tuple[float, float]:
    extracted, expected = words(body), words(truth)
    extracted -= words(title) - expected  # the headline is neither right nor wrong
    common = sum((extracted & expected).values())
    precision = common / max(1, sum(extracted.values()))
    recall = common / max(1, sum(expected.values()))
    return precision, recall


def quality() -> None:
    rows = []
    for page in sorted(PAGES.glob("*.html")):
        article = parse_article_file(page.name, page.read_bytes()).articles[0]
        truth = page.with_suffix(".truth.txt").read_text(encoding="utf-8")
        rows.append((page.stem, *precision_recall(article.body, truth, article.title)))
    print("| page | precision | recall | F1 |")
    print("| --- | --- | --- | --- |")
    for name, precision, recall in rows:
        print(f"| {name} | {precision:.3f} | {recall:.3f} | {_f1(precision, recall):.3f} |")
    mean_p = statistics.mean(row[1] for row in rows)
    mean_r = statistics.mean(row[2] for row in rows)
    mean_f = statistics.mean(_f1(p, r) for _, p, r in rows)
    print(f"| **mean of {len(rows)}** | **{mean_p:.3f}** | **{mean_r:.3f}** | **{mean_f:.3f}** |")


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def make_folder(folder: Path, count: int) -> list[Path]:
    """`count` pages from the fixtures, each with its own title and a paragraph of its own."""
    sources = [page.read_text(encoding="utf-8") for page in sorted(PAGES.glob("*.html"))]
    made = []
    for number in range(count):
        page = sources[number % len(sources)]
        page = page.replace("<title>", f"<title>{number} ", 1)
        extra = f"<p>Variation {number}: paragraph {number * 7919 % 10007} of the copy.</p>"
        page = re.sub(r"(<body[^>]*>)", r"\1" + extra, page, count=1, flags=re.IGNORECASE)
        path = folder / f"page-{number:04d}.html"
        path.write_text(page, encoding="utf-8")
        made.append(path)
    return made


def cost(count: int, repeat: int, clock: Callable[[], float] = time.perf_counter) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        pages = make_folder(Path(workdir), count)
        parse_article_file(pages[0].name, pages[0].read_bytes())  # imports, first-call caches
        runs = []
        for _ in range(repeat):
            times = []
            for path in pages:
                data = path.read_bytes()
                started = clock()
                parse_article_file(path.name, data)
                times.append((clock() - started) * 1000)
            runs.append(times)
        steps = _steps(pages[: min(200, count)], clock)
    best = min(runs, key=statistics.median)
    ordered = sorted(best)
    what = "CPU time" if clock is time.process_time else "clock time"
    print(f"{count} pages, best of {repeat} runs (by median), one process, {what}:")
    print("| median ms | p90 ms | mean ms | max ms |")
    print("| --- | --- | --- | --- |")
    p90 = ordered[int(len(ordered) * 0.9)]
    print(
        f"| {statistics.median(best):.1f} | {p90:.1f} | {statistics.mean(best):.1f} "
        f"| {ordered[-1]:.1f} |"
    )
    print("\nmedian ms per step (first 200 pages):")
    print("| " + " | ".join(steps) + " |")
    print("| " + " | ".join("---" for _ in steps) + " |")
    print("| " + " | ".join(f"{statistics.median(v):.2f}" for v in steps.values()) + " |")


def _steps(pages: list[Path], clock: Callable[[], float]) -> dict[str, list[float]]:
    """The time of each step of `formats.html.parse_page` on its own."""
    steps: dict[str, list[float]] = {"decode + tree": [], "meta": [], "date": [], "text": []}
    for path in pages:
        data = path.read_bytes()
        started = clock()
        tree = html_format._parse(decode_text(data).text)
        parsed = clock()
        meta = html_format.read_meta(tree)
        metadata = clock()
        html_format._page_date(tree, meta)
        dated = clock()
        html_format._main_text(tree)
        done = clock()
        for name, span in zip(
            steps,
            (parsed - started, metadata - parsed, dated - metadata, done - dated),
            strict=True,
        ):
            steps[name].append(span * 1000)
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", choices=("quality", "cost"), default="quality")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu", action="store_true", help="time by CPU time, not the clock")
    args = parser.parse_args(argv)
    if args.mode == "quality":
        quality()
    else:
        cost(args.pages, args.repeat, time.process_time if args.cpu else time.perf_counter)
    return 0


if __name__ == "__main__":
    sys.exit(main())
