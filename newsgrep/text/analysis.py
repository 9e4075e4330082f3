"""What matches what: the one definition of how article text becomes index terms.

The same analyzer runs when articles are indexed, when queries are parsed and when
snippets are highlighted, so a query word always meets the article words it should:
Unicode word tokens, case folding, accent folding (`turkiye` finds `Türkiye`), stop
words, English stemming (`talks` finds `talk`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

import Stemmer

# Words: letters and digits, kept whole across inner dots ("U.S", "3.5").
TOKEN_PATTERN = r"\w+(?:\.\w+)*"

# Whoosh's English stop list minus "us" (the U.S.) and "may" (the month), both news words;
# plus the letters an apostrophe leaves behind ("Russia's", "don't").
NEWS_STOP_WORDS = frozenset(
    (  # noqa: SIM905 - a published list, kept as one readable string
        "a an and are as at be by can for from have if in is it not of on or tbd that the "
        "this to we when will with yet you your s t"
    ).split()
)


# Letters that carry no combining mark to strip, folded as a reader would type them.
_UNMARKED_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}
    | {"Ø": "O", "Ł": "L", "Đ": "D", "Ð": "D", "Þ": "Th", "ẞ": "SS", "Æ": "Ae", "Œ": "Oe"}
)


def fold_accents(text: str) -> str:
    """`text` without diacritics: `Türkiye` → `Turkiye`, `İstanbul` → `Istanbul`."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNMARKED_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Letters joined by dots are one word: `U.S.` is `us`, `N.A.T.O.` is `nato`, so they meet
# `US` and `NATO` written without dots. Numbers (`3.5`) keep their dots.
DOTTED_LETTERS = re.compile(r"(?:[a-z]\.)+[a-z]")

# In article text, the pronoun "us" (written in lower case, or "Us") is a stop word, so that
# it does not pass for the country: "US" and "U.S." are indexed as `us`. A query word `us`
# in any case means the country: nobody searches for the pronoun.
PRONOUN_US = frozenset({"us", "Us"})


# --- the same analysis in one pass ------------------------------------------------------
#
# Whoosh runs an analyzer as a chain of generators over Token objects, a few microseconds
# per word per filter. Indexing, snippets and sketches use this single loop instead; it
# gives exactly the terms and positions the engine's Whoosh analyzer for queries
# (`engine.analyzers.text_analyzer`) gives in "index" mode (tests/test_analysis.py compares
# them on real text).

_TOKEN = re.compile(TOKEN_PATTERN)

Analyzed = tuple[str, int, int, int]  # (term, position, start char, end char)


@cache
def stemmer() -> Callable[[str], str]:
    """The English Snowball stemmer ("Porter2"), in PyStemmer's C code."""
    stem: Callable[[str], str] = Stemmer.Stemmer("english").stemWord
    return stem


@cache
def _term_of(word: str) -> str | None:
    """The index term of one word as the tokenizer cut it; None for a stop word."""
    text = fold_accents(word.lower())
    if "." in text and DOTTED_LETTERS.fullmatch(text):
        text = text.replace(".", "")
    if not text or text in NEWS_STOP_WORDS:
        return None
    return stemmer()(text)


@lru_cache(maxsize=4)
def analyze(text: str) -> tuple[Analyzed, ...]:
    """Every index term of `text` with its position and character span, as indexed.
    (The last few texts are remembered: indexing analyzes each body twice, for its terms
    and for its near-duplicate sketch.)"""
    found: list[Analyzed] = []
    position = None
    for number, match in enumerate(_TOKEN.finditer(text)):
        word = match.group()
        if word in PRONOUN_US:
            continue  # the pronoun, not the country
        term = _term_of(word)
        if term is None:
            continue
        # As Whoosh's StopFilter renumbers: the first kept word keeps its place in the
        # text, the ones after it follow on without gaps.
        position = number if position is None else position + 1
        found.append((term, position, match.start(), match.end()))
    return tuple(found)


def index_terms(text: str) -> list[str]:
    """The terms `text` contributes to the index, in order (stop words dropped)."""
    return [term for term, _, _, _ in analyze(text)]
