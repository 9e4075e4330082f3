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
from collections.abc import Collection, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from whoosh import qparser, query
from whoosh.util.times import long_to_datetime

from newsgrep.engine.query_text import prepared
from newsgrep.errors import QueryError
from newsgrep.model import DEFAULT_RANKING, Explanation, RankingSettings
from newsgrep.text.analysis import TOKEN_PATTERN, index_terms
from newsgrep.text.dates import format_date
from newsgrep.text.synonyms import Synonyms

if TYPE_CHECKING:
    from newsgrep.text.typed_dates import DateSpan

TEXT_FIELDS = ("title", "body")
# Function words a long, natural-language query drops when it is relaxed ("which",
# "would", "their"): the Snowball project's English stop list. They stay in the index, so
# phrases and short queries still find them. (+0.010 MAP on TIME.)
QUERY_STOP_WORDS = (  # noqa: SIM905 - the published list, kept as one readable string
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his "
    "himself she her hers herself it its itself they them their theirs themselves what which "
    "who whom this that these those am is are was were be been being have has had having do "
    "does did doing would should could ought i'm you're he's she's it's we're they're i've "
    "you've we've they've i'd you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll "
    "they'll isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't "
    "wouldn't shan't shouldn't can't cannot couldn't mustn't let's that's who's what's here's "
    "there's when's where's why's how's a an the and but if or because as until while of at "
    "by for with about against between into through during before after above below to from "
    "up down in out on off over under again further then once here there when where why how "
    "all any both each few more most other some such no nor not only own same so than too very"
).split()
# The most edits `word~N` may ask for (Lucene's limit too).
MAX_EDITS = 2
# The most words a query may have. Whoosh matches every word of an AND in a chain of
# matchers that it walks by recursion: about 1,000 words overflowed Python's stack.
MAX_QUERY_WORDS = 256
QUERY_FIELDS = ("title", "body", "date", "source", "url", "tags", "id", "lang")
# A record's own field `topics` is indexed as the field `f.topics` (one dynamic field type
# for them all): a name a user cannot type (`\w+:` is a field to the parser), so `topics:`
# reaches it only through the alias `parse` makes for the names the index holds, and no
# record can shadow a field of newsgrep's own.
RECORD_FIELD_PREFIX = "f."
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})

# How a numeric date such as 06/01/2004 reads while a query is parsed ("dmy", "mdy", or
# None: refused): Whoosh's parser calls the date field with nothing but the text.
_DATE_ORDER: ContextVar[str | None] = ContextVar("date_order", default=None)
_FIELD_NAME = re.compile(r"(?:^|[\s(+-])([A-Za-z_][A-Za-z0-9_]*):(?=\S)")
# A leading minus negates, as in most search engines: `-mayor` is `NOT mayor`.
_MINUS = re.compile(r"(^|[\s(])-(?=[\w\"(])")
_WORD = re.compile(TOKEN_PATTERN)
# A user who writes AND means it: such a query is never relaxed.
_EXPLICIT_AND = re.compile(r"(?:^|\s)AND(?:\s|$)")
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
    # The same query with its implicit ANDs read as a ranked OR (None when that is the
    # same query): what a search falls back to when too few articles have every word.
    relaxed_query: Any = None
    # Synonym expansions: (word as in the query, its variants as written in the list).
    expansions: tuple[tuple[str, tuple[str, ...]], ...] = ()


def parse(
    text: str,
    schema: Any,
    *,
    since: str | None = None,
    until: str | None = None,
    synonyms: Synonyms | None = None,
    ranking: RankingSettings = DEFAULT_RANKING,
    record_fields: Collection[str] = (),
    date_order: str | None = None,
) -> ParsedQuery:
    """Parse `text` (and the --since/--until bounds) against `schema`; `record_fields`
    are the names of the records' own fields that the index holds (`topics`, `places`);
    `date_order` ("dmy", "mdy") how numeric dates such as 06/01/2004 read (None: refused).

    A quote or bracket left open is closed at the end of the query, and a `)` that closes
    nothing is dropped, each with a notice that says how the query was read.

    Raises:
        QueryError: an empty query, a field with no value, an unreadable date, a query
            whose every word is a stop word, or one that only leaves words out.
    """
    token = _DATE_ORDER.set(date_order)
    try:
        return _parse(text, schema, since, until, synonyms, ranking, record_fields)
    finally:
        _DATE_ORDER.reset(token)


