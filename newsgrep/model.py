"""The plain values that cross newsgrep's seams, and nothing else: stdlib only.

Formats make `Article`s; the indexer reports an `IndexReport`; the engine answers a
`SearchRequest` with a `SearchResult` of `Hit`s, shows `ShownArticle`s and explains a query
as an `Explanation`; `stats` reports an `IndexStats` (and `check` a `findings.CheckReport`).
Renderers and the command line read these and nothing of the engine, so importing this
module (or a renderer) loads no Whoosh.

The values of indexing (`Article`, `Skipped`, `ParsedFile`, `SourceFile`, `Progress`,
`Problem`, `IndexReport`) are defined in `model_indexing`, those of `show`, `--explain` and
`stats` (`ShownArticle`, `Explanation`, `IndexStats`) in `model_views`, and all are taken
from here as well: they are made when first asked for, so that a search, which uses none of
them, does not pay for making their classes (a dataclass costs about a millisecond).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # (`as`: re-exported, for mypy)
    from newsgrep.model_indexing import Article as Article
    from newsgrep.model_indexing import IndexReport as IndexReport
    from newsgrep.model_indexing import ParsedFile as ParsedFile
    from newsgrep.model_indexing import Problem as Problem
    from newsgrep.model_indexing import Progress as Progress
    from newsgrep.model_indexing import Skipped as Skipped
    from newsgrep.model_indexing import SourceFile as SourceFile
    from newsgrep.model_views import Explanation as Explanation
    from newsgrep.model_views import IndexStats as IndexStats
    from newsgrep.model_views import ShownArticle as ShownArticle
    from newsgrep.text.synonyms import Synonyms

_LATER = {
    **dict.fromkeys(
        ("Article", "Skipped", "ParsedFile", "SourceFile", "Progress", "Problem", "IndexReport"),
        "newsgrep.model_indexing",
    ),
    **dict.fromkeys(("ShownArticle", "Explanation", "IndexStats"), "newsgrep.model_views"),
}


if not TYPE_CHECKING:  # (hidden from mypy, which would take any name for one of these)

    def __getattr__(name: str) -> Any:
        if name in _LATER:
            import importlib

            return getattr(importlib.import_module(_LATER[name]), name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# An article's own fields: (name, values) pairs, names lower-case and unique.
Fields = tuple[tuple[str, tuple[str, ...]], ...]

# --- searching ---------------------------------------------------------------------------

Span = tuple[int, int]  # [start, end) character offsets

DEFAULT_SNIPPET_CHARS = 200


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


class Match(StrEnum):
    """Which articles a query's plain words select: every word (`all`), any word, ranked
    by how many and how well (`any`), or `auto`: all, unless too few articles have them
    all (fewer than a page of 10, or none when every match is asked for)."""

    AUTO = "auto"
    ALL = "all"
    ANY = "any"


class Facet(StrEnum):
    MONTH = "month"
    YEAR = "year"
    SOURCE = "source"
    LANG = "lang"


def _shipped_synonyms() -> Synonyms:
    from newsgrep.text.synonyms import shipped_synonyms

    return shipped_synonyms()


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What to look for. `limit` None means every match."""

    query: str
    limit: int | None = 10
    offset: int = 0
    since: str | None = None
    until: str | None = None
    sort: Sort = Sort.RELEVANCE
    snippets: int = 1
    snippet_chars: int = DEFAULT_SNIPPET_CHARS
    match: Match = Match.AUTO
    # Fold near-duplicate articles into the best-ranked one of each group.
    collapse: bool = True
    # Variant spellings the query's words also find; None: none at all.
    synonyms: Synonyms | None = field(default_factory=_shipped_synonyms)
    # No match: answer with the matches of "did you mean" instead (a person; never a script).
    correct: bool = False
    # How a numeric date such as 06/01/2004 reads: "dmy", "mdy", or None (refused).
    date_order: str | None = None
    langs: tuple[str, ...] = ()  # only articles in these languages (`pt`: `pt-br` too)
    # Only the number of matches is wanted (`-c`): no hit is made, no article read.
    count_only: bool = False


