"""Corpora whose articles say where they came from: file name and version in every title.

A folder's *state* maps each file's name (relative path) to its version. Each article's
title ends with a marker `[NAME vVERSION]` (`[NAME vVERSION rI/N]` for the I-th of the N
records of a `.jsonl` file, where N depends on the version), and every body holds the word
`MARK`, so that one search lists the whole index and each hit tells exactly which file and
which version of it the index holds. `mutate` changes, adds, removes and touches files; the
text comes from Reuters-21578 when it is there, else from made-up words.

Stdlib only (no newsgrep import): the harnesses write corpora without loading the index.
"""

from __future__ import annotations

import json
import os
import random
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MARK = "ngfaultmark"
TITLE_MAX = 70
BODY_MAX = 3000
JSONL_EVERY = 10  # one file in ten is a .jsonl of several records
FOLDERS = ("wire", "wire/europe", "desk")

State = dict[str, int]  # file name (relative, "/"-separated) → version

_MARKER = re.compile(r"\[(?P<name>\S+) v(?P<version>\d+)(?: r(?P<record>\d+)/(?P<records>\d+))?\]$")


@dataclass(frozen=True, slots=True)
class Marker:
    """What an indexed article's title says about where it came from."""

    name: str
    version: int
    record: int  # 0 for a single-article file
    records: int  # 1 for a single-article file


def parse_marker(title: str) -> Marker | None:
    match = _MARKER.search(title)
    if match is None:
        return None
    record = match.group("record")
    return Marker(
        match.group("name"),
        int(match.group("version")),
        int(record) if record else 0,
        int(match.group("records") or 1),
    )


def record_count(name: str, version: int) -> int:
    """How many articles version `version` of file `name` holds."""
    if not name.endswith(".jsonl"):
        return 1
    return 1 + zlib.crc32(f"{name}:{version}".encode()) % 4


def expected_ids(name: str, version: int) -> list[str]:
    """The article ids newsgrep gives that file version, indexed from the corpus root."""
    if not name.endswith(".jsonl"):
        return [name]
    return [f"{name}#r{i}" for i in range(1, record_count(name, version) + 1)]


@dataclass(frozen=True, slots=True)
class Story:
    date: str
    title: str
    body: str


class Texts:
    """Stories to fill files with: Reuters-21578 if `jsonl` exists, else synthetic ones."""

    def __init__(self, jsonl: Path | None = None, seed: int = 0) -> None:
        self.stories: list[Story] = []
        if jsonl is not None and jsonl.is_file():
            with open(jsonl, encoding="utf-8") as handle:
                for line in handle:
                    raw = json.loads(line)
                    title = " ".join((raw.get("title") or "Untitled").split())[:TITLE_MAX]
                    body = raw["body"].strip()[:BODY_MAX] or "No text."
                    self.stories.append(Story(raw["date"], title, body))
        self.source = "reuters-21578" if self.stories else "synthetic"
        if not self.stories:
            rng = random.Random(seed)
            words = _synthetic_words(rng)
            for _ in range(500):
                title = " ".join(rng.choice(words) for _ in range(rng.randint(3, 8))).capitalize()
                sentences = [
                    " ".join(rng.choice(words) for _ in range(rng.randint(6, 16))).capitalize()
                    + "."
                    for _ in range(rng.randint(3, 12))
                ]
                date = f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                self.stories.append(Story(date, title, " ".join(sentences)))

    def story(self, name: str, version: int, record: int = 0) -> Story:
        key = zlib.crc32(f"{name}:{version}:{record}".encode())
        return self.stories[key % len(self.stories)]


def _synthetic_words(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "ten", "ra", "vo", "sel", "dar", "pu", "ni", "gor", "ve"]
    common = ["the", "of", "and", "market", "talks", "minister", "prices", "said", "bank"]
    made = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(800)}
    return sorted(made) + common * 20


def file_bytes(texts: Texts, name: str, version: int) -> bytes:
    """The content of version `version` of file `name`."""
    if name.endswith(".jsonl"):
        count = record_count(name, version)
        lines = []
        for i in range(1, count + 1):
            story = texts.story(name, version, i)
            lines.append(
                json.dumps(
                    {
                        "id": f"r{i}",
                        "date": story.date,
                        "title": f"{story.title} [{name} v{version} r{i}/{count}]",
                        "body": f"{story.body}\n{MARK} version{version}",
                    },
                    ensure_ascii=False,
                )
            )
        return ("\n".join(lines) + "\n").encode("utf-8")
    story = texts.story(name, version)
    text = (
        f"date {story.date}\n{story.title} [{name} v{version}]\n\n"
        f"{story.body}\n\n{MARK} version{version}\n"
    )
    return text.encode("utf-8")


def new_name(number: int) -> str:
    folder = FOLDERS[number % len(FOLDERS)]
    suffix = ".jsonl" if number % JSONL_EVERY == 3 else ".txt"
    return f"{folder}/f{number:05d}{suffix}"


def initial_state(files: int) -> State:
    return {new_name(number): 1 for number in range(files)}


@dataclass(frozen=True, slots=True)
class Change:
    """One mutation: the state after it and what it did (names)."""

    state: State
    changed: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    touched: tuple[str, ...]  # mtime moved, content the same


def mutate(
    state: State,
    rng: random.Random,
    *,
    change: float = 0.08,
    add: float = 0.03,
    remove: float = 0.03,
    touch: float = 0.01,
) -> Change:
    """A new state: some files changed (version + 1), some new, some gone, some touched."""
    names = sorted(state)
    new = dict(state)
    count = len(names)
    picked = rng.sample(names, min(count, round(count * (change + remove + touch))))
    n_change = round(count * change)
    n_remove = round(count * remove)
    changed = picked[:n_change]
    removed = picked[n_change : n_change + n_remove]
    touched = picked[n_change + n_remove :]
    for name in changed:
        new[name] += 1
    for name in removed:
        del new[name]
    numbers = [int(re.sub(r"\D", "", name.rsplit("/", 1)[-1])) for name in state] or [-1]
    start = max(numbers) + 1
    added = [new_name(number) for number in range(start, start + max(1, round(count * add)))]
    for name in added:
        new[name] = 1
    return Change(new, tuple(changed), tuple(added), tuple(removed), tuple(touched))


def write_state(
    root: Path,
    texts: Texts,
    state: State,
    previous: State | None = None,
    touched: Sequence[str] = (),
) -> None:
    """Make the folder at `root` hold `state`, writing only what differs from `previous`."""
    previous = previous or {}
    for name in previous.keys() - state.keys():
        (root / name).unlink(missing_ok=True)
    for name, version in state.items():
        path = root / name
        if previous.get(name) != version or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file_bytes(texts, name, version))
    for name in touched:
        path = root / name
        if path.exists():
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
