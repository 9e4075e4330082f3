"""Ranking a user can see: partial matches ranked by what they match, repeated words
weighing more, a pasted text finding the articles like it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_corpus

from newsgrep.engine.session import search
from newsgrep.indexer import run_index
from newsgrep.model import Match, SearchRequest


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    stories = {
        f"story{n:02}.txt": f"Title: Council meeting {n}\n\nThe council met on day {n}.\n"
        for n in range(12)
    }
    stories |= {
        "spokesman.txt": "Title: Budget row\n\nA spokesman said the budget was late. "
        "The spokesman added that the spokesman's office would say more.\n",
        "quiet.txt": "Title: Harbour news\n\nA spokesman for the harbour said little.\n",
        "oil.txt": "Title: Prices\n\nOil oil oil: oil rose, and the market noticed.\n",
        "market.txt": "Title: Trading\n\nThe market, the market, the market: oil was flat.\n",
    }
    folder = write_corpus(tmp_path / "news", stories)
    run_index(tmp_path / "index", [folder])
    return tmp_path / "index"


def hits(index_dir: Path, text: str, **options: object) -> list[tuple[str, float]]:
    result = search(index_dir, SearchRequest(text, limit=None, **options))  # type: ignore[arg-type]
    return [(hit.id, hit.score or 0.0) for hit in result.hits]


def test_a_relaxed_query_ranks_partial_matches_by_bm25_with_no_zero_scores(
    newsroom: Path,
) -> None:
    # Once: a matching word in no title made every score 0.0000, in path order.
    found = hits(newsroom, "spokesman qqqzzzx")
    assert [article for article, _ in found] == ["spokesman.txt", "quiet.txt"]
    assert all(score > 0 for _, score in found)
    assert found[0][1] > found[1][1]


def test_a_relaxed_query_that_leaves_a_word_out_scores_as_one_without(newsroom: Path) -> None:
    # Once: under a NOT the words were scored by Whoosh's own coordination, all 0.0000.
    found = hits(newsroom, "spokesman qqqzzzx NOT harbour")
    assert [article for article, _ in found] == ["spokesman.txt"]
    assert found == hits(newsroom, "spokesman qqqzzzx")[:1]


def test_a_word_typed_twice_weighs_twice(newsroom: Path) -> None:
    assert hits(newsroom, "oil oil market", match=Match.ANY)[0][0] == "oil.txt"
    assert hits(newsroom, "oil market market", match=Match.ANY)[0][0] == "market.txt"


def test_a_pasted_text_finds_the_articles_like_it(newsroom: Path) -> None:
    pasted = ("A spokesman said the budget was late, and the office would say more. " * 40).strip()
    result = search(newsroom, SearchRequest(pasted))
    assert result.hits[0].id == "spokesman.txt"
    assert any("long query" in notice for notice in result.notices)
