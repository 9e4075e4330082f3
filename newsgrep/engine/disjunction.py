"""Queries of plain words — one word, every word (an AND), or any word (a relaxed query, a
long question, a pasted text) — scored term at a time, and a long one cut to the words that
characterise it.

Whoosh scores an OR through a tree of union matchers, a few Python calls per posting and
per node; for an OR of dozens of words that is most of a query's time. Here each word's
postings are read a block at a time and its BM25 score (Whoosh's formula, over the live
statistics, with each field's length as Whoosh stores it) is added into one table. The
scores are those of the matchers, summed in clause order; ties are ordered by ordinal, as
in `ranking.best_matches`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from whoosh import query

from newsgrep.engine.phrases import Phrase, add_phrase, phrase_of
from newsgrep.engine.postings import (
    BYTE_LENGTHS,
    Lengths,
    ReadBlocks,
    block_matcher,
    deleted,
    few,
    holders,
    posting_blocks,
    postings_of,
)
from newsgrep.engine.ranking import InOrderAnd, InOrderOr, idf
from newsgrep.engine.statistics import LiveStats
from newsgrep.model import RankingSettings

# Per field: its term text and the boost of its Term query.
Word = tuple[float, list[tuple[str, str, float]]]  # (clause boost, [(field, text, boost)])
# A word, or a phrase: per field, its term text or its phrase, and the query's boost.
Clause = tuple[float, list[tuple[str, str | Phrase, float]]]


def word_clauses(node: Any) -> list[Word] | None:
    """The words of an OR of plain word clauses (each an OR of one term per field), with
    their boosts; None for any other query (a phrase, a prefix, a NOT, coordination...)."""
    clauses = _clauses(node, phrases=False)
    if clauses is None:
        return None
    return [
        (boost, [(field, text, b) for field, text, b in terms if isinstance(text, str)])
        for boost, terms in clauses
    ]


def _clauses(node: Any, *, phrases: bool) -> list[Clause] | None:
    """As `word_clauses`; with `phrases`, a clause may be a phrase (an OR of one phrase
    per field) as well."""
    if type(node) is not query.Or or node.scale or node.minmatch:
        return None
    clauses: list[Clause] = []
    for clause in node.children():
        if type(clause) is not query.Or or clause.scale:
            return None
        terms: list[tuple[str, str | Phrase, float]] = []
        for term in clause.children():
            text = _text_of(term, phrases)
            if text is None:
                return None
            terms.append((term.fieldname, text, term.boost))
        if not terms:
            return None
        clauses.append((clause.boost, terms))
    return clauses


def _text_of(node: Any, phrases: bool) -> str | Phrase | None:
    if type(node) is query.Term:
        return str(node.text)
    return phrase_of(node) if phrases else None


def plain_words(node: Any) -> tuple[list[Clause], bool, bool] | None:
    """The words (and phrases) of a query of plain words, whether an article must hold
    every one, and whether its score is coordinated (BM25's sum times the share of the
    words it holds, as `ranking._WordCoordMatcher` scores a relaxed query of a few words):
    a word or phrase alone, an AND or an OR of them, or a coordinated OR of words (see
    `word_clauses`); None for any other query."""
    if type(node) is query.And:
        if node.boost != 1:
            return None
        clauses = [_clauses(query.Or([clause]), phrases=True) for clause in node.children()]
        if not clauses or any(clause is None for clause in clauses):
            return None
        return [found[0] for found in clauses if found], True, False
    if type(node) is not query.Or or node.boost != 1 or node.minmatch:
        return None
    if node.scale == 1.0:  # the mark of a coordinated OR (see `rewrite.relax`)
        found = _clauses(query.Or(list(node.children())), phrases=False)
        return None if found is None else (found, False, True)
    if not node.scale and all(type(c) in (query.Term, query.Phrase) for c in node.children()):
        alone = _clauses(query.Or([node]), phrases=True)
        return None if alone is None else (alone, False, False)
    found = _clauses(node, phrases=True)
    return None if found is None else (found, False, False)


def expanded_words(node: Any) -> tuple[list[Clause], bool, bool] | None:
    """As `plain_words`, for a query as `ranking.for_scoring` made it: prefix and fuzzy
    words are ORs of the index terms they stand for, each scored by BM25 — an OR of
    terms (and words, phrases), or an AND of such ORs. None for any other query (one
    with a constant score, a NOT, coordination...)."""
    if type(node) in (query.And, InOrderAnd) and node.boost == 1:
        clauses = [_term_tree(child) for child in node.children()]
        if not clauses or any(terms is None for terms in clauses):
            return None
        return [(1.0, terms) for terms in clauses if terms is not None], True, False
    terms = _term_tree(node)
    return None if terms is None else ([(1.0, terms)], False, False)


def _term_tree(node: Any, boost: float = 1.0) -> list[tuple[str, str | Phrase, float]] | None:
    """The terms (and phrases) of a term, phrase or OR tree of them, each with the product
    of the boosts above it (an OR's score is its children's sum, times its boost)."""
    if type(node) is query.Term:
        text = node.text.decode("utf-8") if isinstance(node.text, bytes) else str(node.text)
        return [(node.fieldname, text, boost * node.boost)]
    if type(node) is query.Phrase:
        phrase = phrase_of(node)
        return None if phrase is None else [(node.fieldname, phrase, boost * node.boost)]
    if type(node) not in (query.Or, InOrderOr) or node.scale or node.minmatch:
        return None
    terms: list[tuple[str, str | Phrase, float]] = []
    for child in node.children():
        found = _term_tree(child, boost * node.boost)
        if found is None:
            return None
        terms += found
    return terms or None


def key_words(words: list[Word], stats: LiveStats, count: int) -> list[Word]:
    """The `count` words that best tell the query's articles from the rest (Amati's Bo1
    weight of the word in the query, counted by its boost, against the index), in the
    order they came: the others, and words no article holds, are left out."""
    words = [word for word in words if any(stats.doc_frequency(f, t) for f, t, _ in word[1])]
    if len(words) <= count:
        return words
    articles = stats.doc_count or 1

    def weight(word: Word) -> float:
        times, terms = word
        text = terms[0][1]
        collection = stats.weight("body", text) or stats.weight("title", text) or 0.5
        share = collection / articles
        return times * math.log2((1 + share) / share) + math.log2(1 + share)

    best = sorted(range(len(words)), key=lambda n: -weight(words[n]))[:count]
    return [words[n] for n in sorted(best)]


def as_query(words: list[Word]) -> Any:
    """The OR the words were read from (for highlighting and proximity)."""
    clauses = [
        query.Or([query.Term(field, text, boost=boost) for field, text, boost in terms], boost=b)
        for b, terms in words
    ]
    return query.Or(clauses)


def score_words(
    searcher: Any,
    words: list[Clause],
    *,
    stats: LiveStats,
    settings: RankingSettings,
    lengths: Lengths,
    ordinals: Sequence[int],
    allowed: set[int] | None,
    excluded: set[int] | None,
    limit: int | None,
    every: bool = False,
    coordinated: bool = False,
    blocks: ReadBlocks | None = None,
    ordered: bool = True,
) -> tuple[list[tuple[int, float]], int]:
    """The `limit` best articles holding any of `words` (with `every`: all of them), as
    (docnum, score) best first (every one: `limit` None), and how many match. An article's
    score is the sum of its words' scores, as Whoosh's union and intersection matchers
    add their children's (with `coordinated`, times the share of the words it holds).
    The blocks of postings read in full go into `blocks`, if given. Not `ordered`: every
    match, in no order."""
    scores: dict[int, float] = {}
    holders: list[set[int]] = []
    k1, b = settings.k1, settings.b
    for clause_boost, terms in words:
        touched: set[int] | None = set() if every or coordinated else None
        for field, text, term_boost in terms:
            if isinstance(text, Phrase):
                held = min(stats.doc_frequency(field, word) for word in text.words)
            else:
                held = stats.doc_frequency(field, text)
            if not held:
                continue
            normalisation = (k1 * (1 - b), k1 * b / stats.average_length(field))
            if isinstance(text, Phrase):
                weights = [
                    (
                        clause_boost
                        * term_boost
                        * (k1 + 1)
                        * idf(settings, stats.doc_count, stats.doc_frequency(field, word)),
                        normalisation,
                    )
                    for word in text.words
                ]
                only = _looked_up(allowed, held)
                add_phrase(searcher, field, text, weights, scores, lengths, touched, only)
                continue
            factor = clause_boost * term_boost * idf(settings, stats.doc_count, held) * (k1 + 1)
            _add_postings(
                searcher,
                field,
                text,
                scores,
                factor,
                normalisation,
                lengths,
                touched,
                _looked_up(allowed, held),
                blocks,
            )
        if touched is not None:
            holders.append(touched)
    kept: Any = scores.keys()
    if every:
        kept = set.intersection(*holders) if holders else set()
    if coordinated:
        held_words = Counter(docnum for holder in holders for docnum in holder)
        for docnum, matched in held_words.items():
            scores[docnum] = float(scores[docnum] * matched / len(words))
    if allowed is not None or excluded is not None:
        kept = [
            docnum
            for docnum in kept
            if (allowed is None or docnum in allowed)
            and (excluded is None or docnum not in excluded)
        ]
    if not ordered:
        return [(docnum, scores[docnum]) for docnum in kept], len(kept)
    return _best(scores, kept, ordinals, limit), len(kept)


def _best(
    scores: dict[int, float], kept: Any, ordinals: Sequence[int], limit: int | None
) -> list[tuple[int, float]]:
    """The `limit` best of `kept` (every one: None) by score, ties by ordinal. (Sorted by
    score alone first, which runs without a Python call per article, and then only the
    best and those tying with the last of them by ordinal too.)"""
    by_score = sorted(kept, key=scores.__getitem__, reverse=True)
    if limit is not None and len(by_score) > limit:
        last = scores[by_score[limit - 1]] if limit > 0 else None
        end = limit
        while end < len(by_score) and scores[by_score[end]] == last:
            end += 1
        by_score = by_score[:end]
    ranked = sorted(by_score, key=lambda docnum: (-scores[docnum], ordinals[docnum]))
    return [(docnum, scores[docnum]) for docnum in ranked[:limit]]


def _looked_up(allowed: set[int] | None, held: int) -> set[int] | None:
    """`allowed` (a language's few articles, a short date range) when so few that their
    postings are better looked up than all read."""
    return allowed if few(allowed, held) else None


def _add_postings(
    searcher: Any,
    field: str,
    text: str,
    scores: dict[int, float],
    factor: float,
    normalisation: tuple[float, float],
    lengths: Lengths,
    touched: set[int] | None,
    only: set[int] | None = None,
    blocks: ReadBlocks | None = None,
) -> None:
    """Add each live article's BM25 for `text` in `field`: factor·tf / (tf + k1·(1 − b +
    b·length/average)), as Whoosh's scorer computes it; the articles go into `touched`
    too, if given. With `only`, a few articles the caller keeps, just theirs are looked
    up (skipping the blocks between them) instead of reading every posting; otherwise the
    blocks read are kept in `blocks`, if given."""
    constant, per_length = normalisation
    scaled = [per_length * (length or 1) for length in BYTE_LENGTHS]  # per stored length byte
    raw = text.encode("utf-8")
    get = scores.get
    for leaf, offset in searcher.reader().leaf_readers():
        if (field, raw) not in leaf:
            continue
        length_bytes = lengths.of(leaf, field)
        gone = deleted(leaf)
        matcher = leaf.postings(field, raw)
        kept = None
        if only is not None:
            wanted = [d - offset for d in only if offset <= d < offset + leaf.doc_count_all()]
            found = list(postings_of(matcher, sorted(wanted)))
            read: Any = [([d for d, _ in found], [w for _, w in found], ())]
        else:
            if blocks is not None and block_matcher(matcher) is not None:
                kept = blocks.reading(field, text, offset)
            read = posting_blocks(matcher, kept)
        for ids, weights, _ in read:
            for docnum, tf in zip(ids, weights, strict=False):
                if gone and docnum in gone:
                    continue
                key = docnum + offset
                scores[key] = get(key, 0.0) + factor * tf / (
                    tf + constant + scaled[length_bytes[docnum]]
                )
            if touched is not None:
                touched.update(docnum + offset for docnum in ids if docnum not in gone)
        if kept is not None and blocks is not None:
            blocks.done(field, text, offset)


def count_all_words(
    searcher: Any,
    node: Any,
    stats: LiveStats,
    allowed: set[int] | None,
    up_to: int,
    excluded: set[int] | None = None,
) -> int | None:
    """How many articles hold every word of an AND of plain word clauses (counting no
    further than `up_to`): the rarest word's articles in order, each asked of the other
    words until `up_to` hold them all; None for any other query. (Whoosh's intersection
    of dozens of words reads every one's postings to find its first match.)"""
    if type(node) is not query.And:
        return None
    words = [word_clauses(query.Or([clause])) for clause in node.children()]
    if any(word is None for word in words):
        return None
    clauses = [word[0] for word in words if word]

    def held(word: Word) -> int:
        return sum(stats.doc_frequency(field, text) for field, text, _ in word[1])

    clauses.sort(key=held)
    if not clauses or held(clauses[0]) == 0:
        return 0
    leaves = list(searcher.reader().leaf_readers())
    others = [_Holding(leaves, clause) for clause in clauses[1:]]
    count = 0
    for docnum in sorted(_holders(leaves, clauses[0])):
        if allowed is not None and docnum not in allowed:
            continue
        if excluded is not None and docnum in excluded:
            continue
        if all(holds(docnum) for holds in others):
            count += 1
            if count >= up_to:
                break
    return count


def _holders(leaves: list[tuple[Any, int]], word: Word) -> set[int]:
    """The live articles holding `word` in any of its fields."""
    return {docnum for field, text, _ in word[1] for docnum in holders(leaves, field, text)}


class _Holding:
    """Whether an article holds `word` in any of its fields, asked of articles in
    increasing order (each field's postings skip forward to it)."""

    def __init__(self, leaves: list[tuple[Any, int]], word: Word) -> None:
        self._fields = [
            [
                (offset, offset + leaf.doc_count_all(), leaf.postings(field, raw))
                for leaf, offset in leaves
                if (field, raw) in leaf
            ]
            for field, raw in ((field, text.encode("utf-8")) for field, text, _ in word[1])
        ]

    def __call__(self, docnum: int) -> bool:
        for segments in self._fields:
            for start, end, matcher in segments:
                if start <= docnum < end:
                    here = docnum - start
                    if matcher.is_active() and matcher.id() < here:
                        matcher.skip_to(here)
                    if matcher.is_active() and matcher.id() == here:
                        return True
                    break
        return False