def _parse(
    text: str,
    schema: Any,
    since: str | None,
    until: str | None,
    synonyms: Synonyms | None,
    ranking: RankingSettings,
    record_fields: Collection[str],
) -> ParsedQuery:
    if not text.strip():
        raise QueryError(
            "empty query", hint='give words to search for, e.g. newsgrep search "peace talks"'
        )
    words = len(_WORD.findall(text))
    if words > MAX_QUERY_WORDS:
        # Beyond the stack: parsing and ranking grow faster than the words (3,000: 20 s).
        raise QueryError(
            f"the query has {words:,} words; at most {MAX_QUERY_WORDS:,} are searched",
            hint="to find articles like a whole text, index it and run: newsgrep similar ID",
        )
    text, repairs = prepared(text)
    known = [*QUERY_FIELDS, *sorted(set(record_fields) - set(QUERY_FIELDS))]
    notices = repairs + tuple(
        f"'{name}:' is not a field, searched as words (fields: {_field_list(known)})"
        for name in dict.fromkeys(_FIELD_NAME.findall(text))
        if name not in known
    )
    strict = _parse_checked(text, schema, record_fields)
    expansions: list[tuple[str, tuple[str, ...]]] = []
    if synonyms is not None and synonyms.groups:
        strict = strict.accept(lambda node: _expand(node, synonyms, expansions))
    relaxed = None if _EXPLICIT_AND.search(text) else relax(strict, ranking)
    return ParsedQuery(
        text,
        strict,
        date_filter(since, until),
        notices,
        relaxed_query=relaxed,
        expansions=tuple(dict.fromkeys(expansions)),
    )


def _expand(node: Any, synonyms: Synonyms, found: list[tuple[str, tuple[str, ...]]]) -> Any:
    """A word or phrase clause, OR-ed with the clauses of its synonyms."""
    terms = _clause_terms(node)
    if terms is None:
        return node
    variants = synonyms.variants(terms)
    if not variants:
        return node
    found.append((synonyms.written(terms), tuple(synonyms.written(v) for v in variants)))
    return query.Or([node, *(_variant_clause(variant) for variant in variants)])


def _clause_terms(node: Any) -> tuple[str, ...] | None:
    """The index terms of a word (one Term per text field) or a phrase (one Phrase per
    text field) clause; None for any other node."""
    if not isinstance(node, query.Or):
        return None
    children = list(node.children())
    if {getattr(child, "fieldname", None) for child in children} != set(TEXT_FIELDS):
        return None
    if all(type(child) is query.Term for child in children):
        return (children[0].text,)
    if all(type(child) is query.Phrase for child in children):
        return tuple(children[0].words)
    return None


def _variant_clause(terms: tuple[str, ...]) -> Any:
    if len(terms) == 1:
        return query.Or([query.Term(name, terms[0]) for name in TEXT_FIELDS])
    return query.Or([query.Phrase(name, list(terms)) for name in TEXT_FIELDS])


def relax(strict: Any, ranking: RankingSettings) -> Any:
    """The query with its words and phrases OR-ed (articles with more of them ranking
    higher), or None when there is nothing to relax. NOTs still exclude, and clauses on
    other fields (date:, source:, tags:) still restrict; a hyphenated word's parts count
    one by one."""
    if not isinstance(strict, query.And):
        return None
    words, required, excluded = [], [], []
    for clause in strict.children():
        if isinstance(clause, query.Not):
            excluded.append(clause.query)
        elif _fields_of(clause) <= set(TEXT_FIELDS):
            words.append(_loosened(clause))
        else:
            required.append(clause)
    if len(words) < 2:
        return None
    long_query = len(words) > ranking.coordination_max_words
    if long_query and ranking.drop_function_words:
        content = [clause for clause in words if not _is_function_word(clause)]
        words = content if len(content) >= 2 else words
    relaxed: Any = query.Or(words, scale=None if long_query else ranking.coordination)
    if required:
        relaxed = query.And([*required, relaxed])
    if excluded:
        relaxed = query.AndNot(relaxed, query.Or(excluded))
    return relaxed


def _is_function_word(clause: Any) -> bool:
    return _is_word(clause) and {term.text for term in clause.children()} <= _query_stop_terms()


