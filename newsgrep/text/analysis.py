"""What matches what: the one definition of how article text becomes index terms.

The same analyzer runs when articles are indexed, when queries are parsed and when
snippets are highlighted, so a query word always meets the article words it should:
Unicode word tokens, case folding, accent folding (`turkiye` finds `Türkiye`), stop
words, English stemming (`talks` finds `talk`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from whoosh.analysis import (
    STOP_WORDS,
    Filter,
    LowercaseFilter,
    PyStemmerFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)

# Words: letters and digits, kept whole across inner dots ("U.S", "3.5").
TOKEN_PATTERN = r"\w+(?:\.\w+)*"

# Whoosh's list minus "us" (the U.S.) and "may" (the month), both news words; plus the
# letters an apostrophe leaves behind ("Russia's", "don't").
NEWS_STOP_WORDS = frozenset(STOP_WORDS - {"us", "may"} | {"s", "t"})


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


class FoldAccentsFilter(Filter):  # type: ignore[misc]
    """Folds each token's diacritics away (after lowercasing, before stemming)."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = fold_accents(token.text)
            yield token


_DOTTED_LETTERS = re.compile(r"(?:[a-z]\.)+[a-z]")


class AcronymFilter(Filter):  # type: ignore[misc]
    """Letters joined by dots are one word: `U.S.` is `us`, `N.A.T.O.` is `nato`, so they
    meet `US` and `NATO` written without dots. Numbers (`3.5`) keep their dots."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            if "." in token.text and _DOTTED_LETTERS.fullmatch(token.text):
                token.text = token.text.replace(".", "")
            yield token


class PronounFilter(Filter):  # type: ignore[misc]
    """In article text, the pronoun "us" (written in lower case, or "Us") is a stop word, so
    that it does not pass for the country: "US" and "U.S." are indexed as `us`. A query
    word `us` in any case means the country: nobody searches for the pronoun."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            if token.mode == "index" and token.text in ("us", "Us"):
                continue
            yield token


# Whether dotted letters are folded into one word (U.S. → us), and the pronoun "us" told
# apart from the country.
ACRONYMS = True

# Which stemmer the analyzer uses: "snowball" (English Snowball, "Porter2", through
# PyStemmer's C code) or "porter" (Whoosh's original Porter, in Python). Snowball is the
# better stemmer (+0.005 nDCG@10 on TIME) and PyStemmer seven times faster.
STEMMER = "snowball"


def _stem_filter() -> Any:
    if STEMMER == "snowball":
        return PyStemmerFilter("english")
    return StemFilter()


@cache
def text_analyzer() -> Any:
    """The analyzer for article text (title and body) and for query words against it."""
    analyzer = RegexTokenizer(TOKEN_PATTERN)
    if ACRONYMS:
        analyzer = analyzer | PronounFilter()
    analyzer = analyzer | LowercaseFilter() | FoldAccentsFilter()
    if ACRONYMS:
        analyzer = analyzer | AcronymFilter()
    return analyzer | StopFilter(stoplist=NEWS_STOP_WORDS, minsize=1) | _stem_filter()


@cache
def label_analyzer() -> Any:
    """For short labels (source names): words, case- and accent-folded, never stemmed."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | FoldAccentsFilter()


# --- the same analysis in one pass ------------------------------------------------------
#
# Whoosh runs an analyzer as a chain of generators over Token objects, a few microseconds
# per word per filter. Indexing, snippets and sketches use this single loop instead; it
# gives exactly the terms and positions `text_analyzer()` gives in "index" mode
# (tests/test_analysis.py compares them on real text).

_TOKEN = re.compile(TOKEN_PATTERN)

Analyzed = tuple[str, int, int, int]  # (term, position, start char, end char)


@cache
def _stemmer() -> Any:
    if STEMMER == "snowball":
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    from whoosh.lang.porter import stem

    return stem


@cache
def _term_of(word: str) -> str | None:
    """The index term of one word as the tokenizer cut it; None for a stop word."""
    text = fold_accents(word.lower())
    if ACRONYMS and "." in text and _DOTTED_LETTERS.fullmatch(text):
        text = text.replace(".", "")
    if not text or text in NEWS_STOP_WORDS:
        return None
    return str(_stemmer()(text))


@lru_cache(maxsize=4)
def analyze(text: str) -> tuple[Analyzed, ...]:
    """Every index term of `text` with its position and character span, as indexed.
    (The last few texts are remembered: indexing analyzes each body twice, for its terms
    and for its near-duplicate sketch.)"""
    found: list[Analyzed] = []
    position = None
    for number, match in enumerate(_TOKEN.finditer(text)):
        word = match.group()
        if ACRONYMS and word in ("us", "Us"):
            continue  # the pronoun (see PronounFilter)
        term = _term_of(word)
        if term is None:
            continue
        # As Whoosh's StopFilter renumbers: the first kept word keeps its place in the
        # text, the ones after it follow on without gaps.
        position = number if position is None else position + 1
        found.append((term, position, match.start(), match.end()))
    return tuple(found)


def clear_caches() -> None:
    """Forget analyzers and stems (after a change of the settings above)."""
    text_analyzer.cache_clear()
    _stemmer.cache_clear()
    _term_of.cache_clear()
    analyze.cache_clear()


def index_terms(text: str) -> list[str]:
    """The terms `text` contributes to the index, in order (stop words dropped)."""
    return [term for term, _, _, _ in analyze(text)]