class Idf(StrEnum):
    """How rare a word must be to weigh: `clamped` is Robertson and Spärck Jones's
    log((N - n + 0.5) / (n + 0.5)), as SQLite FTS5's bm25() has it, held at `idf_floor`
    (a word in half the articles or more weighs next to nothing); `lucene` is
    log(1 + (N - n + 0.5) / (n + 0.5)); `whoosh` Whoosh's log(N / (n + 1)) + 1."""

    CLAMPED = "clamped"
    LUCENE = "lucene"
    WHOOSH = "whoosh"


@dataclass(frozen=True, slots=True)
class RankingSettings:
    """How a search session ranks: one value, so that the bench can vary a setting and
    measure what it buys (`bench/ablations.py`; each setting's figures are in
    docs/benchmarks.md). The defaults are what newsgrep ships."""

    # BM25F's term-frequency saturation and length normalisation (the textbook values);
    # the title's weight comes from its field boost in the schema.
    k1: float = 1.2
    b: float = 0.75
    idf: Idf = Idf.CLAMPED
    idf_floor: float = 0.1
    # A word typed twice weighs twice (query term frequency, as every BM25 engine has it).
    query_term_frequency: bool = True
    # Proximity: the extra weight of a pair of neighbouring query words standing together
    # as a phrase, and within `proximity_window` words; None turns it off. (Half the weights
    # of Metzler and Croft's sequential dependence model: see docs/benchmarks.md.)
    proximity: tuple[float, float] | None = (0.06, 0.03)
    proximity_window: int = 8
    # Proximity rescores the best this many first-pass candidates.
    rerank_depth: int = 100
    # A relaxed (OR) query of a few words (at most `coordination_max_words`) scores each
    # article's BM25 times the share of the words it has (Lucene's classic coord), so that
    # articles with more of them rank higher. A longer query goes without: BM25's sum over
    # the words already favours articles with more.
    coordination: bool = True
    coordination_max_words: int = 3
    # Whether a long, relaxed query drops its function words ("which", "would", "their").
    drop_function_words: bool = True
    # A query of more words than this is cut to its key terms (Bo1 weight against the
    # index), the others left out; 0: never.
    key_terms: int = 50
    # In `auto`, a page of ranked hits relaxes to `any` when fewer articles than this (or
    # than the page, if smaller) have every word; 0 never relaxes.
    relax_below: int = 10
    # A query whose words fewer articles than this have (together) gets a "did you mean".
    suggest_below: int = 3


DEFAULT_RANKING = RankingSettings()


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage on one line; `spans` mark the matched words as [start, end) offsets.
    `cut_before`/`cut_after` say whether it starts or ends in the middle of a sentence."""

    text: str
    spans: tuple[Span, ...]
    cut_before: bool = False
    cut_after: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching article. `score` is None when results are sorted by date."""

    rank: int
    id: str
    path: str
    title: str
    title_spans: tuple[Span, ...]
    date: dt.datetime | None
    source: str | None
    url: str | None
    tags: tuple[str, ...]
    score: float | None
    snippets: tuple[Snippet, ...]
    # Ids of near-duplicate articles folded into this hit (see `text.duplicates`).
    duplicates: tuple[str, ...] = ()
    lang: str | None = None
    fields: Fields = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The hits of one page of results, the total number of matches, and notices for the
    user (e.g. a field name that is not one)."""

    query: str
    total: int
    hits: tuple[Hit, ...]
    seconds: float
    notices: tuple[str, ...] = field(default=())
    # A corrected query when this one found little because of an unknown word.
    suggestion: str | None = None
    # How many articles had every word, when the query was relaxed to most words.
    all_words: int | None = None
    # The query as typed, when these are the results of its correction (`query`).
    corrected_from: str | None = None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the index holds it."""

    id: str
    path: str
    title: str
    body: str
    date: dt.datetime | None
    source: str | None
    url: str | None
    tags: tuple[str, ...]
    lang: str | None = None
    encoding: str | None = None
    fields: Fields = ()
    lang_detected: bool = False  # `lang` told from the text: the source declared none
