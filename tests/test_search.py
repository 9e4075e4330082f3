"""Search: what a query finds, in what order, and the errors a user can make."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newsgrep.engine.session import search
from newsgrep.errors import IndexNotFoundError, QueryError
from newsgrep.model import Match, SearchRequest, Sort


def ids(index_dir: Path, query: str, **options: object) -> list[str]:
    result = search(index_dir, SearchRequest(query, **options))  # type: ignore[arg-type]
    return [hit.id for hit in result.hits]


def test_words_are_anded_by_default(built_index: Path) -> None:
    assert ids(built_index, "istanbul talks", match=Match.ALL) == ["istanbul-talks.txt"]


def test_too_few_matches_relax_to_most_words_with_a_notice(built_index: Path) -> None:
    result = search(built_index, SearchRequest("istanbul talks"))
    # Only one article has both words: it comes first, then those with one of them.
    assert [hit.id for hit in result.hits] == [
        "istanbul-talks.txt",
        "briefs.jsonl#b2",
        "undated.txt",
    ]
    assert result.total == 3
    assert result.notices == (
        "only 1 article has all the words; showing those with most of them (--all: every word)",
    )


def test_enough_matches_keep_every_word_required(built_index: Path) -> None:
    result = search(built_index, SearchRequest("istanbul talks", limit=1))
    assert [hit.id for hit in result.hits] == ["istanbul-talks.txt"]
    assert result.total == 1 and result.notices == ()


def test_all_and_any_force_the_choice(built_index: Path) -> None:
    assert search(built_index, SearchRequest("istanbul zeppelin", match=Match.ALL)).total == 0
    anyword = search(built_index, SearchRequest("istanbul zeppelin", match=Match.ANY))
    assert anyword.total == 2 and anyword.notices == ()


def test_counting_every_match_relaxes_only_when_nothing_has_every_word(built_index: Path) -> None:
    assert search(built_index, SearchRequest("istanbul talks", limit=None)).total == 1
    nothing = search(built_index, SearchRequest("istanbul zeppelin", limit=None))
    assert nothing.total == 2
    assert nothing.notices[0].startswith("no article has all the words")


@pytest.mark.parametrize(
    "query", ["istanbul talks", "istanbul zeppelin", "grain OR talks", '"peace talks"', "date:2024"]
)
def test_a_count_only_request_counts_as_a_full_one_and_makes_no_hit(
    built_index: Path, query: str
) -> None:
    full = search(built_index, SearchRequest(query, limit=None, collapse=False))
    counted = search(built_index, SearchRequest(query, limit=None, collapse=False, count_only=True))
    assert full.hits and counted.hits == ()
    assert (counted.total, counted.notices) == (full.total, full.notices)


def test_relaxing_keeps_nots_and_field_restrictions(built_index: Path) -> None:
    assert ids(built_index, "istanbul talks -thursday") == ["briefs.jsonl#b2", "undated.txt"]
    assert ids(built_index, "istanbul talks date:2025-05") == [
        "istanbul-talks.txt",
        "briefs.jsonl#b2",
    ]
    assert ids(built_index, "istanbul AND talks") == ["istanbul-talks.txt"]  # meant it


def test_or_and_not(built_index: Path) -> None:
    assert set(ids(built_index, "floods OR grain")) == {"world/floods.md", "grain.txt"}
    assert ids(built_index, "istanbul NOT mayor") == ["istanbul-talks.txt"]
    assert ids(built_index, "istanbul -mayor") == ["istanbul-talks.txt"]


def test_stemming_matches_word_forms(built_index: Path) -> None:
    assert "istanbul-talks.txt" in ids(built_index, "talk")
    assert "world/floods.md" in ids(built_index, "flooding")


def test_accent_folding_both_ways(built_index: Path) -> None:
    assert ids(built_index, "turkiye") == ["istanbul-talks.txt"]
    assert ids(built_index, "TÜRKİYE") == ids(built_index, "Türkiye") == ["istanbul-talks.txt"]


def test_phrase_needs_the_words_in_order(built_index: Path) -> None:
    assert ids(built_index, '"black sea"') == ["grain.txt"]
    assert ids(built_index, '"sea black"') == []


def test_field_queries(built_index: Path) -> None:
    assert ids(built_index, "title:istanbul", sort=Sort.OLDEST) == [
        "istanbul-talks.txt",
        "briefs.jsonl#b2",
    ]
    assert set(ids(built_index, 'source:"wire service"')) == {"grain.txt", "briefs.jsonl#b1"}
    assert ids(built_index, "tags:weather") == ["world/floods.md"]


def test_prefix_reaches_stemmed_words(built_index: Path) -> None:
    assert ids(built_index, "negotiat*") == ["istanbul-talks.txt"]
    assert "grain.txt" in ids(built_index, "shipm*")


def test_fuzzy_term_forgives_a_typo(built_index: Path) -> None:
    assert ids(built_index, "istanbl~") != []
    assert ids(built_index, "istanbl", synonyms=None) == []


def test_fuzzy_distance_two_reaches_further(built_index: Path) -> None:
    assert ids(built_index, "istnbl~", match=Match.ALL) == []
    assert set(ids(built_index, "istnbl~2", match=Match.ALL)) == {
        "istanbul-talks.txt",
        "briefs.jsonl#b2",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date:2025-05", {"istanbul-talks.txt", "briefs.jsonl#b2"}),
        ("date:[2025-04-01 TO 2025-04-30]", {"grain.txt"}),
        ("date:>2025-05-15", {"briefs.jsonl#b2"}),
        ("date:>=2025-05-15", {"istanbul-talks.txt", "briefs.jsonl#b2"}),
        ("date:<2025", {"world/floods.md"}),
        ("date:2024", {"world/floods.md"}),
    ],
)
def test_date_queries(built_index: Path, query: str, expected: set[str]) -> None:
    assert set(ids(built_index, query, limit=None)) == expected


def test_since_and_until_filter_without_changing_the_query(built_index: Path) -> None:
    assert ids(built_index, "istanbul", since="2025-05-16") == ["briefs.jsonl#b2"]
    assert ids(built_index, "istanbul", until="2025-05-15") == ["istanbul-talks.txt"]
    assert ids(built_index, "istanbul", since="2025-05", until="2025-05") != []


def test_relative_since_counts_back_from_today(built_index: Path) -> None:
    days = (dt.date.today() - dt.date(2025, 5, 20)).days
    assert ids(built_index, "istanbul", since=f"{days}d") == ["briefs.jsonl#b2"]


def test_title_match_outranks_body_match(built_index: Path) -> None:
    # "Istanbul mayor speaks" has istanbul in its title; the talks article only in its body
    # and title... both have it in the title, so compare on a word in one title only.
    assert ids(built_index, "grain")[0] == "grain.txt"
    assert ids(built_index, "floods")[0] == "world/floods.md"


def test_sort_newest_and_oldest_put_undated_last(built_index: Path) -> None:
    newest = ids(built_index, "talk OR grain OR rate OR column", sort=Sort.NEWEST, limit=None)
    oldest = ids(built_index, "talk OR grain OR rate OR column", sort=Sort.OLDEST, limit=None)
    assert newest == ["istanbul-talks.txt", "grain.txt", "briefs.jsonl#b1", "undated.txt"]
    assert oldest == ["briefs.jsonl#b1", "grain.txt", "istanbul-talks.txt", "undated.txt"]


def test_sorted_hits_have_no_score(built_index: Path) -> None:
    result = search(built_index, SearchRequest("istanbul", sort=Sort.NEWEST))
    assert [hit.score for hit in result.hits] == [None, None]


def test_limit_offset_and_total(built_index: Path) -> None:
    everything = ids(built_index, "istanbul OR grain OR floods", limit=None)
    assert len(everything) == 4
    page = search(built_index, SearchRequest("istanbul OR grain OR floods", limit=2, offset=1))
    assert [hit.id for hit in page.hits] == everything[1:3]
    assert [hit.rank for hit in page.hits] == [2, 3]
    assert page.total == 4


def test_hit_carries_the_article_fields(built_index: Path) -> None:
    (hit,) = search(built_index, SearchRequest("wheat")).hits
    assert hit.title == "Grain exports recover"
    assert hit.date == dt.datetime(2025, 4, 2)
    assert hit.source == "Wire Service"
    assert hit.url == "https://example.org/grain"
    assert hit.path.endswith("news/grain.txt")
    assert hit.score is not None and hit.score > 0


def test_title_spans_mark_the_matched_words(built_index: Path) -> None:
    (hit,) = search(built_index, SearchRequest("exports")).hits
    assert [hit.title[s:e] for s, e in hit.title_spans] == ["exports"]


def test_snippet_marks_stemmed_and_folded_variants(built_index: Path) -> None:
    (hit,) = search(built_index, SearchRequest("talk turkiye", match=Match.ALL)).hits
    snippet = hit.snippets[0]
    assert [snippet.text[s:e] for s, e in snippet.spans] == ["talks", "Türkiye"]


def test_negated_words_are_not_highlighted(built_index: Path) -> None:
    (hit,) = search(built_index, SearchRequest("istanbul -mayor NOT wheat")).hits
    marked = {hit.snippets[0].text[s:e].lower() for s, e in hit.snippets[0].spans}
    assert marked == {"istanbul"}


def test_no_match_is_an_empty_result_not_an_error(built_index: Path) -> None:
    result = search(built_index, SearchRequest("zeppelin"))
    assert result.total == 0 and result.hits == ()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ("the of and", "no words to search for"),
        ("title:", "'title:' has no value"),
        ("istanbul date:2025-13", "cannot read '2025-13' as a date"),
        ("date:[banana TO 2025]", "cannot read 'banana' as a date"),
    ],
)
def test_queries_that_cannot_run_say_why(built_index: Path, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        search(built_index, SearchRequest(query))


def test_bad_since_is_a_query_error(built_index: Path) -> None:
    with pytest.raises(QueryError, match="cannot read 'soon' as a date"):
        search(built_index, SearchRequest("istanbul", since="soon"))


def test_unknown_field_is_searched_as_words_with_a_notice(built_index: Path) -> None:
    result = search(built_index, SearchRequest("auther:istanbul"))
    assert result.total == 0 or result.hits  # the words are still searched
    assert any("'auther:' is not a field" in notice for notice in result.notices)


def test_times_are_not_taken_for_fields(built_index: Path) -> None:
    notices = search(built_index, SearchRequest("10:30 istanbul")).notices
    assert not any("is not a field" in notice for notice in notices)


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="no index at") as raised:
        search(tmp_path / "nowhere", SearchRequest("istanbul"))
    assert raised.value.hint == "run: newsgrep index seeds/"


def test_a_title_made_from_the_first_sentence_is_not_weighted_as_a_title(
    tmp_path: Path, index_dir: Path
) -> None:
    from conftest import write_corpus

    from newsgrep.indexer import run_index

    files = {
        # Both mention the harbour once in the body; only b has it in a real headline.
        "a.txt": "The harbour was quiet on Monday. Fishing boats stayed in port all week.\n",
        "b.txt": "Harbour news\n\nFishing boats stayed in the harbour all week, it was quiet.\n",
    }
    run_index(index_dir, [write_corpus(tmp_path / "n", files)])
    result = search(index_dir, SearchRequest("harbour"))
    assert [hit.id for hit in result.hits] == ["b.txt", "a.txt"]
    # The made-up title is still shown, and its words still marked.
    shown = {hit.id: hit for hit in result.hits}["a.txt"]
    assert shown.title == "The harbour was quiet on Monday."
    assert [shown.title[s:e] for s, e in shown.title_spans] == ["harbour"]


def test_long_relaxed_queries_drop_function_words_short_ones_keep_them() -> None:
    from newsgrep.engine.query import parse, plain_words
    from newsgrep.engine.schema import build_schema

    schema = build_schema()
    long_query = parse("which countries would have expected a larger wheat harvest", schema)
    assert plain_words(long_query.relaxed_query) == [
        "countri",
        "expect",
        "larger",
        "wheat",
        "harvest",
    ]
    assert "would" in plain_words(long_query.whoosh_query)  # every word, when all are found
    short = parse("which wheat", schema)
    assert plain_words(short.relaxed_query) == ["which", "wheat"]
