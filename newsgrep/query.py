"""The query language: from what a user types to a Whoosh query, checked and explained.

Whoosh's parser over title and body (AND by default, OR/NOT, "phrases", `field:value`,
`word*`, `word~`, `>`/`<` dates), plus what it lacks: `-word` as NOT, errors for queries
that cannot mean anything (empty, `title:` alone, stop words only, unreadable dates) instead
of silently matching nothing, prefixes that reach stemmed words, and `explain`, which says
how a query was read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh import qparser, query
from whoosh.util.times import long_to_datetime

from newsgrep.analysis import TOKEN_PATTERN, index_terms
from newsgrep.dates import format_date, parse_date_span
from newsgrep.errors import QueryError

TEXT_FIELDS = ("title", "body")
QUERY_FIELDS = ("title", "body", "date", "source", "url", "tags", "id")
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})

_EMPTY_FIELD = re.compile(r"(?:^|[\s(])(\w+):(?=$|[\s)])")
_FIELD_NAME = re.compile(r"(?:^|[\s(+-])([A-Za-z_]+):(?=\S)")
# A leading minus negates, as in most search engines: `-mayor` is `NOT mayor`.
_MINUS = re.compile(r"(^|[\s(])-(?=[\w\"(])")
_WORD = re.compile(TOKEN_PATTERN)
# What --explain leaves out of the word list: date clauses and field names.
_NOT_WORDS = re.compile(r"date:(?:\[[^\]]*\]|\{[^}]*\}|\S+)|\b[A-Za-z_]+:", re.IGNORECASE)
_DATE_NUMBERS = re.compile(r"date:\[(\d*) TO (\d*)\]")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query ready to run: the Whoosh query, the date filter from --since/--until (or
    None), and notices for the user. Only `search` looks inside."""

    text: str
    whoosh_query: Any
    date_filter: Any
    notices: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Explanation:
    """How a query was read, in words a user can check against what they meant."""

    parsed: str
    words: tuple[tuple[str, str], ...]  # (word as typed, what it searches for)
    dates: str | None
    notices: tuple[str, ...]


def parse(
    text: str, schema: Any, *, since: str | None = None, until: str | None = None
) -> ParsedQuery:
    """Parse `text` (and the --since/--until bounds) against `schema`.

    Raises:
        QueryError: an empty query, a field with no value, an unreadable date, or a query
            whose every word is a stop word.
    """
    if not text.strip():
        raise QueryError(
            "empty query", hint='give words to search for, e.g. newsgrep search "peace talks"'
        )
    empty = _EMPTY_FIELD.search(text)
    if empty:
        raise QueryError(f"'{empty.group(1)}:' has no value", hint=f"e.g. {empty.group(1)}:word")
    notices = tuple(
        f"'{name}:' is not a field, searched as words (fields: {', '.join(QUERY_FIELDS)})"
        for name in dict.fromkeys(_FIELD_NAME.findall(text))
        if name not in QUERY_FIELDS
    )
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    try:
        parsed = parser.parse(_MINUS.sub(r"\1NOT ", text), normalize=False)
    except QueryError:
        raise
    except Exception as error:  # Whoosh's parser signals bad input in many ways
        raise QueryError(f"cannot parse query: {error}") from None
    _raise_first_error(parsed)
    parsed = parsed.normalize().accept(_widen_prefix)
    if parsed is query.NullQuery or not list(positive_leaves(parsed)):
        raise QueryError(
            "the query has no words to search for",
            hint="common words such as 'the' or 'of' are not indexed",
        )
    return ParsedQuery(text, parsed, date_filter(since, until), notices)


def explain(parsed: ParsedQuery) -> Explanation:
    """How `parsed` reads: the query tree, each word's index term, and the dates it spans."""
    words = []
    for word in dict.fromkeys(_WORD.findall(_NOT_WORDS.sub(" ", parsed.text))):
        if word in OPERATORS:
            continue
        terms = index_terms(word)
        words.append((word, " ".join(terms) if terms else "(a stop word: ignored)"))
    return Explanation(
        parsed=_DATE_NUMBERS.sub(_dates_in_words, str(parsed.whoosh_query)),
        words=tuple(words),
        dates=_describe_dates(parsed),
        notices=parsed.notices,
    )


def _dates_in_words(match: re.Match[str]) -> str:
    low, high = (_as_datetime(int(n)) if n else None for n in match.groups())
    return f"date:[{_bound(low)} TO {_bound(high)}]"


def _bound(value: dt.datetime | None) -> str:
    """A range end as a user would write it: the last instant of a day is that day."""
    if value is None:
        return ""
    if value.time() == dt.time.max:
        return value.date().isoformat()
    return format_date(value) or ""


def _raise_first_error(parsed: Any) -> None:
    for node in _walk(parsed):
        error = getattr(node, "error", None)
        if error is not None:
            if isinstance(error, QueryError):
                raise error
            raise QueryError(f"cannot parse query: {error}")


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if not node.is_leaf():
        for child in node.children():
            yield from _walk(child)


def positive_leaves(node: Any) -> Iterator[Any]:
    """Leaves that can match, not counting those under a NOT."""
    if isinstance(node, query.Not) or node is query.NullQuery:
        return
    if node.is_leaf():
        yield node
        return
    for child in node.children():
        yield from positive_leaves(child)


def _widen_prefix(node: Any) -> Any:
    """`negotiat*` must also reach the stems of the words it begins: the index holds
    "negoti" for "negotiations". Stemming only cuts (or bends) a word's end, so those
    stems are the prefix's own stem and its slightly shorter beginnings."""
    if not (isinstance(node, query.Prefix) and node.fieldname in TEXT_FIELDS):
        return node
    prefix = node.text
    stems = set(index_terms(prefix)[:1])
    stems.update(prefix[:length] for length in range(max(4, len(prefix) - 3), len(prefix)))
    stems.discard(prefix)
    if not stems:
        return node
    alternatives = [query.Term(node.fieldname, stem, boost=node.boost) for stem in sorted(stems)]
    return query.Or([node, *alternatives])


def date_filter(since: str | None, until: str | None) -> Any:
    """The filter for --since/--until, or None.

    Raises:
        QueryError: a bound that is not a date.
    """
    if since is None and until is None:
        return None
    try:
        start = parse_date_span(since).start if since else None
        end = parse_date_span(until).end if until else None
    except ValueError as error:
        raise QueryError(str(error)) from None
    return query.DateRange("date", start, end)


def _describe_dates(parsed: ParsedQuery) -> str | None:
    spans = []
    if parsed.date_filter is not None:
        spans.append(_describe_range(parsed.date_filter) + " (--since/--until)")
    for leaf in _walk(parsed.whoosh_query):
        if isinstance(leaf, query.NumericRange) and leaf.fieldname == "date":
            spans.append(_describe_range(leaf) + " (date:)")
    return "; ".join(spans) or None


def _describe_range(node: Any) -> str:
    start, end = (_as_datetime(node.start), _as_datetime(node.end))
    return f"from {_bound(start) or 'the first article'} to {_bound(end) or 'the last'}"


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return long_to_datetime(value)  # type: ignore[no-any-return]
