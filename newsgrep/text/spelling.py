"""Did you mean: a corrected query, from the index's own vocabulary, in words a user types.

For each query word that no article holds (or far fewer than hold a near spelling), the
index's terms within one or two edits are candidates, the most frequent nearest one wins
(so are stems the misspelt word begins with, one edit off); since index terms are stems,
the suggestion shows the word as an article wrote it ("negotiations", not "negoti").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from newsgrep.text.analysis import TOKEN_PATTERN, analyze, index_terms

_SUGGESTION_FIELDS = ("body", "title")
# Only words the index holds this rarely (or not at all) are looked at; and a word it holds
# is corrected only to one this many times more common.
RARE_UP_TO = 3
MORE_COMMON = 20
# Candidates share the typed word's first letter: typos are rarely there, and searching the
# whole term list for words within two edits took ~0.15 s per unknown word at 423 articles.
SAME_BEGINNING = 1
# The written forms of a suggested stem are looked for in this many articles.
_FORMS_FROM = 20
# At most this many index terms are looked at for one misspelt word's beginning.
_PREFIX_SCAN = 20_000
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
# Words of the query that are not search words: field names, and values of fields other
# than title and body (date:2025, source:x, ...).
_SKIPPED = re.compile(r"\b(?!title:|body:)[A-Za-z_]+:(?:\[[^\]]*\]|\{[^}]*\}|\"[^\"]*\"|\S+)")
_QUERY_WORD = re.compile(TOKEN_PATTERN)


class Vocabulary(Protocol):
    """What spelling needs to know of the index's terms (the engine provides it)."""

    def frequency(self, field: str, term: str) -> int: ...

    def near(
        self, field: str, term: str, *, max_edits: int, prefix: int, limit: int
    ) -> list[str]: ...

    def starting_with(self, field: str, beginning: str) -> Iterator[str]: ...

    def texts_with(self, field: str, term: str, limit: int) -> Iterator[str]: ...


def suggest(vocabulary: Vocabulary, text: str) -> str | None:
    """`text` with its unknown words replaced by the likeliest known ones, or None when
    nothing would change."""
    skipped = [(m.start(), m.end()) for m in _SKIPPED.finditer(text)]
    pieces, last, changed = [], 0, False
    for match in _QUERY_WORD.finditer(text):
        word = match.group()
        if word in _OPERATORS or any(s <= match.start() < e for s, e in skipped):
            continue
        replacement = _correction(vocabulary, word)
        if replacement is not None:
            pieces.append(text[last : match.start()] + replacement)
            last, changed = match.end(), True
    if not changed:
        return None
    return "".join(pieces) + text[last:]


def _correction(vocabulary: Vocabulary, word: str) -> str | None:
    terms = index_terms(word)
    if len(terms) != 1:
        return None  # a stop word, or several words
    term = terms[0]
    known = _frequency(vocabulary, term)
    if known > RARE_UP_TO:
        return None
    candidates = _near_terms(vocabulary, term) + _near_stems(vocabulary, term)
    # A word the index has is only corrected to a far more common one ("intrest", a typo
    # some article made, to "interest"); typos in articles are rarely corrections.
    ranked = sorted(
        (frequency < 2, edits, -frequency, stem)
        for stem, edits, frequency in candidates
        if frequency > known * MORE_COMMON
    )
    if not ranked:
        return None
    stem = ranked[0][3]
    return _as_written(vocabulary, stem, word.lower()) or stem


def _near_terms(vocabulary: Vocabulary, term: str) -> list[tuple[str, int, int]]:
    """Index terms within one or two edits of `term`, as (term, edits, frequency)."""
    max_edits = 1 if len(term) <= 4 else 2
    found = {
        candidate
        for name in _SUGGESTION_FIELDS
        for candidate in vocabulary.near(
            name, term, max_edits=max_edits, prefix=SAME_BEGINNING, limit=5
        )
    }
    return [(c, _edits(term, c), _frequency(vocabulary, c)) for c in found if c != term]


def _near_stems(vocabulary: Vocabulary, term: str) -> list[tuple[str, int, int]]:
    """Index terms that are a misspelt `term`'s beginning, one edit off: the stem of
    "negotiatons" is "negotiaton", but "negotiations" is indexed as "negoti". Counted as
    two edits more than the beginning differs: a whole word beats a beginning."""
    if len(term) < 5:
        return []
    found = []
    for name in _SUGGESTION_FIELDS:
        for index, stem in enumerate(vocabulary.starting_with(name, term[:3])):
            if index >= _PREFIX_SCAN:
                break
            if len(stem) < max(4, len(term) - 5) or len(stem) >= len(term):
                continue
            edits = _edits(term[: len(stem)], stem)
            if edits <= 1:
                found.append((stem, edits + 2, _frequency(vocabulary, stem)))
    return found


def _frequency(vocabulary: Vocabulary, term: str) -> int:
    return sum(vocabulary.frequency(name, term) for name in _SUGGESTION_FIELDS)


def _as_written(vocabulary: Vocabulary, term: str, typed: str) -> str | None:
    """The word articles wrote for the index term `term` (of those in its first few
    articles, the one nearest to what was typed), in lower case."""
    written: set[str] = set()
    for name in _SUGGESTION_FIELDS:
        for text in vocabulary.texts_with(name, term, _FORMS_FROM):
            written.update(
                text[start:end].lower() for found, _, start, end in analyze(text) if found == term
            )
    if not written:
        return None
    return min(written, key=lambda form: (_edits(typed, form), form))


def _edits(first: str, second: str) -> int:
    """Edit distance counting a swap of neighbours as one edit ("cocao" → "cocoa")."""
    rows = [list(range(len(second) + 1))]
    for i, a in enumerate(first, start=1):
        row = [i]
        for j, b in enumerate(second, start=1):
            cost = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, rows[i - 2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]
