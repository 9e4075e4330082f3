"""How a query reads, for --explain: the query tree with dates in words, each word's index
terms (per language, when the index's languages read a word differently), the dates it
spans, its notices and synonyms."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from whoosh import query
from whoosh.util.times import long_to_datetime

from newsgrep.engine.languages import word_terms
from newsgrep.engine.query import ParsedQuery
from newsgrep.engine.rewrite import NOT_WORDS
from newsgrep.model import Explanation
from newsgrep.text.analysis import TOKEN
from newsgrep.text.dates import format_date

OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_DATE_NUMBERS = re.compile(r"date:\[(\d*) TO (\d*)\]")


def explain(parsed: ParsedQuery) -> Explanation:
    """How `parsed` reads: the query tree, each word's index term, and the dates it spans."""
    words = []
    for word in dict.fromkeys(TOKEN.findall(NOT_WORDS.sub(" ", parsed.text))):
        if word in OPERATORS:
            continue
        terms = word_terms(word, parsed.languages)
        words.append((word, terms or "(a stop word: ignored)"))
    return Explanation(
        parsed=_DATE_NUMBERS.sub(_dates_in_words, str(parsed.whoosh_query)),
        words=tuple(words),
        dates=_describe_dates(parsed),
        notices=parsed.notices,
        synonyms=parsed.expansions,
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


def _describe_dates(parsed: ParsedQuery) -> str | None:
    spans = []
    if parsed.date_filter is not None:
        spans.append(_describe_range(parsed.date_filter) + " (--since/--until)")
    for leaf in parsed.whoosh_query.leaves():
        if isinstance(leaf, query.NumericRange) and leaf.fieldname == "date":
            spans.append(_describe_range(leaf) + " (date:)")
    # (a date clause stands once in each language's reading that could not share it)
    return "; ".join(dict.fromkeys(spans)) or None


def _describe_range(node: Any) -> str:
    start, end = (_as_datetime(node.start), _as_datetime(node.end))
    return f"from {_bound(start) or 'the first article'} to {_bound(end) or 'the last'}"


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return long_to_datetime(value)  # type: ignore[no-any-return]
