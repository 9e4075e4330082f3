"""The query language: from what a user types to a Whoosh query, checked.

Whoosh's parser over title and body (AND by default, OR/NOT, "phrases", `field:value`,
`word*`, `word~`, `>`/`<` dates), read in each language the index holds (`languages`), plus
what it lacks: `-word` as NOT, errors for queries that cannot mean anything (empty, `title:`
alone, stop words only, unreadable dates) instead of silently matching nothing, prefixes
that reach stemmed words, and the relaxed (most words) form. `explain` says how a query
was read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import qparser, query

from newsgrep.engine.languages import (
    TEXT_FIELDS,
    FieldFilter,
    Reader,
    combined,
    restricted,
)
from newsgrep.engine.query_text import prepared
from newsgrep.engine.rewrite import (
    expand,
    is_word,
    query_stop_terms,
    relax,
    weight_repeats,
)
from newsgrep.errors import QueryError
from newsgrep.model import DEFAULT_RANKING, RankingSettings
from newsgrep.text.analysis import TOKEN, index_terms
from newsgrep.text.languages import ENGLISH
from newsgrep.text.synonyms import Synonyms

if TYPE_CHECKING:
    from newsgrep.text.typed_dates import DateSpan

# The most edits `word~N` may ask for (Lucene's limit too).
MAX_EDITS = 2
# A query of more words, or characters, than this is read as a text, not in the query
# language (see `_long_query`): Whoosh walks an AND of its words by recursion (about 1,000
# words overflowed Python's stack), and its parser's time grows with the characters.
LONG_QUERY_WORDS = 256
LONG_QUERY_CHARS = 4000
QUERY_FIELDS = ("title", "body", "date", "source", "url", "tags", "id", "lang")
# A record's own field `topics` is indexed as the field `f.topics` (one dynamic field type
# for them all): a name a user cannot type (`\w+:` is a field to the parser), so `topics:`
# reaches it only through the alias `parse` makes for the names the index holds, and no
# record can shadow a field of newsgrep's own.
RECORD_FIELD_PREFIX = "f."

# How a numeric date such as 06/01/2004 reads while a query is parsed ("dmy", "mdy", or
# None: refused): Whoosh's parser calls the date field with nothing but the text.
_DATE_ORDER: ContextVar[str | None] = ContextVar("date_order", default=None)
_FIELD_NAME = re.compile(r"(?:^|[\s(+-])([A-Za-z_][A-Za-z0-9_]*):(?=\S)")
# A leading minus negates, as in most search engines: `-mayor` is `NOT mayor`.
_MINUS = re.compile(r"(^|[\s(])-(?=[\w\"(])")
# A user who writes AND means it: such a query is never relaxed.
_EXPLICIT_AND = re.compile(r"(?:^|\s)AND(?:\s|$)")


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
    # The analyses (languages) the query was read in.
    languages: tuple[str, ...] = (ENGLISH,)


class _NoWordsError(QueryError):
    """The query has nothing to search for (in one language's reading of it)."""


def parse(
    text: str,
    schema: Any,
    *,
    since: str | None = None,
    until: str | None = None,
    synonyms: Synonyms | None = None,
    ranking: RankingSettings = DEFAULT_RANKING,
    record_fields: Collection[str] = (),
    languages: Mapping[str, int] | Collection[str] = (ENGLISH,),
    only_langs: Collection[str] = (),
    date_order: str | None = None,
) -> ParsedQuery:
    """Parse `text` (and the --since/--until bounds) against `schema`; `record_fields`
    are the names of the records' own fields that the index holds (`topics`, `places`);
    `languages` the analyses its articles were indexed in, with their article counts (the
    query is read in each, see `engine.languages`); `only_langs` the language tags --lang
    keeps (all when empty); `date_order` ("dmy", "mdy") how numeric dates such as
    06/01/2004 read (None: refused).

    A quote or bracket left open is closed at the end of the query, and a `)` that closes
    nothing is dropped, each with a notice that says how the query was read.

    Raises:
        QueryError: an empty query, a field with no value, an unreadable date, a query
            whose every word is a stop word, or one that only leaves words out.
    """
    token = _DATE_ORDER.set(date_order)
    try:
        return _parse(
            text, schema, since, until, synonyms, ranking, record_fields, languages, only_langs
        )
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
    languages: Mapping[str, int] | Collection[str],
    only_langs: Collection[str],
) -> ParsedQuery:
    if not text.strip():
        raise QueryError(
            "empty query", hint='give words to search for, e.g. newsgrep search "peace talks"'
        )
    words = len(TOKEN.findall(text))
    sizes = dict(languages) if isinstance(languages, Mapping) else dict.fromkeys(languages, 1)
    if words > LONG_QUERY_WORDS or len(text) > LONG_QUERY_CHARS:
        return _long_query(text, words, since, until, sizes, only_langs)
    text, repairs = prepared(text)
    known = [*QUERY_FIELDS, *sorted(set(record_fields) - set(QUERY_FIELDS))]
    notices = repairs + tuple(
        f"'{name}:' is not a field, searched as words (fields: {_field_list(known)})"
        for name in dict.fromkeys(_FIELD_NAME.findall(text))
        if name not in known
    )
    expansions: list[tuple[str, tuple[str, ...]]] = []
    keys = sorted(sizes) or [ENGLISH]
    stricts: dict[str, Any] = {}
    relaxeds: dict[str, Any] = {}
    no_words: QueryError | None = None
    for key in keys:
        try:
            strict = _parse_checked(text, schema, record_fields, key)
        except _NoWordsError as error:  # stop words only, in this language
            no_words = no_words or error
            continue
        if ranking.query_term_frequency:
            strict = weight_repeats(strict, text, key)
        if synonyms is not None and synonyms.groups:
            strict = strict.accept(lambda node: expand(node, synonyms, expansions))
        stricts[key] = strict
        relaxeds[key] = None if _EXPLICIT_AND.search(text) else relax(strict, ranking)
    if not stricts:
        assert no_words is not None
        raise no_words
    sizes = sizes or {ENGLISH: 1}
    strict = combined(stricts, sizes)
    relaxed = None
    if any(found is not None for found in relaxeds.values()):
        relaxed = combined({k: relaxeds[k] or stricts[k] for k in stricts}, sizes)
    if only_langs:
        tags = FieldFilter("lang", (tag.lower() for tag in only_langs))
        strict = restricted(strict, tags)
        relaxed = None if relaxed is None else restricted(relaxed, tags)
    return ParsedQuery(
        text,
        strict,
        date_filter(since, until),
        notices,
        relaxed_query=relaxed,
        expansions=tuple(dict.fromkeys(expansions)),
        languages=tuple(keys),
    )


