"""Rewriting a parsed query for ranking: synonyms OR-ed in, words typed twice weighted
twice, and the relaxed form (most words rather than every word) with function words left
out. Whoosh query trees in, Whoosh query trees out.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from functools import cache
from typing import Any

from whoosh import query

from newsgrep.engine.languages import TEXT_FIELDS
from newsgrep.model import RankingSettings
from newsgrep.text.analysis import index_terms
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


# What is not a word of the query: date clauses and field names.
NOT_WORDS = re.compile(r"date:(?:\[[^\]]*\]|\{[^}]*\}|\S+)|\b[A-Za-z_]+:", re.IGNORECASE)


def weight_repeats(strict: Any, text: str, key: str) -> Any:
    """Each word clause boosted by how many times its term (in the analysis `key`) occurs
    in the query: a word typed twice weighs twice, as in every BM25 engine (Whoosh's
    parser merges repeats)."""
    counts = Counter(index_terms(NOT_WORDS.sub(" ", text), key))
    if max(counts.values(), default=1) == 1:
        return strict

    def weigh(node: Any) -> Any:
        if is_word(node) and len({child.text for child in node.children()}) == 1:
            repeats = counts.get(next(iter(node.children())).text, 1)
            if repeats > 1:
                node = copy.copy(node)
                node.boost = node.boost * repeats
        return node

    return strict.accept(weigh)


def expand(node: Any, synonyms: Synonyms, found: list[tuple[str, tuple[str, ...]]]) -> Any:
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
    return is_word(clause) and {term.text for term in clause.children()} <= query_stop_terms()


@cache
def query_stop_terms() -> frozenset[str]:
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


def is_word(node: Any) -> bool:
    """A word as the parser makes it: one Term per text field, OR-ed."""
    return (
        isinstance(node, query.Or)
        and {getattr(child, "fieldname", None) for child in node.children()} == set(TEXT_FIELDS)
        and all(type(child) is query.Term for child in node.children())
    )
