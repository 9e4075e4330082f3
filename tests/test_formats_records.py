"""What every format gains: legacy encodings read right (the re-encoded samples in
tests/data/formats/legacy), a record's own fields and its declared language, HTML bodies
read as text, YAML 1.2 booleans; and, through an index, what a user sees of them:
`topics:crude` finds its article, tags are not terms, `show --json` has the encoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import newsgrep

from newsgrep.engine.session import SearchSession, search
from newsgrep.formats import parse_article_file
from newsgrep.formats.decoding import decode_text
from newsgrep.indexer import run_index
from newsgrep.model import Article, SearchRequest

LEGACY = Path(__file__).resolve().parent / "data" / "formats" / "legacy"


def only(name: str, text: str | bytes) -> Article:
    data = text.encode("utf-8") if isinstance(text, str) else text
    [article] = parse_article_file(name, data).articles
    return article


# --- encodings --------------------------------------------------------------------------

LEGACY_FILES = sorted(path.name for path in LEGACY.glob("*.txt"))


@pytest.mark.parametrize("name", LEGACY_FILES)
def test_legacy_encodings_are_read_as_their_text(name: str) -> None:
    data = (LEGACY / name).read_bytes()
    encoding = name.split(".")[1]

    decoded = decode_text(data)

    assert decoded.text == data.decode(encoding)  # not mojibake
    assert decoded.how in ("detected", "guessed")


def test_short_latin_text_stays_cp1252_where_detection_guesses_wrong() -> None:
    # charset-normalizer reads this French sentence as cp1250 (ę for ê): newsgrep does not.
    decoded = decode_text((LEGACY / "fr.cp1252.txt").read_bytes())
    assert (decoded.encoding, decoded.how) == ("cp1252", "guessed")


def test_polish_in_cp1250_is_not_read_as_cp1252() -> None:
    decoded = decode_text("Każdy człowiek ma prawo do życia.".encode("cp1250"))
    assert (decoded.text, decoded.encoding) == ("Każdy człowiek ma prawo do życia.", "cp1250")


def test_the_encoding_used_is_kept_with_the_article_and_noted() -> None:
    parsed = parse_article_file("ru.txt", (LEGACY / "ru.koi8-r.txt").read_bytes())

    assert parsed.articles[0].encoding == "koi8-r"
    assert parsed.notes == ["decoded as koi8-r (detected)"]
    assert only("a.txt", "Plain UTF-8. Text.").encoding == "utf-8"


# --- fields, languages, HTML bodies -----------------------------------------------------


def test_a_records_other_keys_become_its_fields() -> None:
    record = {
        "title": "Oil prices rise",
        "body": "Crude rose.",
        "topics": ["crude", "Oil"],
        "places": "iran",
        "News-Desk": "Energy",
        "wordcount": 512,  # not text: left out
        "extra": {"nested": "object"},  # not text: left out
        "lang": "en-GB",
    }
    article = only("a.json", json.dumps(record))

    assert article.fields == (
        ("topics", ("crude", "Oil")),
        ("places", ("iran",)),
        ("news_desk", ("Energy",)),
    )
    assert article.lang == "en-gb"


@pytest.mark.parametrize(("value", "lang"), [("pt_BR", "pt-br"), ("English", None), ("", None)])
def test_only_a_language_tag_is_a_language(value: str, lang: str | None) -> None:
    assert only("a.json", json.dumps({"title": "T", "language": value})).lang == lang


def test_html_in_a_json_body_is_read_as_text() -> None:
    body = '<p class="lead">Talks <a href="https://x.org">opened</a>.</p><p>Second&nbsp;one.</p>'
    article = only("a.json", json.dumps({"title": "T", "body": body}))

    assert article.body == "Talks opened.\n\nSecond one."


def test_angle_brackets_in_plain_text_are_kept() -> None:
    body = "Inflation < 2% is the goal, x > y, and <3 is a heart."
    assert only("a.json", json.dumps({"title": "T", "body": body})).body == body


def test_html_in_a_markdown_body_is_read_as_text() -> None:
    article = only("a.md", "# Title\n\n<div><p>Talks opened.</p><script>x()</script></div>")
    assert article.body == "Talks opened."


def test_tags_shown_as_code_in_markdown_stay_text() -> None:
    text = "# Title\n\nWrap it in `<p>` or:\n\n```\n<div class=x>\n```\n"
    assert only("a.md", text).body == "Wrap it in `<p>` or:\n\n```\n<div class=x>\n```"


def test_yaml_yes_no_on_off_stay_strings_and_true_false_are_booleans() -> None:
    text = (
        "---\ntitle: No\nsource: ON\ntags: [NO, SE, yes, off]\ndraft: false\n"
        "date: 2025-05-15\nregion: yes\n---\nText."
    )
    article = only("a.md", text)

    assert (article.title, article.source, article.tags) == ("No", "ON", ("NO", "SE", "yes", "off"))
    assert dict(article.fields) == {"region": ("yes",)}  # draft: false is not text


# --- through an index -------------------------------------------------------------------


@pytest.fixture
def record_index(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    records = [
        {"id": "r1", "title": "Oil output", "body": "<p class='x'>Barrels rose.</p>",
         "topics": ["crude", "opec"], "places": ["iran", "saudi arabia"], "lang": "en"},
        {"id": "r2", "title": "Grain exports", "body": "Wheat fell.", "topics": ["grain"],
         "places": ["Türkiye"]},
    ]  # fmt: skip
    (folder / "reuters.jsonl").write_text("\n".join(map(json.dumps, records)) + "\n")
    (folder / "ru.txt").write_bytes((LEGACY / "ru.cp1251.txt").read_bytes())
    index_dir = tmp_path / "index"
    run_index(index_dir, [folder])
    return index_dir


def hits(index_dir: Path, query: str) -> list[str]:
    return [hit.id for hit in search(index_dir, SearchRequest(query)).hits]


def test_a_record_field_is_searchable_by_its_name(record_index: Path) -> None:
    assert hits(record_index, "topics:crude") == ["reuters.jsonl#r1"]
    assert hits(record_index, 'places:"saudi arabia"') == ["reuters.jsonl#r1"]
    assert hits(record_index, "places:arabia topics:opec") == ["reuters.jsonl#r1"]
    assert hits(record_index, "topics:grain") == ["reuters.jsonl#r2"]
    assert hits(record_index, "places:TURKIYE") == ["reuters.jsonl#r2"]  # folded as written
    # r1 declares English; r2 declares nothing and is detected as English.
    assert sorted(hits(record_index, "lang:en")) == ["reuters.jsonl#r1", "reuters.jsonl#r2"]
    assert hits(record_index, "lang:ru") == ["ru.txt"]


def test_a_field_no_article_has_is_still_searched_as_words(record_index: Path) -> None:
    result = search(record_index, SearchRequest("auther:smith"))

    assert result.notices[0].startswith("'auther:' is not a field, searched as words")
    assert "topics" in result.notices[0] and "places" in result.notices[0]


def test_tags_of_an_html_body_are_not_terms(record_index: Path) -> None:
    for word in ("class", "p", "x"):
        assert hits(record_index, word) == []


def test_hits_and_shown_articles_carry_fields_language_and_encoding(
    record_index: Path,
) -> None:
    [hit] = search(record_index, SearchRequest("topics:crude")).hits
    assert dict(hit.fields)["places"] == ("iran", "saudi arabia")
    assert hit.lang == "en"
    with SearchSession(record_index) as session:
        [shown] = session.articles("ru.txt")
    assert shown.article.encoding == "cp1251"


def test_show_json_and_the_human_view_name_the_fields(record_index: Path) -> None:
    shown = newsgrep("show", "reuters.jsonl#r1", "--json", "--index", record_index)
    record = json.loads(shown.stdout)
    assert record["fields"] == {"topics": ["crude", "opec"], "places": ["iran", "saudi arabia"]}
    assert (record["lang"], record["encoding"]) == ("en", "utf-8")

    human = newsgrep("show", "reuters.jsonl#r1", "--index", record_index).stdout
    assert "topics: crude, opec" in human and "lang: en" in human

    found = newsgrep("search", "topics:crude", "--json", "--index", record_index).stdout
    assert json.loads(found)["fields"]["topics"] == ["crude", "opec"]


def test_show_json_has_the_encoding_a_file_was_read_in(record_index: Path) -> None:
    shown = json.loads(newsgrep("show", "ru.txt", "--json", "--index", record_index).stdout)
    assert shown["encoding"] == "cp1251"
