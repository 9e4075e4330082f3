"""The analysis of `text.analysis` as Whoosh analyzers, for Whoosh's query parser.

Indexing never runs these (it uses `text.analysis.analyze`, one fast pass that gives the
same terms and positions); the parser reads query words through them, so a query word
meets the index terms it should.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from whoosh.analysis import Filter, LowercaseFilter, PyStemmerFilter, RegexTokenizer, StopFilter

from newsgrep.text.analysis import (
    DOTTED_LETTERS,
    NEWS_STOP_WORDS,
    PRONOUN_US,
    TOKEN_PATTERN,
    fold_accents,
)


class FoldAccentsFilter(Filter):  # type: ignore[misc]
    """Folds each token's diacritics away (after lowercasing, before stemming)."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = fold_accents(token.text)
            yield token


class AcronymFilter(Filter):  # type: ignore[misc]
    """Letters joined by dots are one word (see `text.analysis.DOTTED_LETTERS`)."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            if "." in token.text and DOTTED_LETTERS.fullmatch(token.text):
                token.text = token.text.replace(".", "")
            yield token


class PronounFilter(Filter):  # type: ignore[misc]
    """The pronoun "us" is dropped from article text, never from a query, where `us` means
    the country (see `text.analysis.PRONOUN_US`)."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            if token.mode == "index" and token.text in PRONOUN_US:
                continue
            yield token


@cache
def text_analyzer() -> Any:
    """The analyzer for article text (title and body) and for query words against it."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | PronounFilter()
        | LowercaseFilter()
        | FoldAccentsFilter()
        | AcronymFilter()
        | StopFilter(stoplist=NEWS_STOP_WORDS, minsize=1)
        | PyStemmerFilter("english")
    )


@cache
def label_analyzer() -> Any:
    """For short labels (source names): words, case- and accent-folded, never stemmed."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | FoldAccentsFilter()