def _long_query(
    text: str,
    words: int,
    since: str | None,
    until: str | None,
    sizes: dict[str, int],
    only_langs: Collection[str],
) -> ParsedQuery:
    """A pasted article or paragraph, read without the query language, in each language
    the index holds (as a short query is): an OR of its distinct words (function words
    left out), each weighted by the times it occurs; the session keeps the terms that
    characterise the text (see `RankingSettings.key_terms`). (Whoosh's parser takes
    seconds on such a text, and its matchers recurse.)

    Raises:
        QueryError: the text holds no word to search for.
    """
    readings = {}
    for key in sorted(sizes) or [ENGLISH]:
        stop = query_stop_terms() if key == ENGLISH else frozenset()
        counts = Counter(term for term in index_terms(text, key) if term not in stop)
        if counts:
            readings[key] = query.Or(
                [
                    query.Or([query.Term(name, term) for name in TEXT_FIELDS], boost=float(n))
                    for term, n in counts.items()
                ]
            )
    if not readings:
        raise QueryError("the query has no words to search for")
    reading = combined(readings, sizes or {ENGLISH: 1})
    if only_langs:
        reading = restricted(reading, FieldFilter("lang", (tag.lower() for tag in only_langs)))
    notice = f"a long query ({words:,} words): searched for the words that characterise it"
    keys = tuple(readings)
    return ParsedQuery(text, reading, date_filter(since, until), (notice,), languages=keys)


def _field_list(names: list[str], shown: int = 20) -> str:
    listed = ", ".join(names[:shown])
    return listed + (f", … {len(names) - shown} more" if len(names) > shown else "")


# Parsers made, by schema, language and record fields: making one compiles a few dozen
# patterns, which cost more than parsing a short query with it.
_PARSERS: dict[tuple[int, str, tuple[str, ...]], tuple[Any, Any]] = {}
_PARSERS_KEPT = 32


def _parser(schema: Any, key: str, record_fields: tuple[str, ...]) -> Any:
    """A query parser for the schema, the analysis `key` and the records' own fields."""
    cache_key = (id(schema), key, record_fields)
    kept = _PARSERS.get(cache_key)
    if kept is not None and kept[0] is schema:
        return kept[1]
    parser = Reader(schema, key)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    aliases = {
        RECORD_FIELD_PREFIX + name: [name] for name in record_fields if name not in QUERY_FIELDS
    }
    if aliases:  # `topics:crude` is the index field `f.topics`
        parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    if len(_PARSERS) >= _PARSERS_KEPT:
        _PARSERS.clear()
    _PARSERS[cache_key] = (schema, parser)
    return parser


def _parse_checked(
    text: str, schema: Any, record_fields: Collection[str] = (), key: str = ENGLISH
) -> Any:
    parser = _parser(schema, key, tuple(sorted(record_fields)))
    try:
        parsed = parser.parse(_MINUS.sub(r"\1NOT ", text), normalize=False)
    except QueryError:
        raise
    except Exception as error:  # Whoosh's parser signals bad input in many ways
        raise QueryError(f"cannot parse query: {error}") from None
    _raise_first_error(parsed)
    negated = any(isinstance(node, query.Not) for node in _walk(parsed))
    parsed = parsed.normalize().accept(lambda node: _widen_prefix(node, key))
    if negated and not list(positive_leaves(parsed)):
        raise QueryError(
            "the query only leaves words out: nothing is left to search for",
            hint="add a word to find, e.g. newsgrep search 'talks NOT ukraine'",
        )
    if parsed is query.NullQuery or not list(positive_leaves(parsed)):
        raise _NoWordsError(
            "the query has no words to search for",
            hint="common words such as 'the' or 'of' are not indexed",
        )
    return parsed


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
    if isinstance(whoosh_query, query.And | query.Or) and not is_word(whoosh_query):
        clauses = list(whoosh_query.children())
    words: list[str] = []
    for clause in clauses:
        if is_word(clause):
            words.extend(t.text for t in clause.children() if t.fieldname == "body")
    return list(dict.fromkeys(words))


def positive_leaves(node: Any) -> Iterator[Any]:
    """Leaves that can match, not counting those under a NOT."""
    if isinstance(node, query.Not) or node is query.NullQuery:
        return
    if node.is_leaf():
        yield node
        return
    for child in node.children():
        yield from positive_leaves(child)


def _widen_prefix(node: Any, key: str = ENGLISH) -> Any:
    """`negotiat*` must also reach the stems of the words it begins: the index holds
    "negoti" for "negotiations". Stemming only cuts (or bends) a word's end, so those
    stems are the prefix's own stem and its slightly shorter beginnings."""
    if not (isinstance(node, query.Prefix) and node.fieldname in TEXT_FIELDS):
        return node
    prefix = node.text
    stems = set(index_terms(prefix, key)[:1])
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
