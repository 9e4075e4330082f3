"""Refresh scenarios (issue 11), every system doing the same in the same run:

- **append**: one record appended to a JSON Lines archive (1×: the 21,578 stories as one
  `archive.jsonl`; 5×: five archives `part0.jsonl`…`part4.jsonl`, one record appended to
  `part0.jsonl`);
- **change**: 10 story files rewritten and 10 new ones (`corpus.mutate`);
- **delete**: 1 % of the story files deleted (every 100th, in name order).

For each: the whole-process refresh of a copy of the built index, its size afterwards, and
a fresh build of the same files (its time and size), so that the refresh is read against
the build it saves and the size against what a build would take. The corpus is put back
after each scenario (the append undone by truncating the file and restoring its mtime, the
deleted files moved back from a stash beside the corpus).

Stdlib only, like `corpus`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.corpus import (
    CORPORA,
    CORPUS_VERSION,
    SHUFFLE_SEED,
    Corpus,
    ensure_corpus,
    iter_article_files,
    load_records,
    mutate,
    restore,
    shuffle_sentences,
)

SCENARIOS = ("append", "change", "delete")
DELETE_EVERY = 100  # 1 %
SYSTEMS = ("newsgrep", "fts5", "recoll")


def archive_names(scale: int) -> list[str]:
    return ["archive.jsonl"] if scale == 1 else [f"part{copy}.jsonl" for copy in range(scale)]


def record_line(record_id: str, title: str | None, date: str, body: str) -> str:
    return json.dumps({"id": record_id, "title": title, "date": date, "body": body}) + "\n"


def ensure_jsonl_corpus(scale: int) -> Corpus:
    """The stories as JSON Lines archives (see the module's docstring), written once."""
    root = CORPORA / f"reuters-{scale}x-jsonl"
    stamp = CORPORA / f"reuters-{scale}x-jsonl.stamp.json"
    try:
        meta = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    if meta.get("version") != CORPUS_VERSION or not root.is_dir():
        print(f"bench: writing {root} …", file=sys.stderr, flush=True)
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        records = load_records()
        total = 0
        for copy, name in enumerate(archive_names(scale)):
            with open(root / name, "w", encoding="utf-8") as handle:
                for record in records:
                    body = record.body.strip("\n")
                    if copy:
                        rng = random.Random(f"{SHUFFLE_SEED}:{copy}:{record.id}")
                        body = shuffle_sentences(body, rng)
                    record_id = record.id if not copy else f"{copy}-{record.id}"
                    date = record.timestamp or record.date
                    handle.write(record_line(record_id, record.title, date, body))
            total += (root / name).stat().st_size
        meta = {"version": CORPUS_VERSION, "files": len(records) * scale, "text_bytes": total}
        stamp.write_text(json.dumps(meta), encoding="utf-8")
    return Corpus(scale, root, meta["files"], meta["text_bytes"], kind="jsonl")


@contextmanager
def appended(corpus: Corpus) -> Iterator[None]:
    """One new record at the end of the first archive; undone afterwards."""
    path = corpus.root / archive_names(corpus.scale)[0]
    stat = path.stat()
    record = load_records()[4321]
    line = record_line("bench-appended", record.title, record.date, record.body.strip("\n"))
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
        yield
    finally:
        os.truncate(path, stat.st_size)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@contextmanager
def changed(corpus: Corpus) -> Iterator[None]:
    try:
        mutate(corpus, 1)
        yield
    finally:
        restore(corpus)


@contextmanager
def deleted(corpus: Corpus) -> Iterator[None]:
    """Every DELETE_EVERY-th story file moved to a stash beside the corpus; moved back after
    (a rename keeps its mtime, so the built indexes still match)."""
    stash = corpus.root.parent / f"{corpus.root.name}.deleted"
    files = list(iter_article_files(corpus.root))[::DELETE_EVERY]
    moved: list[tuple[Path, Path]] = []
    try:
        for number, file in enumerate(files):
            target = stash / f"{number:05d}-{Path(file).name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(file, target)
            moved.append((Path(file), target))
        yield
    finally:
        for original, target in moved:
            os.rename(target, original)
        shutil.rmtree(stash, ignore_errors=True)


CHANGES: dict[str, Callable[[Corpus], object]] = {
    "append": appended,
    "change": changed,
    "delete": deleted,
}


def corpus_for(scenario: str, scale: int) -> Corpus:
    return ensure_jsonl_corpus(scale) if scenario == "append" else ensure_corpus(scale)


def render(results: dict[str, object]) -> str:
    """The scenarios' figures as a Markdown table (empty when none were run)."""
    scenarios = results.get("scenarios")
    if not isinstance(scenarios, dict) or not scenarios:
        return ""
    lines = [
        "| scale | scenario | system | refresh | fresh build | refresh ÷ build "
        "| size after | ÷ fresh build's |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scale, by_scenario in scenarios.items():
        for scenario, by_system in by_scenario.items():
            for system, f in by_system.items():
                ratio = f["size_of_fresh"]
                lines.append(
                    f"| {scale}x | {scenario} | {system} | {f['refresh_s']:.2f} s "
                    f"| {f['fresh_build_s']:.1f} s | {f['refresh_of_build']:.1%} "
                    f"| {f['size_after_mb']:.1f} MB | {ratio:.2f} |"
                    if ratio
                    else f"| {scale}x | {scenario} | {system} | {f['refresh_s']:.2f} s | | | |"
                )
    return "\n".join(lines)
