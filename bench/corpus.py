"""The benchmark corpora: Reuters-21578 as one `.txt` file per article, at 1× and 5×.

Each file is in the sample's format: a `date YYYY-MM-DD` line, the title line, a blank line,
then the body (a story without a title has no title line). Its mtime is set to the story's
timestamp, so engines that date documents by mtime (recoll) see the article's date.

The 5× folder holds `part0/` (the stories as they are) and `part1/`…`part4/` (copies with
their own file names and lightly shuffled sentences, from a fixed seed): 107,890 files.

Everything here is stdlib only: it also runs under the system Python (for recoll).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REUTERS_JSONL = SHARED / "corpora" / "reuters-21578" / "articles.jsonl"
DATA = REPO / "bench" / "data"
CORPORA = DATA / "corpus"

# Bump when the files' content or layout changes: existing folders are then rewritten.
CORPUS_VERSION = 1
SCALES = (1, 5)
SHUFFLE_SEED = 21578
# Chance that two neighbouring sentences of a copy trade places.
SWAP_CHANCE = 0.3
HEADLINE_MAX_CHARS = 150

REFRESH_CHANGED = 10
REFRESH_ADDED = 10
NEW_FILE_PREFIX = "bench-new-"


@dataclass(frozen=True, slots=True)
class Record:
    """One Reuters story from the JSONL."""

    id: str
    date: str  # YYYY-MM-DD
    timestamp: str | None  # YYYY-MM-DDTHH:MM:SS
    title: str | None
    body: str


@dataclass(frozen=True, slots=True)
class Corpus:
    """A materialised folder of article files."""

    scale: int
    root: Path
    files: int
    text_bytes: int
    kind: str = "txt"  # "txt": a file per story; "jsonl": JSON Lines archives (scenarios)

    @property
    def label(self) -> str:
        return f"{self.files / 1000:.1f}k"

    @property
    def key(self) -> str:
        """The name of its index folders and figures: `1x`, `5x`, `1x-jsonl`."""
        return f"{self.scale}x" if self.kind == "txt" else f"{self.scale}x-{self.kind}"


@cache
def load_records() -> tuple[Record, ...]:
    if not REUTERS_JSONL.is_file():
        raise SystemExit(f"bench: {REUTERS_JSONL} is missing (../shared beside the repo?)")
    records = []
    with open(REUTERS_JSONL, encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            records.append(
                Record(raw["id"], raw["date"], raw.get("datetime"), raw.get("title"), raw["body"])
            )
    return tuple(records)


def corpus_root(scale: int) -> Path:
    return CORPORA / f"reuters-{scale}x"


def _stamp_path(scale: int) -> Path:
    return CORPORA / f"reuters-{scale}x.stamp.json"


def _dirty_path(scale: int) -> Path:
    return CORPORA / f"reuters-{scale}x.dirty.json"


def article_path(root: Path, scale: int, index: int, copy: int) -> Path:
    """Where the `copy`-th version of record number `index` (0-based) lives."""
    number = int(load_records()[index].id)
    if scale == 1:
        return root / f"{number:05d}.txt"
    return root / f"part{copy}" / f"{copy}-{number:05d}.txt"


def article_text(record: Record, copy: int) -> str:
    body = record.body.strip("\n")
    if copy:
        body = shuffle_sentences(body, random.Random(f"{SHUFFLE_SEED}:{copy}:{record.id}"))
    head = f"date {record.date}\n"
    if record.title:
        head += f"{record.title}\n\n"
    return f"{head}{body}\n"


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")
_PARAGRAPH = "\n    "  # Reuters bodies start each paragraph on an indented line


def shuffle_sentences(body: str, rng: random.Random) -> str:
    """`body` with some neighbouring sentences of each paragraph swapped."""
    paragraphs = []
    for paragraph in body.split(_PARAGRAPH):
        sentences = _SENTENCE_BREAK.split(paragraph)
        for i in range(len(sentences) - 1):
            if rng.random() < SWAP_CHANCE:
                sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
        paragraphs.append(" ".join(sentences))
    return _PARAGRAPH.join(paragraphs)


def _mtime_ns(record: Record) -> int:
    stamp = record.timestamp or f"{record.date}T12:00:00"
    moment = dt.datetime.fromisoformat(stamp)
    return calendar.timegm(moment.timetuple()) * 1_000_000_000


def _write_article(path: Path, record: Record, copy: int, *, keep_date: bool = True) -> int:
    data = article_text(record, copy).encode("utf-8")
    path.write_bytes(data)
    if keep_date:
        mtime = _mtime_ns(record)
        os.utime(path, ns=(mtime, mtime))
    return len(data)


def ensure_corpus(scale: int, log: bool = True) -> Corpus:
    """The corpus at `scale`, written from the JSONL if it is missing or out of date, and
    put back as it was if a refresh measurement left it changed."""
    if scale not in SCALES:
        raise SystemExit(f"bench: scale must be one of {SCALES}")
    root = corpus_root(scale)
    stamp = _stamp_path(scale)
    try:
        meta = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    if meta.get("version") != CORPUS_VERSION or not root.is_dir():
        if log:
            print(f"bench: writing the {scale}x corpus to {root} …", file=sys.stderr, flush=True)
        meta = _materialise(scale, root)
        stamp.write_text(json.dumps(meta), encoding="utf-8")
        _dirty_path(scale).unlink(missing_ok=True)
    corpus = Corpus(scale, root, meta["files"], meta["text_bytes"])
    if _dirty_path(scale).exists():
        restore(corpus)
    return corpus


def _materialise(scale: int, root: Path) -> dict[str, int]:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    records = load_records()
    files = total = 0
    for copy in range(scale):
        if scale > 1:
            (root / f"part{copy}").mkdir()
        for index, record in enumerate(records):
            total += _write_article(article_path(root, scale, index, copy), record, copy)
            files += 1
    return {"version": CORPUS_VERSION, "files": files, "text_bytes": total}


def iter_article_files(root: Path) -> Iterator[str]:
    """The `.txt` files under `root`, in a stable order (hidden names skipped)."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            if name.endswith(".txt") and not name.startswith("."):
                yield os.path.join(folder, name)


