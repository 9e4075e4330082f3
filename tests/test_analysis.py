"""Analysis: English is analysed exactly as the former Whoosh analyzer chain did (terms,
positions, characters), the query parser's analyzer is the one-pass analysis, and the
things the analysis decides (folding, stemming, stop words)."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, SEEDS, SHARED
from whoosh.analysis import Filter, LowercaseFilter, PyStemmerFilter, RegexTokenizer, StopFilter

from newsgrep.engine.analyzers import text_analyzer
from newsgrep.engine.schema import CompactPositions
from newsgrep.text.analysis import (
    DOTTED_LETTERS,
    NEWS_STOP_WORDS,
    PRONOUN_US,
    analyze,
    fold_accents,
    index_terms,
)

TRICKY = [
    "Let us meet the US and U.S. officials in Türkiye, İstanbul; Us too. e.g. 3.5% N.A.T.O.",
    "ﬁnance ½ ² Straße Łódź Ærø œuvre",
    "the the a an of",
    "",
    "x\u0301y combining \u0301 marks",
    "Russia’s don't it's O'Neill",
    "face-to-face 2025-05-15 10:30 $1,234.56 e-mail",
    "日本語のテキスト 中文 العربية русский текст",
    "\x1b[31mred\x1b[0m [bold]x[/bold]",
]


# Before languages, English was analysed by this Whoosh chain; it must still be, to the
# term, position and character (the one-pass analysis was checked against it on real text).


class _Fold(Filter):  # type: ignore[misc]
    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            token.text = fold_accents(token.text)
            yield token


class _Acronyms(Filter):  # type: ignore[misc]
    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            if "." in token.text and DOTTED_LETTERS.fullmatch(token.text):
                token.text = token.text.replace(".", "")
            yield token


class _Pronoun(Filter):  # type: ignore[misc]
    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            if not (token.mode == "index" and token.text in PRONOUN_US):
                yield token


FORMER_ENGLISH = (
    RegexTokenizer(r"\w+(?:\.\w+)*")
    | _Pronoun()
    | LowercaseFilter()
    | _Fold()
    | _Acronyms()
    | StopFilter(stoplist=NEWS_STOP_WORDS, minsize=1)
    | PyStemmerFilter("english")
)
# What languages changed on purpose: combining marks stay in their word, unspaced script is
# cut into character pairs.
CHANGED = ("x\u0301y combining \u0301 marks", "日本語のテキスト 中文 العربية русский текст")


def whoosh_tokens(text: str) -> list[tuple[str, int, int, int]]:
    tokens = FORMER_ENGLISH(text, positions=True, chars=True, mode="index")
    return [(t.text, t.pos, t.startchar, t.endchar) for t in tokens]


@pytest.mark.parametrize("text", [t for t in TRICKY if t not in CHANGED] + list(CORPUS.values()))
def test_english_is_analysed_as_the_former_whoosh_chain_did(text: str) -> None:
    assert list(analyze(text)) == whoosh_tokens(text)


@pytest.mark.parametrize("text", TRICKY)
def test_the_query_parsers_analyzer_is_the_one_pass_analysis(text: str) -> None:
    tokens = text_analyzer()(text, positions=True, chars=True, mode="index")
    assert [(t.text, t.pos, t.startchar, t.endchar) for t in tokens] == list(analyze(text))


def test_english_is_analysed_as_before_on_the_seeds() -> None:
    for path in SEEDS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert list(analyze(text)) == whoosh_tokens(text)


@pytest.mark.skipif(
    not (SHARED / "corpora" / "reuters-21578").is_dir(), reason="../shared corpora not present"
)
def test_english_is_analysed_as_before_on_reuters() -> None:
    path = SHARED / "corpora" / "reuters-21578" / "articles.jsonl"
    with path.open(encoding="utf-8") as lines:
        bodies = [json.loads(line)["body"] for _, line in zip(range(2000), lines, strict=False)]
    assert all(list(analyze(body)) == whoosh_tokens(body) for body in bodies)


def test_what_matches_what() -> None:
    assert index_terms("Talks talking talked") == ["talk", "talk", "talk"]
    assert index_terms("TÜRKİYE Türkiye turkiye") == ["turkiy"] * 3
    assert index_terms("U.S. US us") == ["us", "us"]  # the lower-case pronoun is dropped
    assert index_terms("the of and") == []
    assert index_terms("in May") == ["may"]  # the month is a news word
    assert fold_accents("Łódź Straße") == "Lodz Strasse"


@pytest.mark.parametrize("positions", [[0], [3, 4, 200], [0, 1, 2, 70000, 70001], [128, 16384]])
def test_compact_positions_round_trip(positions: list[int]) -> None:
    layout = CompactPositions()
    encoded = layout.encode(positions)
    assert layout.decode_positions(encoded) == positions
    assert layout.decode_frequency(encoded) == len(positions)
