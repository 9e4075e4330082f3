"""Analysis: the one-pass analyzer used for indexing gives exactly what Whoosh's analyzer
chain gives, and the things the analysis decides (folding, stemming, stop words)."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, SEEDS, SHARED

from newsgrep.engine.analyzers import text_analyzer
from newsgrep.engine.schema import CompactPositions
from newsgrep.text.analysis import analyze, fold_accents, index_terms

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


def whoosh_tokens(text: str) -> list[tuple[str, int, int, int]]:
    tokens = text_analyzer()(text, positions=True, chars=True, mode="index")
    return [(t.text, t.pos, t.startchar, t.endchar) for t in tokens]


@pytest.mark.parametrize("text", TRICKY + list(CORPUS.values()))
def test_one_pass_analysis_equals_the_whoosh_chain(text: str) -> None:
    assert list(analyze(text)) == whoosh_tokens(text)


def test_one_pass_analysis_equals_the_whoosh_chain_on_the_seeds() -> None:
    for path in SEEDS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert list(analyze(text)) == whoosh_tokens(text)


@pytest.mark.skipif(
    not (SHARED / "corpora" / "reuters-21578").is_dir(), reason="../shared corpora not present"
)
def test_one_pass_analysis_equals_the_whoosh_chain_on_reuters() -> None:
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
