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

import heapq
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from whoosh import query
from whoosh.util.numeric import byte_to_length

from newsgrep.engine.ranking import idf
from newsgrep.engine.statistics import LiveStats
from newsgrep.model import RankingSettings

# Per field: its term text and the boost of its Term query.
Word = tuple[float, list[tuple[str, str, float]]]  # (clause boost, [(field, text, boost)])


def word_clauses(node: Any) -> list[Word] | None:
    """The words of an OR of plain word clauses (each an OR of one term per field), with
    their boosts; None for any other query (a phrase, a prefix, a NOT, coordination...)."""
    if type(node) is not query.Or or node.scale or node.minmatch:
        return None
    words: list[Word] = []
    for clause in node.children():
        if type(clause) is not query.Or or clause.scale:
            return None
        terms = list(clause.children())
        if not terms or any(type(term) is not query.Term for term in terms):
            return None
        words.append((clause.boost, [(t.fieldname, t.text, t.boost) for t in terms]))
    return words


def plain_words(node: Any) -> tuple[list[Word], bool, bool] | None:
    """The words of a query of plain words, whether an article must hold every one, and
    whether its score is coordinated (BM25's sum times the share of the words it holds, as
    `ranking._WordCoordMatcher` scores a relaxed query of a few words): a word alone, an
    AND of words, or an OR of words (see `word_clauses`); None for any other query."""
    if type(node) is query.And:
        if node.boost != 1:
            return None
        words = [word_clauses(query.Or([clause])) for clause in node.children()]
        if not words or any(word is None for word in words):
            return None
        return [found[0] for found in words if found], True, False
    if type(node) is not query.Or or node.boost != 1 or node.minmatch:
        return None
    if node.scale == 1.0:  # the mark of a coordinated OR (see `rewrite.relax`)
        found = word_clauses(query.Or(list(node.children())))
        return None if found is None else (found, False, True)
    if not node.scale and all(type(child) is query.Term for child in node.children()):
        alone = word_clauses(query.Or([node]))
        return None if alone is None else (alone, False, False)
    found = word_clauses(node)
    return None if found is None else (found, False, False)


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


class Lengths:
    """Each article's length in a field, as Whoosh stores it (a byte, approximate above
    a few words) and scores with: read once per segment and field."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], Sequence[int]] = {}

    def of(self, leaf: Any, field: str) -> Sequence[int]:
        key = (id(leaf), field)
        if key not in self._cache:
            self._cache[key] = _lengths(leaf, field)
        return self._cache[key]


def _lengths(leaf: Any, field: str) -> Sequence[int]:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    count = leaf.doc_count_all()
    try:  # the segment's column of length bytes, in one read
        column = leaf._perdoc.column_reader(_lenfield(field), LENGTHS_COLUMN)
        data = column._dbfile.get(column._basepos, column._count)
        table = [byte_to_length(b) for b in range(256)]
        lengths = [table[b] for b in data]
        return lengths + [0] * (count - len(lengths))
    except (AttributeError, KeyError):  # another layout: one document at a time
        return [leaf.doc_field_length(docnum, field, 0) or 0 for docnum in range(count)]


def score_words(
    searcher: Any,
    words: list[Word],
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
) -> tuple[list[tuple[int, float]], int]:
    """The `limit` best articles holding any of `words` (with `every`: all of them), as
    (docnum, score) best first (every one: `limit` None), and how many match. An article's
    score is the sum of its words' scores, as Whoosh's union and intersection matchers
    add their children's (with `coordinated`, times the share of the words it holds)."""
    scores: dict[int, float] = {}
    holders: list[set[int]] = []
    k1, b = settings.k1, settings.b
    for clause_boost, terms in words:
        touched: set[int] | None = set() if every or coordinated else None
        for field, text, term_boost in terms:
            held = stats.doc_frequency(field, text)
            if not held:
                continue
            factor = clause_boost * term_boost * idf(settings, stats.doc_count, held) * (k1 + 1)
            average = stats.average_length(field)
            _add_postings(
                searcher,
                field,
                text,
                scores,
                factor,
                (k1 * (1 - b), k1 * b / average),
                lengths,
                touched,
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
    found = [
        (-scores[docnum], ordinals[docnum], docnum)
        for docnum in kept
        if (allowed is None or docnum in allowed) and (excluded is None or docnum not in excluded)
    ]
    best = sorted(found) if limit is None else heapq.nsmallest(limit, found)
    return [(docnum, -score) for score, _, docnum in best], len(found)


def _add_postings(
    searcher: Any,
    field: str,
    text: str,
    scores: dict[int, float],
    factor: float,
    normalisation: tuple[float, float],
    lengths: Lengths,
    touched: set[int] | None,
) -> None:
    """Add each live article's BM25 for `text` in `field`: factor·tf / (tf + k1·(1 − b +
    b·length/average)), as Whoosh's scorer computes it; the articles go into `touched`
    too, if given."""
    constant, per_length = normalisation
    raw = text.encode("utf-8")
    get = scores.get
    for leaf, offset in searcher.reader().leaf_readers():
        if (field, raw) not in leaf:
            continue
        lengths_here = lengths.of(leaf, field)
        deleted = leaf.segment().deleted_docs() if leaf.has_deletions() else ()
        gone = frozenset(deleted)
        for docnum, tf in _postings(leaf.postings(field, raw)):
            if docnum in gone:
                continue
            length = lengths_here[docnum] or 1
            score = factor * tf / (tf + constant + per_length * length)
            scores[docnum + offset] = get(docnum + offset, 0.0) + score
            if touched is not None:
                touched.add(docnum + offset)


def _postings(matcher: Any) -> Any:
    """(docnum, weight) of every posting, a block at a time where the matcher is Whoosh's
    block matcher (else one at a time). Deleted articles are the caller's to skip."""
    matcher = getattr(matcher, "child", matcher)  # Whoosh filters deletions with a wrapper
    while matcher.is_active():
        if hasattr(matcher, "_read_ids") and hasattr(matcher, "_read_weights"):
            matcher._read_ids()
            matcher._read_weights()
            yield from zip(matcher._ids, matcher._weights, strict=False)
            matcher._next_block()
        else:
            yield matcher.id(), matcher.weight()
            matcher.next()


def count_all_words(
    searcher: Any, node: Any, stats: LiveStats, allowed: set[int] | None, up_to: int
) -> int | None:
    """How many articles hold every word of an AND of plain word clauses (counting no
    further than `up_to`), the rarest word first, each next one asked only of the
    articles left; None for any other query. (Whoosh's intersection of dozens of words
    reads every one's postings to find its first match.)"""
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
    left = _holders(searcher, clauses[0], None)
    if allowed is not None:
        left &= allowed
    for clause in clauses[1:]:
        if not left:
            break
        left = _holders(searcher, clause, left)
    return min(len(left), up_to)


def _holders(searcher: Any, word: Word, among: set[int] | None) -> set[int]:
    """The live articles holding `word` in any of its fields (of those `among`, if given)."""
    found: set[int] = set()
    for field, text, _ in word[1]:
        raw = text.encode("utf-8")
        for leaf, offset in searcher.reader().leaf_readers():
            if (field, raw) not in leaf:
                continue
            postings = leaf.postings(field, raw)  # live articles only
            if among is None:
                found.update(docnum + offset for docnum in postings.all_ids())
                continue
            for docnum in sorted(d - offset for d in among if d - offset >= 0):
                if postings.is_active() and postings.id() < docnum:
                    postings.skip_to(docnum)
                if not postings.is_active():
                    break
                if postings.id() == docnum:
                    found.add(docnum + offset)
    return found
