"""Did you mean: a corrected query, from the index's own vocabulary, in words a user types.

For each query word that no article holds, the index's terms within one or two edits (one
for short words; a swap of neighbours is one edit: `cocao` → `cocoa`) that begin with the
same letter are candidates, and the most frequent nearest one wins; so do stems the
misspelt word begins with, one edit off. A word the index holds (inside a word with dots
too: "cisif" of the ticker "CISIF.O") is left alone unless it is rare and, as written, one
edit from a word whose stem is 500 times as common (a typo some article made: "betweeen");
stems one edit apart are not enough ("teeming" is "teem", one edit from "term"). Since
index terms are stems, the suggestion shows the word as an article wrote it
("negotiations", not "negoti"). Distances are rapidfuzz's, bounded, so a word of any
length costs little.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Iterator, Sequence
from typing import Protocol

from newsgrep.text.analysis import TOKEN, fold_accents, index_terms
from newsgrep.text.languages import ENGLISH

_SUGGESTION_FIELDS = ("body", "title")
# A word the index holds is looked at only when this few articles or fewer hold it, and is
# corrected only to a word that many times as common, one edit away as written.
RARE_UP_TO = 1
MORE_COMMON = 500
# Candidates share the typed word's first letter, where typos are rare.
SAME_BEGINNING = 1
# A "word" longer than this is no typo of a word: nothing is suggested for it.
LONGEST_WORD = 30
# The written forms of a stem are looked for in this many articles, for this many of the
# likeliest nearest stems.
_FORMS_FROM = 5
TIE_BREAK = 4
# The most letters of an ending a stem may leave over, at the end of a misspelt word.
_ENDING = 5
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
# Words of the query that are not search words: field names, and values of fields other
# than title and body (date:2025, source:x, ...).
_SKIPPED = re.compile(r"\b(?!title:|body:)[A-Za-z_]+:(?:\[[^\]]*\]|\{[^}]*\}|\"[^\"]*\"|\S+)")


class Vocabulary(Protocol):
    """What spelling needs to know of the index's terms (the engine provides it)."""

    def frequency(self, field: str, term: str) -> int: ...

    def terms(self, field: str, beginning: str) -> Sequence[str]: ...

    def texts_with(self, field: str, term: str, limit: int) -> Iterator[str]: ...


def suggest(
    vocabulary: Vocabulary, text: str, languages: Collection[str] = (ENGLISH,)
) -> str | None:
    """`text` with its unknown words replaced by the likeliest known ones, or None when
    nothing would change. A word is read in each of the index's `languages` (analysis
    keys), and corrected in the one whose reading the index holds most."""
    skipped = [(m.start(), m.end()) for m in _SKIPPED.finditer(text)]
    pieces, last, changed = [], 0, False
    for match in TOKEN.finditer(text):
        word = match.group()
        if word in _OPERATORS or any(s <= match.start() < e for s, e in skipped):
            continue
        replacement = _correction(vocabulary, word, languages)
        if replacement is not None:
            pieces.append(text[last : match.start()] + replacement)
            last, changed = match.end(), True
    if not changed:
        return None
    return "".join(pieces) + text[last:]


def _correction(vocabulary: Vocabulary, word: str, languages: Collection[str]) -> str | None:
    # Imported by the first suggestion, not by every search (~9 ms of a cold start).
    from rapidfuzz.distance import OSA

    readings = []
    for key in sorted(languages):
        terms = index_terms(word, key)
        if len(terms) != 1 or len(terms[0]) > LONGEST_WORD:
            return None  # a stop word, several words, or no word at all
        readings.append((-_frequency(vocabulary, terms[0]), key, terms[0]))
    if not readings:
        return None
    # The language whose reading of the word the index holds most.
    known, key, term = min(readings)
    known = -known
    typed = fold_accents(word.lower())
    if not known:
        # A word the index keeps only inside a word with dots (the ticker "CISIF.O", the
        # address "OneStat.com") is a word articles have, not a typo.
        known = _held_within(vocabulary, typed)
    if known > RARE_UP_TO:
        return None
    candidates = [
        (stem, edits, frequency)
        for stem, edits, whole in _near(vocabulary, term, typed)
        if (frequency := _frequency(vocabulary, stem))
        and (not known or (whole and edits == 1 and frequency >= known * MORE_COMMON))
    ]
    if not candidates:
        return None
    fewest = min(edits for _, edits, _ in candidates)
    likeliest = [
        entry
        for level in (fewest, fewest + 1)
        for entry in sorted(
            (-frequency, edits, stem) for stem, edits, frequency in candidates if edits == level
        )[:TIE_BREAK]
    ]
    # Stems are short, and many are as near a misspelt stem as the word meant ("anqth" is
    # one edit from both "anyth" and "anoth"): the words articles wrote for the likeliest
    # few, against what was typed, tell them apart. A word one edit from what was typed is
    # as near as any can be (what was typed is no word of these stems), and the stems after
    # it are no nearer in edits nor likelier: their articles need not be read.
    written = []
    for rank, (_, edits, stem) in enumerate(likeliest):
        form = _as_written(vocabulary, stem, typed, key)
        if form is not None:
            written.append((OSA.distance(typed, form), edits, rank, form))
            if written[-1][0] <= 1:
                break
    if known:
        # A word the index holds is replaced only by a word one edit from it as written:
        # stems one edit apart are often words further apart (teeming and term, "teem" and
        # "term"; beebe and been, "beeb" and "been").
        written = [entry for entry in written if entry[0] <= 1]
        return min(written)[3] if written else None
    return min(written)[3] if written else likeliest[0][2]


