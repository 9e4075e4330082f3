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
from functools import cache
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


def index_terms(text: str) -> list[str]:
    """The terms `text` contributes to the index, in order (stop words dropped)."""
    return [token.text for token in text_analyzer()(text, mode="index")]