# --- reading, for the peers --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedText:
    date: str  # YYYY-MM-DD, or "" when the file gives none
    title: str
    body: str


def parse_text(text: str) -> ParsedText:
    """The sample format, read the simple way the peers' loaders do."""
    date = ""
    first, newline, rest = text.partition("\n")
    if first.startswith("date "):
        date, text = first[5:].strip(), rest
    head, blank, tail = text.partition("\n\n")
    head = head.strip()
    if blank and head and "\n" not in head and len(head) <= HEADLINE_MAX_CHARS:
        return ParsedText(date, head, tail.strip())
    return ParsedText(date, "", text.strip())


def read_article(path: str) -> ParsedText:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return parse_text(handle.read())


# --- the changes a refresh is measured on --------------------------------------------------


def _changed_indexes(count: int) -> list[int]:
    total = len(load_records())
    return [(total * i) // count + 7 for i in range(count)]


def mutate(corpus: Corpus, round_number: int) -> None:
    """Change REFRESH_CHANGED files (new text, new mtime) and add REFRESH_ADDED new ones.
    The corpus is marked dirty until `restore` puts it back."""
    _dirty_path(corpus.scale).write_text(json.dumps({"round": round_number}), encoding="utf-8")
    records = load_records()
    for index in _changed_indexes(REFRESH_CHANGED):
        path = article_path(corpus.root, corpus.scale, index, 0)
        text = article_text(records[index], 0)
        addition = f"\nRevision {round_number}: traders said the figures were corrected.\n"
        path.write_text(text + addition, encoding="utf-8")
    for k in range(REFRESH_ADDED):
        record = records[(k * 2161 + round_number * 13) % len(records)]
        path = corpus.root / f"{NEW_FILE_PREFIX}{round_number}-{k}.txt"
        _write_article(path, record, 0, keep_date=False)


def restore(corpus: Corpus) -> None:
    """Undo every `mutate`: the changed files rewritten as they were, the new ones deleted."""
    records = load_records()
    for index in _changed_indexes(REFRESH_CHANGED):
        _write_article(article_path(corpus.root, corpus.scale, index, 0), records[index], 0)
    for path in corpus.root.glob(f"{NEW_FILE_PREFIX}*.txt"):
        path.unlink()
    _dirty_path(corpus.scale).unlink(missing_ok=True)
