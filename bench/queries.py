"""The fixed query set, in a neutral form that each engine's module translates.

33 queries over Reuters-21578 (Feb–Oct 1987): common and rare single terms, 2–3-term AND,
phrases, prefixes, date-restricted and date-sorted. No query word is a stop word for any of
the engines, so each one searches the same words. Stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("common", "rare", "and", "phrase", "prefix", "date", "sorted")


@dataclass(frozen=True, slots=True)
class BenchQuery:
    kind: str
    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False  # one word, searched as a prefix of index terms
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    newest_first: bool = False  # sorted by date, newest first, instead of relevance

    @property
    def label(self) -> str:
        """A readable, unique key: how the query is written in newsgrep, plus options."""
        text = self.newsgrep_text()
        if self.since or self.until:
            text += f" [{self.since or ''}..{self.until or ''}]"
        if self.newest_first:
            text += " (newest)"
        return text

    def newsgrep_text(self) -> str:
        """The query in newsgrep's (and Whoosh's) language; dates and sorting are options."""
        if self.phrase:
            return '"' + " ".join(self.words) + '"'
        if self.prefix:
            return self.words[0] + "*"
        return " ".join(self.words)


def _q(
    kind: str,
    text: str,
    *,
    phrase: bool = False,
    prefix: bool = False,
    since: str | None = None,
    until: str | None = None,
    newest_first: bool = False,
) -> BenchQuery:
    return BenchQuery(kind, tuple(text.split()), phrase, prefix, since, until, newest_first)


QUERIES: tuple[BenchQuery, ...] = (
    _q("common", "oil"),
    _q("common", "bank"),
    _q("common", "shares"),
    _q("common", "market"),
    _q("common", "trade"),
    _q("rare", "cocoa"),
    _q("rare", "zinc"),
    _q("rare", "rapeseed"),
    _q("rare", "ecuador"),
    _q("rare", "sorghum"),
    _q("and", "oil prices"),
    _q("and", "interest rates bank"),
    _q("and", "coffee export quota"),
    _q("and", "japan trade surplus"),
    _q("and", "wheat soviet"),
    _q("and", "dollar yen"),
    _q("phrase", "crude oil", phrase=True),
    _q("phrase", "money supply", phrase=True),
    _q("phrase", "trade deficit", phrase=True),
    _q("phrase", "interest rates", phrase=True),
    _q("phrase", "federal reserve", phrase=True),
    _q("prefix", "negoti", prefix=True),
    _q("prefix", "currenc", prefix=True),
    _q("prefix", "petrol", prefix=True),
    _q("prefix", "acquisit", prefix=True),
    _q("date", "oil", since="1987-03-01", until="1987-03-31"),
    _q("date", "grain", since="1987-04-01", until="1987-04-30"),
    _q("date", "dollar", since="1987-06-01", until="1987-10-31"),
    _q("date", "bank rates", since="1987-02-01", until="1987-03-15"),
    _q("sorted", "opec", newest_first=True),
    _q("sorted", "gold", newest_first=True),
    _q("sorted", "takeover", newest_first=True),
    _q("sorted", "strike workers", newest_first=True),
)

# The word of the cold, whole-process search.
COLD_WORD = "coffee"


def compact_date(day: str) -> int:
    """`1987-03-01` → 19870301."""
    return int(day.replace("-", ""))