@cache
def _query_stop_terms() -> frozenset[str]:
    return frozenset(term for word in QUERY_STOP_WORDS for term in index_terms(word))


def _fields_of(node: Any) -> set[str]:
    return {leaf.field() for leaf in node.leaves()}


def _loosened(clause: Any) -> Any:
    """A hyphenated word (per field, an AND of its parts) as an OR of its parts."""
    if isinstance(clause, query.Or) and all(
        isinstance(child, query.And) and all(type(t) is query.Term for t in child.children())
        for child in clause.children()
    ):
        return query.Or([term for child in clause.children() for term in child.children()])
    return clause


def _field_list(names: list[str], shown: int = 20) -> str:
    listed = ", ".join(names[:shown])
    return listed + (f", … {len(names) - shown} more" if len(names) > shown else "")


def _parse_checked(text: str, schema: Any, record_fields: Collection[str] = ()) -> Any:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    aliases = {
        RECORD_FIELD_PREFIX + name: [name] for name in record_fields if name not in QUERY_FIELDS
    }
    if aliases:  # `topics:crude` is the index field `f.topics`
        parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    try:
        parsed = parser.parse(_MINUS.sub(r"\1NOT ", text), normalize=False)
    except QueryError:
        raise
    except Exception as error:  # Whoosh's parser signals bad input in many ways
        raise QueryError(f"cannot parse query: {error}") from None
    _raise_first_error(parsed)
    negated = any(isinstance(node, query.Not) for node in _walk(parsed))
    parsed = parsed.normalize().accept(_widen_prefix)
    if negated and not list(positive_leaves(parsed)):
        raise QueryError(
            "the query only leaves words out: nothing is left to search for",
            hint="add a word to find, e.g. newsgrep search 'talks NOT ukraine'",
        )
    if parsed is query.NullQuery or not list(positive_leaves(parsed)):
        raise QueryError(
            "the query has no words to search for",
            hint="common words such as 'the' or 'of' are not indexed",
        )
    return parsed


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


def _raise_first_error(parsed: Any) -> None:
    for node in _walk(parsed):
        if isinstance(node, query.FuzzyTerm) and node.maxdist > MAX_EDITS:
            # The edit automaton grows steeply with the distance: `word~9` took seconds
            # on a handful of articles, and on a large index would not end.
            raise QueryError(
                f"a fuzzy word allows at most {MAX_EDITS} edits, not ~{node.maxdist}",
                hint="write word~ (one edit) or word~2",
            )
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


def plain_words(whoosh_query: Any) -> list[str]:
    """The body terms of the query's plain words (not phrases, fields, prefixes or NOTs), in
    the order typed: what proximity and feedback work from."""
    clauses = [whoosh_query]
    if isinstance(whoosh_query, query.And | query.Or) and not _is_word(whoosh_query):
        clauses = list(whoosh_query.children())
    words: list[str] = []
    for clause in clauses:
        if _is_word(clause):
            words.extend(t.text for t in clause.children() if t.fieldname == "body")
    return list(dict.fromkeys(words))


def _is_word(node: Any) -> bool:
    """A word as the parser makes it: one Term per text field, OR-ed."""
    return (
        isinstance(node, query.Or)
        and {getattr(child, "fieldname", None) for child in node.children()} == set(TEXT_FIELDS)
        and all(type(child) is query.Term for child in node.children())
    )


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


def query_date_span(text: str) -> DateSpan:
    """The span a `date:` value names (for the schema's date field, which Whoosh's parser
    asks to read `date:2025-05`, `date:>2025-05-01` and ranges).

    Raises:
        QueryError: not a date.
    """
    from newsgrep.text.typed_dates import parse_date_span  # only a query with a date

    try:
        return parse_date_span(text, order=_DATE_ORDER.get())
    except ValueError as error:
        raise QueryError(f"in date: {error}") from None


def date_filter(since: str | None, until: str | None, order: str | None = None) -> Any:
    """The filter for --since/--until, or None; `order` as for `parse`.

    Raises:
        QueryError: a bound that is not a date.
    """
    if since is None and until is None:
        return None
    from newsgrep.text.typed_dates import parse_date_span

    order = order or _DATE_ORDER.get()
    try:
        start = parse_date_span(since, order=order).start if since else None
        end = parse_date_span(until, order=order).end if until else None
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
