"""The analysis of `text.analysis` as Whoosh analyzers, for Whoosh's query parser.

Indexing never runs these (it uses `text.analysis.analyze`, one fast pass); the parser reads
query words through them, one analyzer per language, so a query word meets the index terms
of each language's articles. They are built on the same pass, and so give exactly its
terms and positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer, Token

from newsgrep.text.analysis import TOKEN_PATTERN, analysis, analyze, fold_accents
from newsgrep.text.languages import ENGLISH


class FoldAccentsFilter(Filter):  # type: ignore[misc]
    """Folds each token's diacritics away (after lowercasing)."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = fold_accents(token.text)
            yield token


class NewsAnalyzer(Analyzer):  # type: ignore[misc]
    """`text.analysis.analyze` in the analysis `key`, as Whoosh tokens. Whoosh pickles it
    with the schema, so it holds nothing but its key."""

    def __init__(self, key: str = ENGLISH) -> None:
        self.key = key

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Any]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # A prefix or fuzzy word: the word's own term (a stop word as it is written,
            # folded), as Whoosh's filters would leave it.
            term = analysis(self.key).term(value) or fold_accents(value.casefold())
            token.text, token.boost, token.stopped = term, 1.0, False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for term, position, start, end in analyze(value, self.key, mode == "query"):
            token.text, token.boost, token.stopped = term, 1.0, False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewsAnalyzer) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)


@cache
def text_analyzer(key: str = ENGLISH) -> Any:
    """The analyzer of article text (title and body) in the analysis `key`, and of query
    words against the articles of that language."""
    return NewsAnalyzer(key)


@cache
def label_analyzer() -> Any:
    """For short labels (source names): words, case- and accent-folded, never stemmed."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | FoldAccentsFilter()
