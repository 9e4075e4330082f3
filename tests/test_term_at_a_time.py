"""Queries of plain words (one word, every word, any word) are scored term at a time
(engine/disjunction.py): the same articles, in the same order, with the same scores as
Whoosh's matchers give them, over several segments and deleted articles."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import write_corpus

from newsgrep.engine import postings
from newsgrep.engine.languages import branch_parts
from newsgrep.engine.ranking import best_matches, for_scoring, reranked
from newsgrep.engine.session import SearchSession
from newsgrep.indexer import run_index
from newsgrep.model import Match, SearchRequest, Sort

WORDS = [
    "oil",
    "price",
    "market",
    "bank",
    "rate",
    "trade",
    "talks",
    "grain",
    "wheat",
    "port",
    "strike",
    "union",
    "vote",
]


def story(rng: random.Random, number: int) -> str:
    title = " ".join(rng.choices(WORDS, k=3))
    body = " ".join(rng.choices(WORDS + ["the", "and", "said"], k=rng.randint(5, 60)))
    return f"Title: {title} {number}\n\n{body}.\n"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(7)
    root = tmp_path_factory.mktemp("taat")
    news = write_corpus(root / "news", {f"s{n:03}.txt": story(rng, n) for n in range(120)})
    run_index(root / "index", [news])
    for n in range(0, 120, 7):  # a second segment, and deleted articles in the first
        (news / f"s{n:03}.txt").write_text(story(rng, n + 1000), encoding="utf-8")
    (news / "s001.txt").unlink()
    run_index(root / "index")
    return root / "index"


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """English stories and German ones: a query is read in both languages."""
    rng = random.Random(11)
    root = tmp_path_factory.mktemp("taat-de")
    news = write_corpus(root / "news", {f"s{n:03}.txt": story(rng, n) for n in range(80)})
    german = [
        {"id": f"de{n}", "lang": "de", "title": f"Bericht {n}", "body": story(rng, n) + " Preise"}
        for n in range(15)
    ]
    lines = "".join(json.dumps(record) + "\n" for record in german)
    (news / "german.jsonl").write_text(lines, encoding="utf-8")
    run_index(root / "index", [news])
    return root / "index"


@pytest.mark.parametrize(
    ("text", "match", "every"),
    [
        ("oil", Match.ALL, False),
        ("price", Match.ALL, False),
        ("grain wheat", Match.ALL, True),
        ("market price", Match.ALL, True),
        ("bank rate trade", Match.ALL, True),
        ("strike union vote port", Match.ANY, False),
        ("grain wheat port", Match.ANY, False),  # a few words: coordinated
        ("market price zzqx", Match.ANY, False),  # and one no article holds
        ('"market price"', Match.ALL, False),  # phrases
        ('"port strike union"', Match.ALL, False),
        ('"talks talks price"', Match.ALL, False),  # a word twice
        ('"bank rate" trade', Match.ALL, True),
        ('"oil price" OR "grain wheat"', Match.ALL, False),
        ("ma*", Match.ALL, False),  # prefixes: the index terms they stand for
        ("tr* price", Match.ALL, True),
        ('gra* OR "bank rate"', Match.ALL, False),
    ],
)
@pytest.mark.parametrize("languages", ["english", "english and german"])
@pytest.mark.parametrize("kept", ["every article", "a few articles"])
def test_plain_words_score_as_whooshs_matchers(
    archive: Path,
    multilingual: Path,
    languages: str,
    kept: str,
    text: str,
    match: Match,
    every: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = archive if languages == "english" else multilingual
    allowed = None
    if kept == "a few articles":  # as a short date range or one language's articles
        monkeypatch.setattr(postings, "LOOKUP_RATIO", 0)  # every posting looked up
        allowed = set(range(0, 200, 3))
    with SearchSession(index) as session:
        parsed = session.parse(SearchRequest(text, match=match))
        retriever = session._retriever
        words, _ = retriever.without_dates(
            parsed.relaxed_query if match is Match.ANY else parsed.whoosh_query, None
        )
        parts = branch_parts(words)
        # Read alike in both languages (oil, grain, bank), or in two branches.
        assert parts is None or languages != "english"
        if languages != "english" and "price" in text:
            assert parts is not None and len(parts) == 2
        for reading, _, _ in parts or [(words, (), True)]:
            plain = retriever._plain_words(reading)
            assert plain is not None and plain[1] is every
        sort = SearchRequest(text).sort
        fast, fast_total = retriever.candidates(words, allowed, None, sort, None)
        searcher, stats = session._searcher, session._live_stats()
        slow, slow_total = best_matches(
            searcher,
            for_scoring(words, searcher.reader(), stats),
            limit=None,
            ordinals=session._columns.ordinals(),
            allowed=allowed,
        )
        slow = reranked(searcher, words, slow, session.ranking)  # positions from postings
        ordinals = session._columns.ordinals()
    assert fast_total == slow_total
    # Every query has matches in the English archive (the three-word phrases may have none
    # among the multilingual archive's or the few kept articles).
    assert slow_total > 0 or (languages != "english" or kept != "every article")
    # The same scores, as far as adding the same terms' scores in another order leaves
    # them (Whoosh adds an AND's clauses as a tree, term at a time one after another):
    # articles whose scores tie exactly in one may differ in the last bit in the other.
    assert ranked_alike(fast, ordinals) == ranked_alike(slow, ordinals)
    assert [round(score or 0, 9) for _, score in fast] == [round(s, 9) for _, s in slow]
    scores = [score or 0.0 for _, score in fast]
    assert scores == sorted(scores, reverse=True)


def ranked_alike(
    ranked: list[tuple[int, float | None]] | list[tuple[int, float]], ordinals: list[int]
) -> list[tuple[float, int]]:
    """The articles in order of score to 9 places, ties by ordinal."""
    return sorted((-round(score or 0.0, 9), ordinals[docnum]) for docnum, score in ranked)


@pytest.mark.parametrize("text", ["grain wheat", "market price", "bank rate trade", "price zzqx"])
@pytest.mark.parametrize("allowed", [None, set(range(0, 200, 2))])
def test_articles_with_every_word_are_counted_as_whooshs_matchers_find_them(
    multilingual: Path, text: str, allowed: set[int] | None
) -> None:
    """Whether a query is relaxed depends on how many articles have every word: counted
    without Whoosh's matchers, per language reading, the same number."""
    from newsgrep.engine.ranking import matches

    with SearchSession(multilingual) as session:
        parsed = session.parse(SearchRequest(text))
        retriever = session._retriever
        words, _ = retriever.without_dates(parsed.whoosh_query, None)
        if "price" in text:
            assert branch_parts(words) is not None  # read in English and in German
        quick = retriever._count_all_words(words, allowed, 10**6)
        found = [d for d in matches(session._searcher, words) if allowed is None or d in allowed]
    assert quick == len(found)
    assert quick is not None and (quick > 0) == ("zzqx" not in text)


@pytest.mark.parametrize("text", ["grain wheat", "market price", '"bank rate" trade', "tr* price"])
@pytest.mark.parametrize("sort", [Sort.NEWEST, Sort.OLDEST])
def test_newest_first_lists_the_articles_whooshs_matchers_find(
    multilingual: Path, text: str, sort: Sort
) -> None:
    """Sorted by date, a query's articles are found term at a time too: the same articles,
    in the same order, as Whoosh's matchers find them."""
    from newsgrep.engine.ranking import matches

    with SearchSession(multilingual) as session:
        parsed = session.parse(SearchRequest(text))
        retriever = session._retriever
        words, _ = retriever.without_dates(parsed.whoosh_query, None)
        found, total = retriever.candidates(words, None, None, sort, None)
        expected = set(matches(session._searcher, words))
    assert total == len(expected) > 0
    assert {docnum for docnum, _ in found} == expected
    assert all(score is None for _, score in found)
