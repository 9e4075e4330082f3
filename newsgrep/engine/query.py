"""The query language: from what a user types to a Whoosh query, checked.

Whoosh's parser over title and body (AND by default, OR/NOT, "phrases", `field:value`,
`word*`, `word~`, `>`/`<` dates), read in each language the index holds (`languages`), plus
what it lacks: `-word` as NOT, errors for queries that cannot mean anything (empty, `title:`
alone, stop words only, unreadable dates) instead of silently matching nothing, prefixes
that reach stemmed words, and the relaxed (most words) form. `explain` says how a query
was read.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from whoosh import qparser, query

from newsgrep.engine.languages import (
    TEXT_FIELDS,
    FieldFilter,
    Reader,
    combined,
    restricted,
)
from newsgrep.errors import QueryError
from newsgrep.model import DEFAULT_RANKING, RankingSettings
from newsgrep.text.analysis import TOKEN_PATTERN, index_terms
from newsgrep.text.dates import DateSpan, parse_date_span
from newsgrep.text.languages import ENGLISH
from newsgrep.text.synonyms import Synonyms

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

_EMPTY_FIELD = re.compile(r"(?:^|[\s(])(\w+):(?=$|[\s)])")
_FIELD_NAME = re.compile(r"(?:^|[\s(+-])([A-Za-z_][A-Za-z0-9_]*):(?=\S)")
# A leading minus negates, as in most search engines: `-mayor` is `NOT mayor`.
_MINUS = re.compile(r"(^|[\s(])-(?=[\w\"(])")
_WORD = re.compile(TOKEN_PATTERN)
# A user who writes AND means it: such a query is never relaxed.
_EXPLICIT_AND = re.compile(r"(?:^|\s)AND(?:\s|$)")
# What is not a word of the query: date clauses and field names.
NOT_WORDS = re.compile(r"date:(?:\[[^\]]*\]|\{[^}]*\}|\S+)|\b[A-Za-z_]+:", re.IGNORECASE)


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
) -> ParsedQuery:
    """Parse `text` (and the --since/--until bounds) against `schema`; `record_fields`
    are the names of the records' own fields that the index holds (`topics`, `places`);
    `languages` the analyses its articles were indexed in, with their article counts (the
    query is read in each, see `engine.languages`); `only_langs` the language tags --lang
    keeps (all when empty).

    Raises:
        QueryError: an empty query, a field with no value, an unreadable date, or a query
            whose every word is a stop word.
    """
    if not text.strip():
        raise QueryError(
            "empty query", hint='give words to search for, e.g. newsgrep search "peace talks"'
        )
    words = len(_WORD.findall(text))
    if words > LONG_QUERY_WORDS or len(text) > LONG_QUERY_CHARS:
        return _long_query(text, words, since, until)
    empty = _EMPTY_FIELD.search(text)
    if empty:
        raise QueryError(f"'{empty.group(1)}:' has no value", hint=f"e.g. {empty.group(1)}:word")
    known = [*QUERY_FIELDS, *sorted(set(record_fields) - set(QUERY_FIELDS))]
    notices = tuple(
        f"'{name}:' is not a field, searched as words (fields: {_field_list(known)})"
        for name in dict.fromkeys(_FIELD_NAME.findall(text))
        if name not in known
    )
    expansions: list[tuple[str, tuple[str, ...]]] = []
    sizes = dict(languages) if isinstance(languages, Mapping) else dict.fromkeys(languages, 1)
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
            strict = _weight_repeats(strict, text, key)
        if synonyms is not None and synonyms.groups:
            strict = strict.accept(lambda node: _expand(node, synonyms, expansions))
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


def _long_query(text: str, words: int, since: str | None, until: str | None) -> ParsedQuery:
    """A pasted article or paragraph, read without the query language: an OR of its
    distinct words (function words left out), each weighted by the times it occurs; the
    session keeps the terms that characterise the text (see `RankingSettings.key_terms`).
    (Whoosh's parser takes seconds on such a text, and its matchers recurse.)

    Raises:
        QueryError: the text holds no word to search for.
    """
    stop = _query_stop_terms()
    counts = Counter(term for term in index_terms(text) if term not in stop)
    if not counts:
        raise QueryError("the query has no words to search for")
    clauses = [
        query.Or([query.Term(name, term) for name in TEXT_FIELDS], boost=float(count))
        for term, count in counts.items()
    ]
    notice = f"a long query ({words:,} words): searched for the words that characterise it"
    return ParsedQuery(text, query.Or(clauses), date_filter(since, until), (notice,))


def _weight_repeats(strict: Any, text: str, key: str) -> Any:
    """Each word clause boosted by how many times its term (in the analysis `key`) occurs
    in the query: a word typed twice weighs twice, as in every BM25 engine (Whoosh's
    parser merges repeats)."""
    counts = Counter(index_terms(NOT_WORDS.sub(" ", text), key))
    if max(counts.values(), default=1) == 1:
        return strict

    def weigh(node: Any) -> Any:
        if _is_word(node) and len({child.text for child in node.children()}) == 1:
            repeats = counts.get(next(iter(node.children())).text, 1)
            if repeats > 1:
                node = copy.copy(node)
                node.boost = node.boost * repeats
        return node

    return strict.accept(weigh)


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
    # (`scale` marks the coordination that ranking.for_scoring gives such an OR.)
    coordinated = ranking.coordination and not long_query
    relaxed: Any = query.Or(words, scale=1.0 if coordinated else None)
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


def _parse_checked(
    text: str, schema: Any, record_fields: Collection[str] = (), key: str = ENGLISH
) -> Any:
    parser = Reader(schema, key)
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
    parsed = parsed.normalize().accept(lambda node: _widen_prefix(node, key))
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
    try:
        return parse_date_span(text)
    except ValueError as error:
        raise QueryError(f"in date: {error}") from None


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
