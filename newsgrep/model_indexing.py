"""The plain values of indexing: articles as files yield them, and what a run did. Stdlib
only, like `model`, which gives them too (`from newsgrep.model import Article`): they live
apart so that a search, which uses none of them, does not make their classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from newsgrep.model import Fields

# --- articles, as files yield them -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Article:
    """One article, as read from its file. `record` is "" for single-article files,
    else the `#...` suffix that tells the file's articles apart."""

    record: str
    title: str
    body: str
    date: dt.datetime | None = None
    source: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    # True when the title is the body's first sentence, not one the article gave: it is
    # shown, but not searched as a title (it would only repeat the body, weighted up).
    title_from_body: bool = False
    # The language the source declares (`<html lang>`, a feed's, JSON `lang`), as a
    # lower-case tag (`en`, `pt-br`); None when it says none.
    lang: str | None = None
    # The encoding its bytes were read in (a Python codec name: `utf-8`, `cp1251`).
    encoding: str | None = None
    # The record's other keys that hold text (`topics`, `places`, `author`), searchable
    # as `name:word`, in the order the record gives them.
    fields: Fields = ()


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something that was not indexed: `where` is "" for a whole file, else e.g. "line 3"."""

    where: str
    reason: str


@dataclass(slots=True)
class ParsedFile:
    """What one file yielded: its articles, the records skipped, and notes worth a look
    (a date that could not be read, a fallback encoding)."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The file a batch of articles comes from, as the index records it."""

    path: str
    file_id: str
    folder: str  # the indexed folder (or lone file) it lies under
    file_hash: str


# --- an indexing run ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run is: files, articles and bytes written (a file's shared among its articles)."""

    files_done: int
    files_total: int
    articles: int
    bytes_done: int = 0
    bytes_total: int = 0


@dataclass(frozen=True, slots=True)
class Problem:
    """A file, or a record in it, that was skipped or needs a look."""

    path: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}{': ' + self.where if self.where else ''}: {self.reason}"


@dataclass(slots=True)
class IndexReport:
    """What a run did, in files (and the articles they hold)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped_files: list[Problem] = field(default_factory=list)
    skipped_records: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    leftovers_removed: list[str] = field(default_factory=list)  # of an interrupted run
    articles_added: int = 0
    articles_removed: int = 0
    total_articles: int = 0
    folders: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return len(self.skipped_files) + len(self.skipped_records)