def _near(vocabulary: Vocabulary, term: str, typed: str) -> Iterator[tuple[str, int, bool]]:
    """Index terms near the misspelt word `typed` (whose stem is `term`), as (term, edits,
    whether the whole stem was compared): those within one edit of `term` (a word of four
    letters or fewer) or two, and
    stems one edit from a beginning of `typed` — "changing" is indexed as "chang", one edit
    from "chng", the beginning of "chnging" — counted one edit more, as the rest of the
    word goes unchecked. A beginning leaves at most an ending's worth of letters over, and
    has four letters or more. (rapidfuzz compares the term list in one call per beginning,
    each comparison bounded by its cutoff.)"""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    most = 1 if len(term) <= 4 else 2
    cuts = range(max(4, len(typed) - _ENDING), len(typed))
    whole: dict[str, int] = {}
    beginnings: dict[str, int] = {}
    for name in _SUGGESTION_FIELDS:
        stems = vocabulary.terms(name, term[:SAME_BEGINNING])
        for stem, edits, _ in process.extract(
            term, stems, scorer=OSA.distance, score_cutoff=most, limit=None
        ):
            whole[stem] = int(edits)
        for cut in cuts:
            for stem, edits, _ in process.extract(
                typed[:cut], stems, scorer=OSA.distance, score_cutoff=1, limit=None
            ):
                beginnings[stem] = min(int(edits), beginnings.get(stem, 1))
    for stem in sorted(whole.keys() | beginnings.keys()):
        if stem == term:
            continue
        edits = whole.get(stem, most + 1)
        if edits <= 1:
            yield stem, edits, True
            continue
        beginning = beginnings.get(stem, 2) + 1
        if min(edits, beginning) <= most:
            yield stem, min(edits, beginning), edits <= beginning


def _held_within(vocabulary: Vocabulary, typed: str) -> int:
    """How many articles hold `typed` as the first part of a word with dots, which the
    index keeps whole ("cisif.o"), counting no further than past `RARE_UP_TO`."""
    beginning, held = typed + ".", 0
    for name in _SUGGESTION_FIELDS:
        terms = vocabulary.terms(name, typed[:SAME_BEGINNING])
        at = bisect_left(terms, beginning)
        while at < len(terms) and terms[at].startswith(beginning) and held <= RARE_UP_TO:
            held += vocabulary.frequency(name, terms[at])
            at += 1
    return held


def _frequency(vocabulary: Vocabulary, term: str) -> int:
    return sum(vocabulary.frequency(name, term) for name in _SUGGESTION_FIELDS)


def _as_written(vocabulary: Vocabulary, term: str, typed: str, key: str) -> str | None:
    """The word articles wrote for the index term `term` (of those in its first few
    articles, the one nearest to what was typed), in lower case. Only words that begin as
    the term does are analysed: stemming changes a word's end, not its beginning."""
    from rapidfuzz.distance import OSA

    beginning = re.compile(rf"\b{re.escape(term[: max(1, min(4, len(term) - 1))])}\w*", re.I)
    written: set[str] = set()
    for name in _SUGGESTION_FIELDS:
        for text in vocabulary.texts_with(name, term, _FORMS_FROM):
            words = beginning.findall(text) or beginning.findall(fold_accents(text))
            written.update(word.lower() for word in words if index_terms(word, key) == [term])
    if not written:
        return None
    return min(written, key=lambda form: (OSA.distance(typed, form), form))
