"""Reading article files: `.txt`, `.md` and `.json`/`.jsonl`, and the bad input around them.

Inputs are built as bytes in each test so that every case shows exactly what a user's file
holds; the one real file read from disk is the sample in seeds/.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import pytest

from newsgrep.formats import ArticleFileError, parse_article_file
from newsgrep.formats.common import (
    DERIVED_TITLE_MAX_CHARS,
    HEADLINE_MAX_CHARS,
    clean_text,
    first_sentence,
    split_title,
)
from newsgrep.formats.decoding import decode_text
from newsgrep.model import Article, ParsedFile, Skipped

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_b1dc0ce216a6a2fc.txt"


def parse(name: str, content: str | bytes) -> ParsedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return parse_article_file(name, data)


def only_article(name: str, content: str | bytes) -> Article:
    parsed = parse(name, content)
    assert len(parsed.articles) == 1, parsed
    return parsed.articles[0]


def parse_error(name: str, content: str | bytes) -> str:
    with pytest.raises(ArticleFileError) as caught:
        parse(name, content)
    message = str(caught.value)
    assert message and "\n" not in message, f"reason should be one line: {message!r}"
    return message


def jsonl(*records: object) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


# --- the sample article in seeds/ -------------------------------------------------------


def test_seed_sample_parses_with_its_leading_date() -> None:
    parsed = parse_article_file(SEED.name, SEED.read_bytes())

    assert parsed.skipped == [] and parsed.notes == []
    [article] = parsed.articles
    assert article.record == ""
    assert article.date == dt.datetime(2025, 5, 15)


def test_seed_sample_title_is_the_start_of_its_first_sentence() -> None:
    article = only_article(SEED.name, SEED.read_bytes())

    first = "Top officials from Russia and Ukraine are all set to meet face-to-face in Istanbul"
    assert article.title.startswith(first)
    assert article.title.endswith("…")
    assert len(article.title) <= DERIVED_TITLE_MAX_CHARS + 1
    assert article.body.startswith(article.title[:-1])


def test_seed_sample_body_keeps_all_text_but_not_the_date_prefix() -> None:
    article = only_article(SEED.name, SEED.read_bytes())

    assert not article.body.startswith("date")
    assert "2025-05-15" not in article.body
    assert article.body.startswith("Top officials from Russia")
    assert article.body.endswith("in the Istanbul meeting proves this point.")
    assert "Sergei Markov, a leading Russian academic" in article.body


# --- .txt: the leading `date YYYY-MM-DD` --------------------------------------------------


def test_txt_date_prefix_on_its_own_line_then_headline() -> None:
    article = only_article("a.txt", "date 2025-05-15\nPeace talks open\n\nDelegations met.\n")

    assert article.date == dt.datetime(2025, 5, 15)
    assert article.title == "Peace talks open"
    assert article.body == "Delegations met."


def test_txt_date_prefix_on_the_same_line_as_the_text() -> None:
    article = only_article("a.txt", "date 2025-05-15 Delegations met. Talks began.")

    assert article.date == dt.datetime(2025, 5, 15)
    assert article.title == "Delegations met."
    assert article.body == "Delegations met. Talks began."


@pytest.mark.parametrize("lead", [" ", "  \t", "\n", "\n\n  "])
def test_txt_date_prefix_may_follow_whitespace(lead: str) -> None:
    article = only_article("a.txt", f"{lead}date 2025-05-15\nHeadline\n\nBody text.")

    assert article.date == dt.datetime(2025, 5, 15)
    assert article.title == "Headline"


def test_txt_date_prefix_is_case_insensitive() -> None:
    assert only_article("a.txt", "Date 2025-05-15 Body. More.").date == dt.datetime(2025, 5, 15)


def test_txt_date_prefix_followed_by_blank_lines_and_headline() -> None:
    article = only_article("a.txt", "date 2025-05-15\n\n\nHeadline\n\nBody text.")

    assert (article.date, article.title, article.body) == (
        dt.datetime(2025, 5, 15),
        "Headline",
        "Body text.",
    )


@pytest.mark.parametrize(
    "text",
    ["Updated 2025-05-15\nBody. More.", "date 2025-05-1\nBody. More.", "x date 2025-05-15 B."],
)
def test_txt_text_that_is_not_a_date_prefix_stays_text(text: str) -> None:
    article = only_article("a.txt", text)

    assert article.date is None
    assert article.body == text


def test_txt_impossible_date_prefix_is_a_note_not_an_error() -> None:
    parsed = parse("a.txt", "date 2025-13-45\nHeadline\n\nBody text.")

    [article] = parsed.articles
    assert article.date is None
    assert article.title == "Headline"
    assert parsed.notes == ["unreadable date '2025-13-45' ignored"]


@pytest.mark.parametrize("text", ["date 2025-05-15", "date 2025-05-15\n\n  \n"])
def test_txt_with_only_a_date_prefix_has_no_article(text: str) -> None:
    assert parse_error("a.txt", text) == "no title and no text"


# --- .txt: plain text and its title -------------------------------------------------------


def test_txt_plain_text_without_header() -> None:
    article = only_article("a.txt", "Grain shipments rose in March. Prices fell.\n")

    assert article == Article(
        record="",
        title="Grain shipments rose in March.",
        body="Grain shipments rose in March. Prices fell.",
        title_from_body=True,
        encoding="utf-8",
    )


def test_headline_and_given_titles_are_real_titles() -> None:
    assert not only_article("a.txt", "Grain exports recover\n\nShipments rose.\n").title_from_body
    assert not only_article("a.txt", "Title: Grain\n\nShipments rose.\n").title_from_body


def test_txt_short_first_line_before_blank_line_is_the_headline() -> None:
    article = only_article("a.txt", "Grain exports recover\n\nShipments rose. Prices fell.\n")

    assert article.title == "Grain exports recover"
    assert article.body == "Shipments rose. Prices fell."


def test_txt_first_line_without_blank_line_is_not_a_headline() -> None:
    article = only_article("a.txt", "First line\nsecond line. More text.")

    assert article.title == "First line second line."
    assert article.body == "First line\nsecond line. More text."


@pytest.mark.parametrize("blank", ["\n", " \n", "\t\n"])
def test_txt_headline_blank_line_may_hold_a_space(blank: str) -> None:
    article = only_article("a.txt", f"Headline\n{blank}Body text.")

    assert (article.title, article.body) == ("Headline", "Body text.")


def test_txt_headline_blank_line_with_several_spaces() -> None:
    article = only_article("a.txt", "Headline\n   \nBody text.")

    assert (article.title, article.body) == ("Headline", "Body text.")


def test_txt_headline_up_to_the_limit_is_kept_whole() -> None:
    headline = "H" * HEADLINE_MAX_CHARS
    article = only_article("a.txt", f"{headline}\n\nBody text.")

    assert (article.title, article.body) == (headline, "Body text.")


def test_txt_too_long_first_line_is_not_a_headline() -> None:
    first = "word " * 31 + "end"  # 158 characters, no sentence end
    assert len(first) > HEADLINE_MAX_CHARS
    article = only_article("a.txt", f"{first}\n\nBody text.")

    assert article.title.endswith("…")
    assert len(article.title) <= DERIVED_TITLE_MAX_CHARS + 1
    assert article.body == f"{first}\n\nBody text."


def test_txt_long_first_sentence_title_is_trimmed_at_a_word() -> None:
    sentence = " ".join(f"word{n}" for n in range(40)) + "."
    article = only_article("a.txt", sentence + " Second sentence.")

    assert article.title.endswith("…")
    assert len(article.title) <= DERIVED_TITLE_MAX_CHARS + 1
    assert sentence.startswith(article.title[:-1] + " ")
    assert article.body == sentence + " Second sentence."


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Dr. Smith went to Washington. He spoke.", "Dr. Smith went to Washington."),
        ("Mrs. Jones met St. John. Then left.", "Mrs. Jones met St. John."),
        ("The U.S. economy grew. Then it shrank.", "The U.S. economy grew."),
        ("Prices rose 3.5 percent. Analysts said so.", "Prices rose 3.5 percent."),
        ('He said "Stop." Then he left.', 'He said "Stop."'),
        ("Is it over? Yes it is.", "Is it over?"),
        ("no sentence end here at all", "no sentence end here at all"),
    ],
)
def test_txt_title_is_the_first_sentence(text: str, title: str) -> None:
    assert only_article("a.txt", text).title == title


# --- .txt: the header block ---------------------------------------------------------------


def test_txt_header_block_gives_all_fields() -> None:
    article = only_article(
        "a.txt",
        "Title: Grain exports recover\n"
        "Date: 2025-04-02\n"
        "Source: Wire Service\n"
        "URL: https://example.org/grain\n"
        "Tags: trade, grain\n"
        "\n"
        "Grain shipments rose in March. Prices fell.\n",
    )

    assert article == Article(
        record="",
        title="Grain exports recover",
        body="Grain shipments rose in March. Prices fell.",
        date=dt.datetime(2025, 4, 2),
        source="Wire Service",
        url="https://example.org/grain",
        tags=("trade", "grain"),
        encoding="utf-8",
    )


def test_txt_header_keys_are_case_insensitive_and_may_be_partial() -> None:
    article = only_article("a.txt", "SOURCE: Wire\ntitle : Lower case\n\nBody text.")

    assert (article.title, article.source, article.body) == ("Lower case", "Wire", "Body text.")


def test_txt_header_without_title_takes_the_headline_rule() -> None:
    article = only_article("a.txt", "Source: Wire\n\nHeadline\n\nBody text. More.")

    assert (article.title, article.body, article.source) == ("Headline", "Body text. More.", "Wire")


def test_txt_header_ends_at_the_first_line_that_is_not_a_header() -> None:
    article = only_article("a.txt", "Title: T\nSummary: not a header\n\nBody.")

    assert article.title == "T"
    assert article.body == "Summary: not a header\n\nBody."


def test_txt_header_with_a_date_prefix_before_it() -> None:
    article = only_article("a.txt", "date 2025-05-15\nTitle: T\nSource: S\n\nBody.")

    assert (article.date, article.title, article.source) == (dt.datetime(2025, 5, 15), "T", "S")


def test_txt_header_tags_are_trimmed_and_deduplicated() -> None:
    article = only_article("a.txt", "Title: T\nTags: a,  b ,, a\n\nBody.")

    assert article.tags == ("a", "b")


def test_txt_header_only_file_has_title_and_empty_body() -> None:
    article = only_article("a.txt", "Title: Just a headline\n")

    assert (article.title, article.body) == ("Just a headline", "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("May 15, 2025", dt.datetime(2025, 5, 15)),
        ("Thu, 15 May 2025 10:00:00 +0200", dt.datetime(2025, 5, 15, 8, 0)),
        ("15.05.2025", dt.datetime(2025, 5, 15)),
    ],
)
def test_txt_header_date_in_other_forms(value: str, expected: dt.datetime) -> None:
    assert only_article("a.txt", f"Title: T\nDate: {value}\n\nBody.").date == expected


def test_txt_unreadable_header_date_is_a_note_not_an_error() -> None:
    parsed = parse("a.txt", "Title: T\nDate: last Tuesday\n\nBody.")

    [article] = parsed.articles
    assert (article.title, article.date) == ("T", None)
    assert parsed.notes == ["unreadable date 'last Tuesday' ignored"]


def test_txt_header_date_in_august() -> None:
    parsed = parse("a.txt", "Title: T\nDate: August 15, 2025\n\nBody.")

    assert parsed.articles[0].date == dt.datetime(2025, 8, 15)
    assert parsed.notes == []


# --- .md ----------------------------------------------------------------------------------


def test_md_front_matter_gives_all_fields() -> None:
    article = only_article(
        "floods.md",
        "---\n"
        "title: Floods in the valley\n"
        "date: 2024-11-20\n"
        "source: Daily Planet\n"
        "url: https://example.org/floods\n"
        "tags: [weather, europe]\n"
        "---\n"
        "Heavy rain flooded the valley. Residents left.\n",
    )

    assert article == Article(
        record="",
        title="Floods in the valley",
        body="Heavy rain flooded the valley. Residents left.",
        date=dt.datetime(2024, 11, 20),
        source="Daily Planet",
        url="https://example.org/floods",
        tags=("weather", "europe"),
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ("[weather, europe]", ("weather", "europe")),
        ("weather, europe", ("weather", "europe")),
        ('"weather,europe"', ("weather", "europe")),
        ("\n  - weather\n  - europe", ("weather", "europe")),
        ("[a, '', ' b ', a]", ("a", "b")),
        ("weather", ("weather",)),
    ],
)
def test_md_tags_as_list_or_comma_string(tags: str, expected: tuple[str, ...]) -> None:
    article = only_article("a.md", f"---\ntitle: T\ntags: {tags}\n---\nBody.")

    assert article.tags == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-20", dt.datetime(2024, 11, 20)),
        ("2024-11-20 10:30:00", dt.datetime(2024, 11, 20, 10, 30)),
        ("2024-11-20T10:00:00+02:00", dt.datetime(2024, 11, 20, 8, 0)),
        ("2024-11-20T10:00:00Z", dt.datetime(2024, 11, 20, 10, 0)),
        ("May 15, 2025", dt.datetime(2025, 5, 15)),
        ('"2025-05-15"', dt.datetime(2025, 5, 15)),
    ],
)
def test_md_front_matter_dates(value: str, expected: dt.datetime) -> None:
    article = only_article("a.md", f"---\ntitle: T\ndate: {value}\n---\nBody.")

    assert article.date == expected
    assert article.date.tzinfo is None


def test_md_front_matter_keys_are_case_insensitive() -> None:
    article = only_article("a.md", "---\nTitle: T\nDate: 2025-05-15\nSOURCE: S\n---\nBody.")

    assert (article.title, article.date, article.source) == ("T", dt.datetime(2025, 5, 15), "S")


def test_md_unreadable_front_matter_date_is_a_note() -> None:
    parsed = parse("a.md", "---\ntitle: T\ndate: sometime soon\n---\nBody.")

    assert parsed.articles[0].date is None
    assert parsed.notes == ["unreadable date 'sometime soon' ignored"]


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13-01"])
def test_md_impossible_front_matter_date_is_a_note(value: str) -> None:
    parsed = parse("a.md", f"---\ntitle: T\ndate: {value}\n---\nBody.")

    assert parsed.articles[0].date is None
    assert parsed.notes == [f"unreadable date '{value}' ignored"]


def test_md_heading_is_the_title_without_front_matter() -> None:
    article = only_article("a.md", "# Floods in the valley\n\nHeavy rain fell. Rivers rose.\n")

    assert (article.title, article.body) == (
        "Floods in the valley",
        "Heavy rain fell. Rivers rose.",
    )


def test_md_heading_is_the_title_when_front_matter_has_none() -> None:
    article = only_article("a.md", "---\ndate: 2025-01-01\n---\n## Floods ##\n\nHeavy rain.")

    assert (article.title, article.body) == ("Floods", "Heavy rain.")
    assert article.date == dt.datetime(2025, 1, 1)


def test_md_heading_stays_in_body_when_front_matter_has_a_title() -> None:
    article = only_article("a.md", "---\ntitle: From front matter\n---\n# Heading\n\nText.")

    assert article.title == "From front matter"
    assert article.body == "# Heading\n\nText."


def test_md_heading_keeps_a_hash_inside_its_text() -> None:
    assert only_article("a.md", "# Issue #42 closed\n\nText.").title == "Issue #42 closed"


def test_md_heading_ending_in_a_hash_that_is_part_of_a_word() -> None:
    assert only_article("a.md", "# Learn C#\n\nText.").title == "Learn C#"


def test_md_hash_without_space_is_not_a_heading() -> None:
    article = only_article("a.md", "#hashtag trending\n\nText.")

    assert article.title == "#hashtag trending"


def test_md_plain_text_takes_the_txt_title_rules() -> None:
    article = only_article("a.markdown", "Plain markdown text. Second sentence.")

    assert (article.title, article.body) == (
        "Plain markdown text.",
        "Plain markdown text. Second sentence.",
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("---\n---\nBody. More.", "Body."),
        ("---\n# only a comment\n---\nBody. More.", "Body."),
        ("--- \ntitle: T\n--- \nBody. More.", "T"),
        ("---\ntitle: T\n...\nBody. More.", "T"),
        ("---\r\ntitle: T\r\n---\r\nBody. More.", "T"),
    ],
    ids=["empty", "comment-only", "trailing-spaces", "dots-close", "crlf"],
)
def test_md_front_matter_variants_that_are_well_formed(text: str, title: str) -> None:
    article = only_article("a.md", text)

    assert (article.title, article.body) == (title, "Body. More.")


def test_md_front_matter_only_gives_an_article_with_empty_body() -> None:
    article = only_article("a.md", "---\ntitle: T\n---")

    assert (article.title, article.body) == ("T", "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: [unclosed\n---\nBody.", "malformed front matter (line 3):"),
        ("---\na: b\n  c: d\n---\nBody.", "malformed front matter (line 3):"),
        ("---\ntitle: T\nBody without a closing line.", "malformed front matter: no closing"),
        ("---\n- a\n- b\n---\nBody.", "malformed front matter: expected 'key: value' lines"),
        ("---\njust a string\n---\nBody.", "malformed front matter: expected 'key: value' lines"),
        ("---\nx: !!python/object:os.system y\n---\nB.", "malformed front matter (line 2):"),
    ],
    ids=["bad-yaml", "bad-indent", "no-closing", "list", "scalar", "unsafe-tag"],
)
def test_md_malformed_front_matter_is_a_file_error(text: str, reason: str) -> None:
    assert parse_error("a.md", text).startswith(reason)


def test_md_front_matter_title_without_any_text_is_still_an_article() -> None:
    article = only_article("a.md", "---\ntitle: Only a title\n---\n\n")

    assert (article.title, article.body) == ("Only a title", "")


def test_md_front_matter_without_title_or_text_is_a_file_error() -> None:
    assert parse_error("a.md", "---\nsource: S\n---\n") == "no title and no text"


# --- .json ---------------------------------------------------------------------------------


def test_json_single_object_gives_all_fields_and_an_empty_record() -> None:
    record = {
        "title": "Central bank holds rates",
        "date": "2025-03-01T09:30:00Z",
        "body": "The bank kept rates unchanged. Inflation eased.",
        "source": "Wire Service",
        "url": "https://example.org/rates",
        "tags": ["economy", "banks"],
    }
    parsed = parse("a.json", json.dumps(record))

    assert parsed.skipped == [] and parsed.notes == []
    assert parsed.articles == [
        Article(
            record="",
            title="Central bank holds rates",
            body="The bank kept rates unchanged. Inflation eased.",
            date=dt.datetime(2025, 3, 1, 9, 30),
            source="Wire Service",
            url="https://example.org/rates",
            tags=("economy", "banks"),
            encoding="utf-8",
        )
    ]


@pytest.mark.parametrize(("raw_id", "record"), [("abc", "#abc"), (7, "#7"), (" x ", "#x")])
def test_json_single_object_with_an_id_is_named_by_it(raw_id: object, record: str) -> None:
    article = only_article("a.json", json.dumps({"id": raw_id, "title": "T"}))

    assert article.record == record


@pytest.mark.parametrize("raw_id", [None, "", "   ", True, ["x"]])
def test_json_single_object_with_an_unusable_id_has_an_empty_record(raw_id: object) -> None:
    assert only_article("a.json", json.dumps({"id": raw_id, "title": "T"})).record == ""


@pytest.mark.parametrize("key", ["body", "text", "content"])
def test_json_body_may_be_called_body_text_or_content(key: str) -> None:
    article = only_article("a.json", json.dumps({"title": "T", key: "Words here."}))

    assert article.body == "Words here."


def test_json_first_non_blank_body_key_wins() -> None:
    record = {"title": "T", "body": "", "text": "  ", "content": "The content."}

    assert only_article("a.json", json.dumps(record)).body == "The content."


def test_json_without_title_takes_the_first_sentence_and_keeps_the_body() -> None:
    article = only_article("a.json", json.dumps({"body": "First sentence here. Second."}))

    assert (article.title, article.body) == ("First sentence here.", "First sentence here. Second.")


def test_json_tags_as_comma_string() -> None:
    article = only_article("a.json", json.dumps({"title": "T", "tags": "a, b,,c, a"}))

    assert article.tags == ("a", "b", "c")


def test_json_list_records_are_numbered_by_position() -> None:
    parsed = parse("a.json", json.dumps([{"title": "A"}, {"title": "B"}, {"title": "C"}]))

    assert [(a.record, a.title) for a in parsed.articles] == [("#1", "A"), ("#2", "B"), ("#3", "C")]


def test_json_list_of_one_record_is_still_numbered() -> None:
    assert only_article("a.json", json.dumps([{"title": "A"}])).record == "#1"


def test_json_list_records_with_ids_are_named_by_them() -> None:
    parsed = parse("a.json", json.dumps([{"id": "b1", "title": "A"}, {"title": "B"}]))

    assert [a.record for a in parsed.articles] == ["#b1", "#2"]


def test_json_duplicate_ids_in_a_file_stay_distinct() -> None:
    records = [{"id": "x", "title": "A"}, {"id": "x", "title": "B"}, {"id": "x", "title": "C"}]
    parsed = parse("a.json", json.dumps(records))

    ids = [a.record for a in parsed.articles]
    assert ids[0] == "#x"
    assert len(set(ids)) == 3
    assert all(record.startswith("#x") for record in ids)


def test_json_positional_record_does_not_collide_with_an_explicit_id() -> None:
    parsed = parse("a.json", json.dumps([{"id": "2", "title": "A"}, {"title": "B"}]))

    records = [a.record for a in parsed.articles]
    assert len(set(records)) == 2, records


def test_json_duplicate_id_suffix_does_not_collide_with_an_explicit_id() -> None:
    records = [{"id": "x@3", "title": "A"}, {"id": "x", "title": "B"}, {"id": "x", "title": "C"}]
    parsed = parse("a.json", json.dumps(records))

    ids = [a.record for a in parsed.articles]
    assert len(set(ids)) == 3, ids


def test_json_non_object_records_in_a_list_are_skipped() -> None:
    parsed = parse("a.json", json.dumps([{"title": "A"}, 3, "text", None, ["x"]]))

    assert [a.title for a in parsed.articles] == ["A"]
    assert parsed.skipped == [Skipped(f"record {n}", "not a JSON object") for n in (2, 3, 4, 5)]


def test_json_empty_object_in_a_list_is_skipped() -> None:
    parsed = parse("a.json", json.dumps([{"title": "A"}, {}]))

    assert [a.title for a in parsed.articles] == ["A"]
    assert parsed.skipped == [Skipped("record 2", "no title and no text")]


def test_json_single_empty_object_skips_the_file() -> None:
    with pytest.raises(ArticleFileError, match=r"^no articles in file \(no title and no text\)$"):
        parse("a.json", "{}")


def test_json_record_with_only_tags_is_skipped() -> None:
    parsed = parse("a.json", json.dumps([{"tags": ["a"]}, {"title": "kept"}]))

    assert [a.title for a in parsed.articles] == ["kept"]
    assert parsed.skipped == [Skipped("record 1", "no title and no text")]


def test_json_file_whose_every_record_is_bad_is_skipped_whole() -> None:
    with pytest.raises(ArticleFileError, match=r"no articles in file \(record 1: no title"):
        parse("a.json", json.dumps([{"tags": ["a"]}]))


@pytest.mark.parametrize(
    "stub",
    [
        {"id": "s1"},
        {"date": "2025-05-15"},
        {"id": "s1", "date": "2025-05-15"},
        {"source": "Wire"},
        {"url": "https://example.org/x"},
    ],
)
def test_json_archive_stub_without_title_or_body_is_an_article(stub: dict[str, str]) -> None:
    parsed = parse("a.json", json.dumps([stub]))

    assert parsed.skipped == []
    [article] = parsed.articles
    assert (article.title, article.body) == ("", "")
    assert article.record == (f"#{stub['id']}" if "id" in stub else "#1")


def test_json_archive_stub_keeps_its_date() -> None:
    article = only_article("a.json", json.dumps({"id": "s1", "date": "2025-05-15"}))

    assert (article.record, article.date) == ("#s1", dt.datetime(2025, 5, 15))


def test_json_non_string_fields_are_read_as_text_or_ignored() -> None:
    article = only_article("a.json", json.dumps({"title": 2025, "body": ["x"], "source": 1.5}))

    assert (article.title, article.body, article.source) == ("2025", "", "1.5")


@pytest.mark.parametrize(
    "text",
    ['{"title": "A",', "[1, 2", "not json at all", '{"a": 1} {"b": 2}'],
)
def test_json_malformed_file_is_a_file_error(text: str) -> None:
    assert parse_error("a.json", text).startswith("invalid JSON: ")


def test_json_malformed_file_error_says_where() -> None:
    assert "(line 2, column" in parse_error("a.json", '{\n  "title" "A"\n}')


def test_json_empty_list_is_a_file_error() -> None:
    assert parse_error("a.json", "[]") == "no articles in file"


def test_json_unreadable_record_date_is_a_note_naming_the_record() -> None:
    parsed = parse("a.json", json.dumps([{"title": "A"}, {"title": "B", "date": "soon"}]))

    assert [a.date for a in parsed.articles] == [None, None]
    assert parsed.notes == ["record 2: unreadable date 'soon' ignored"]


def test_json_numeric_date_is_a_note() -> None:
    parsed = parse("a.json", json.dumps({"title": "A", "date": 1715760000}))

    assert parsed.articles[0].date is None
    assert parsed.notes == ["unreadable date '1715760000' ignored"]


def test_json_null_date_is_no_date_and_no_note() -> None:
    parsed = parse("a.json", json.dumps({"title": "A", "date": None}))

    assert (parsed.articles[0].date, parsed.notes) == (None, [])


# --- .jsonl / .ndjson ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["briefs.jsonl", "briefs.ndjson", "BRIEFS.JSONL"])
def test_jsonl_one_article_per_line(name: str) -> None:
    parsed = parse(
        name,
        jsonl(
            {"id": "b1", "title": "Central bank holds rates", "date": "2025-03-01"},
            {"id": "b2", "title": "Istanbul mayor speaks", "body": "Housing."},
        ),
    )

    assert [(a.record, a.title, a.date) for a in parsed.articles] == [
        ("#b1", "Central bank holds rates", dt.datetime(2025, 3, 1)),
        ("#b2", "Istanbul mayor speaks", None),
    ]


def test_jsonl_records_without_id_are_named_by_line_counting_blank_lines() -> None:
    parsed = parse("a.jsonl", '{"title": "A"}\n\n   \n{"title": "B"}\n')

    assert [a.record for a in parsed.articles] == ["#1", "#4"]


def test_jsonl_bad_line_is_skipped_and_the_rest_kept() -> None:
    parsed = parse("a.jsonl", '{"title": "A"}\n{bad json\n{"title": "C"}\n')

    assert [(a.record, a.title) for a in parsed.articles] == [("#1", "A"), ("#3", "C")]
    [skipped] = parsed.skipped
    assert skipped.where == "line 2"
    assert skipped.reason.startswith("invalid JSON: ")


def test_jsonl_non_object_and_empty_lines_are_skipped() -> None:
    parsed = parse("a.jsonl", '[1]\n"text"\n{}\n{"title": "D"}\n')

    assert [a.title for a in parsed.articles] == ["D"]
    assert parsed.skipped == [
        Skipped("line 1", "not a JSON object"),
        Skipped("line 2", "not a JSON object"),
        Skipped("line 3", "no title and no text"),
    ]


def test_jsonl_with_only_bad_lines_is_skipped_whole_naming_the_first() -> None:
    with pytest.raises(ArticleFileError, match=r"no articles in file \(line 1: invalid JSON"):
        parse("a.jsonl", "{bad\n{worse\n")


def test_jsonl_duplicate_ids_stay_distinct() -> None:
    parsed = parse("a.jsonl", jsonl(*({"id": "z", "title": t} for t in "ABC")))

    ids = [a.record for a in parsed.articles]
    assert ids[0] == "#z"
    assert len(set(ids)) == 3


def test_jsonl_unreadable_date_note_names_the_line() -> None:
    parsed = parse("a.jsonl", jsonl({"title": "A"}, {"title": "B", "date": "31/31/2025"}))

    assert parsed.notes == ["line 2: unreadable date '31/31/2025' ignored"]


def test_jsonl_with_crlf_line_ends() -> None:
    parsed = parse("a.jsonl", b'{"title": "A"}\r\n{"title": "B"}\r\n')

    assert [(a.record, a.title) for a in parsed.articles] == [("#1", "A"), ("#2", "B")]
    assert parsed.skipped == []


# --- which files, and bytes that are not text ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "suffix"),
    [("a.pdf", "'.pdf'"), ("README", "'(none)'"), ("a.tar", "'.tar'"), ("a.txt.bak", "'.bak'")],
)
def test_unsupported_suffix_is_a_file_error(name: str, suffix: str) -> None:
    assert parse_error(name, "Some text.") == f"unsupported file type {suffix}"


@pytest.mark.parametrize("name", ["A.TXT", "a.Md", "a.MARKDOWN", "a.Json", "a.NDJSON"])
def test_suffix_is_case_insensitive(name: str) -> None:
    content = '{"title": "T"}' if "json" in name.lower() else "Title text. More."
    assert parse(name, content).articles


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\n\t \r\n"])
@pytest.mark.parametrize("name", ["a.txt", "a.md", "a.json", "a.jsonl"])
def test_empty_or_whitespace_only_file_is_a_file_error(name: str, data: bytes) -> None:
    assert parse_error(name, data) == "empty file"


@pytest.mark.parametrize(
    "data", [b"abc\x00def. More.", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\x00" * 10 + b"x"]
)
def test_binary_file_is_a_file_error(data: bytes) -> None:
    assert parse_error("a.txt", data) == "binary file (contains NUL bytes)"


def test_cp1252_file_is_decoded_with_a_note() -> None:
    parsed = parse("a.txt", "“Café” au lait – très bien. Second.".encode("cp1252"))

    assert parsed.articles[0].title == "“Café” au lait – très bien."
    assert parsed.notes == ["decoded as cp1252 (guessed)"]


def test_utf8_file_has_no_encoding_note() -> None:
    parsed = parse("a.txt", "Café in Türkiye. Second.")

    assert parsed.notes == []
    assert parsed.articles[0].title == "Café in Türkiye."


@pytest.mark.parametrize(
    ("declaration", "encoding", "text"),
    [
        ("charset=iso-8859-7", "iso8859-7", "Καλημέρα κόσμε. Δεύτερη πρόταση."),
        ("# -*- coding: koi8-r -*-", "koi8-r", "Привет мир. Второе предложение."),
        ('<meta charset="windows-1251">', "cp1251", "Привет мир. Второе."),
    ],
)
def test_declared_encoding_is_used_when_bytes_are_not_utf8(
    declaration: str, encoding: str, text: str
) -> None:
    parsed = parse("a.txt", (declaration + "\n\n" + text).encode(encoding))

    assert parsed.notes == [f"decoded as {encoding} (declared)"]
    assert parsed.articles[0].encoding == encoding
    assert parsed.articles[0].body.endswith(text)


def test_declared_encoding_in_markdown_front_matter() -> None:
    data = "---\ntitle: Новости\nencoding: koi8-r\n---\nПривет мир.".encode("koi8-r")
    parsed = parse("a.md", data)

    assert (parsed.articles[0].title, parsed.articles[0].body) == ("Новости", "Привет мир.")
    assert parsed.notes == ["decoded as koi8-r (declared)"]


def test_declared_encoding_is_ignored_when_bytes_are_utf8() -> None:
    parsed = parse("a.txt", "charset=iso-8859-7\n\nΚαλημέρα κόσμε.")

    assert parsed.notes == []
    assert parsed.articles[0].body.endswith("Καλημέρα κόσμε.")


@pytest.mark.parametrize("declaration", ["charset=nonsense", "coding: utf-8", "coding: hex"])
def test_unusable_declared_encoding_falls_back_to_cp1252(declaration: str) -> None:
    parsed = parse("a.txt", (declaration + "\n\nCafé crème.").encode("cp1252"))

    assert parsed.notes == ["decoded as cp1252 (guessed)"]
    assert parsed.articles[0].body.endswith("Café crème.")


@pytest.mark.parametrize(
    "data",
    [b"\x81\x8d\x8f\x90\x9d", b"abc \x01\x02 \xff text", b"\xe9\xe8\x1b[0m colour"],
    ids=["undefined-cp1252", "control-chars", "escape"],
)
def test_undecodable_garbage_is_a_file_error(data: bytes) -> None:
    assert parse_error("a.txt", data) == (
        "not UTF-8, and no declared or likely encoding reads it as text"
    )


def test_utf8_bom_is_removed() -> None:
    parsed = parse("a.txt", codecs.BOM_UTF8 + "Title: Héllo\n\nBody.".encode())

    assert parsed.notes == []
    assert parsed.articles[0].title == "Héllo"


def test_utf8_bom_before_json() -> None:
    assert only_article("a.json", codecs.BOM_UTF8 + b'{"title": "T"}').title == "T"


def test_utf8_bom_before_front_matter() -> None:
    assert only_article("a.md", codecs.BOM_UTF8 + b"---\ntitle: T\n---\nBody.").title == "T"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_utf16_and_utf32_with_bom_decode(bom: bytes, encoding: str) -> None:
    data = bom + "Title: Héllo wörld\n\nΚαλημέρα. Второе.".encode(encoding)

    article = only_article("a.txt", data)
    assert (article.title, article.body) == ("Héllo wörld", "Καλημέρα. Второе.")


def test_utf16_with_bom_but_broken_text_is_a_file_error() -> None:
    assert parse_error("a.txt", codecs.BOM_UTF16_LE + b"\x00\xd8").startswith("invalid utf-16")


def test_nul_bytes_after_the_first_8k_are_removed() -> None:
    data = b"word " * 2000 + b"\x00tail. More."
    article = only_article("a.txt", data)

    assert "\x00" not in article.body
    assert article.body.endswith("word tail. More.")


@pytest.mark.parametrize(
    ("data", "body"),
    [
        (b"Line one\r\nline two.\r\n\r\nThird\rline.\r\n", "Line one\nline two.\n\nThird\nline."),
        (b"Headline\r\n\r\nBody text.\r\n", "Body text."),
    ],
)
def test_crlf_and_cr_line_ends_are_normalised(data: bytes, body: str) -> None:
    article = only_article("a.txt", data)

    assert article.body == body
    assert "\r" not in article.title


def test_crlf_header_block() -> None:
    article = only_article("a.txt", b"Title: T\r\nSource: S\r\n\r\nBody.\r\n")

    assert (article.title, article.source, article.body) == ("T", "S", "Body.")


def test_lone_surrogate_in_json_metadata_is_replaced() -> None:
    article = only_article(
        "a.json", r'{"title": "Bad \ud800 char", "source": "S\udfff", "tags": ["t\ud800"]}'
    )

    assert article.title == "Bad \ufffd char"
    assert article.source == "S\ufffd"
    assert article.tags == ("t\ufffd",)
    article.title.encode("utf-8")  # what an index needs


def test_nul_in_json_metadata_is_removed() -> None:
    article = only_article(
        "a.json", r'{"title": "A\u0000B", "source": "S\u0000", "tags": "x\u0000"}'
    )

    assert (article.title, article.source, article.tags) == ("AB", "S", ("x",))


def test_surrogate_pair_in_json_decodes_to_one_character() -> None:
    article = only_article("a.json", r'{"title": "Smile \ud83d\ude00", "body": "\ud83d\ude00 ok"}')

    assert (article.title, article.body) == ("Smile 😀", "😀 ok")


def test_nul_in_json_body_is_removed() -> None:
    article = only_article("a.json", r'{"title": "T", "body": "a\u0000b"}')

    assert article.body == "ab"


@pytest.mark.parametrize("key", ["body", "text", "content"])
def test_lone_surrogate_in_json_body_is_replaced(key: str) -> None:
    article = only_article("a.json", '{"title": "T", "' + key + '": "a\\ud800b"}')

    assert article.body == "a\ufffdb"


def test_crlf_in_json_body_is_normalised() -> None:
    article = only_article("a.json", r'{"title": "T", "body": "one\r\ntwo\rthree"}')

    assert article.body == "one\ntwo\nthree"


# --- the helpers on their own -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain", ("plain", "utf-8")),
        ("Türkiye".encode(), ("Türkiye", "utf-8")),
        (codecs.BOM_UTF8 + b"x", ("x", "utf-8")),
        ("Café".encode("cp1252"), ("Café", "cp1252")),
    ],
)
def test_decode_text(data: bytes, expected: tuple[str, str]) -> None:
    decoded = decode_text(data)

    assert (decoded.text.lstrip("\ufeff"), decoded.encoding) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("a\x00b", "ab"),
        ("a\ud800b\udfffc", "a\ufffdb\ufffdc"),
        ("\ufeffabc", "abc"),
        ("clean text\n", "clean text\n"),
        ("😀", "😀"),
    ],
)
def test_clean_text(text: str, expected: str) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Headline\n\nBody. More.", ("Headline", "Body. More.")),
        ("  Headline  \n\n  Body.  ", ("Headline", "Body.")),
        ("One line only. Second.", ("One line only.", "One line only. Second.")),
        ("Line\nnext. More.", ("Line next.", "Line\nnext. More.")),
    ],
)
def test_split_title(text: str, expected: tuple[str, str]) -> None:
    assert split_title(text) == expected


def test_first_sentence_joins_lines_and_spaces() -> None:
    assert first_sentence("First   line\n  continues here. Next one.") == (
        "First line continues here."
    )


def test_first_sentence_short_text_is_kept_whole() -> None:
    text = "x" * DERIVED_TITLE_MAX_CHARS
    assert first_sentence(text) == text


def test_first_sentence_single_long_word_is_cut_hard() -> None:
    title = first_sentence("x" * (DERIVED_TITLE_MAX_CHARS + 10))

    assert title == "x" * DERIVED_TITLE_MAX_CHARS + "…"


def test_first_sentence_cut_drops_trailing_punctuation() -> None:
    title = first_sentence("word, " * 30)

    assert title.endswith("word…")
    assert len(title) <= DERIVED_TITLE_MAX_CHARS + 1
