"""Feeds and email newsletters, read from the real samples in tests/data/formats (see its
SOURCES.md): each item or message an article with the right title, date, link and source,
HTML read as text, attachments ignored, and the bad input around them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newsgrep.formats import ArticleFileError, parse_article_file
from newsgrep.model import ParsedFile

DATA = Path(__file__).resolve().parent / "data" / "formats"


def read(folder: str, name: str) -> ParsedFile:
    path = DATA / folder / name
    return parse_article_file(path.name, path.read_bytes())


def reason(name: str, data: bytes) -> str:
    with pytest.raises(ArticleFileError) as caught:
        parse_article_file(name, data)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


# --- feeds ------------------------------------------------------------------------------


def test_rss2_items_have_title_date_link_author_tags_and_the_feed_as_source() -> None:
    parsed = read("feeds", "rss2-guardian.rss")

    assert len(parsed.articles) == 3
    first = parsed.articles[0]
    assert first.title.startswith("Trump State of the Union address promised unity")
    assert first.date == dt.datetime(2018, 1, 31, 7, 26, 5)
    assert first.url is not None and first.url.startswith("https://www.theguardian.com/us-news/")
    assert first.source == "The Guardian"
    assert dict(first.fields)["author"] == ("David Smith in Washington",)
    assert "Donald Trump" in first.tags
    assert first.lang == "en-gb"
    assert first.record == f"#{first.url}"  # the item's guid


def test_html_inside_items_is_text_not_tags() -> None:
    parsed = read("feeds", "rss2-guardian.rss")

    for article in parsed.articles:
        assert "<" not in article.body
        assert "href" not in article.body and "class=" not in article.body
    # Block elements keep words apart ("killed" and "Two crew" do not run together).
    assert "killed\n\nTwo crew" in parsed.articles[2].body


def test_atom_entries_take_the_feeds_author_when_they_have_none() -> None:
    parsed = read("feeds", "atom-heise-de.atom")

    assert len(parsed.articles) == 5
    first = parsed.articles[0]
    assert first.title.startswith("Java-Anwendungsserver: Red Hat gibt WildFly 10 frei")
    assert first.date == dt.datetime(2016, 2, 1, 16, 22)
    assert first.source == "heise developer neueste Meldungen"
    assert dict(first.fields)["author"] == ("heise online",)
    assert "Enterprise-Java-Servers" in first.body


@pytest.mark.parametrize(
    ("name", "items", "title"),
    [
        ("rss1-xmlcom.rdf", 2, "Processing Inclusions with XSLT"),
        ("rss2-ja-title.xml", 1, "Example entry"),
        ("rss-pt-uol.rss", 15, "Ibope: Bolsonaro perde de Haddad"),
    ],
)
def test_every_kind_of_feed_gives_its_items(name: str, items: int, title: str) -> None:
    parsed = read("feeds", name)

    assert len(parsed.articles) == items
    assert parsed.articles[0].title.startswith(title)


def test_an_xml_feed_keeps_its_channel_title_as_source() -> None:
    [article] = read("feeds", "rss2-ja-title.xml").articles
    assert article.source == "本当に簡単なシンジケーションの例"


def test_a_broken_latin1_feed_is_read_leniently_with_a_note() -> None:
    parsed = read("feeds", "rss091-pt-folha-latin1.rss")

    assert len(parsed.articles) == 3
    assert parsed.articles[0].title == "Vida de jogador: trocando seis por nada"
    assert parsed.articles[0].encoding == "cp1252"
    assert parsed.articles[0].lang == "pt-br"
    assert parsed.notes[0].startswith("read leniently: ")


def test_a_feed_date_in_portuguese_that_feedparser_cannot_read_is_read() -> None:
    parsed = read("feeds", "rss-pt-uol.rss")

    # `Seg, 24 Set 2018 19:42:40 -0300`: Monday 24 September, in UTC.
    assert parsed.articles[0].date == dt.datetime(2018, 9, 24, 22, 42, 40)
    assert not any("unreadable date" in note for note in parsed.notes)


def test_an_xml_file_that_is_not_a_feed_is_skipped_naming_its_root() -> None:
    data = b'<?xml version="1.0"?>\n<!-- a sitemap -->\n<urlset><url>x</url></urlset>'
    assert reason("sitemap.xml", data) == "not a feed (an XML file of <urlset>)"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<rss version='2.0'><channel><title>Empty</title></channel></rss>", "the feed has"),
        (b"<rss><channel><item><title>", "no articles in file (item 1: no title and no text)"),
        (b"just some text", "not a readable feed"),
    ],
)
def test_a_bad_feed_is_skipped_with_its_reason(data: bytes, expected: str) -> None:
    assert reason("a.rss", data).startswith(expected)


# --- email ------------------------------------------------------------------------------


def test_a_newsletter_is_one_article_with_subject_date_and_sender() -> None:
    [article] = read("email", "newsletter-en.eml").articles

    assert article.title.startswith("Morning Brief: talks in Istanbul")
    assert article.date == dt.datetime(2025, 5, 15, 3, 30)
    assert article.source == "Morning Brief"
    assert "Delegations arrive in Istanbul" in article.body
    assert "<" not in article.body


def test_attachments_are_ignored() -> None:
    [article] = read("email", "newsletter-en.eml").articles
    assert "," not in article.body.split("\n")[-1] or "csv" not in article.body.lower()

    [html_only] = read("email", "tb-24-html-attachment.eml").articles
    assert html_only.body == "Search for höhö"
    assert "PNG" not in html_only.body


def test_an_mbox_gives_each_message_in_its_own_charset() -> None:
    parsed = read("email", "digest.mbox")

    titles = [article.title for article in parsed.articles]
    assert titles == [
        "Переговоры в Стамбуле начнутся в четверг",
        "Gespräche in Istanbul: Delegationen treffen ein",
        "Négociations à Istanbul : ce qu'il faut savoir",
    ]
    russian, german, french = parsed.articles
    assert russian.encoding == "koi8-r"
    assert "Делегации прибудут в Стамбул" in russian.body
    assert "Die Delegationen werden heute in Istanbul erwartet." in german.body
    assert "PDF" not in french.body
    assert russian.record == "#ru-1@example.ru"  # its Message-ID


def test_an_mbox_message_that_quotes_a_from_line_keeps_it() -> None:
    data = (
        b"From a@example.org Thu May 15 08:00:00 2025\n"
        b"From: A <a@example.org>\nSubject: First\n\nOne.\n>From the archive: two.\n\n"
        b"From b@example.org Thu May 15 09:00:00 2025\n"
        b"From: B <b@example.org>\nSubject: Second\n\nThree.\n"
    )
    first, second = parse_article_file("a.mbox", data).articles

    assert first.body == "One.\nFrom the archive: two."
    assert (second.title, second.source) == ("Second", "B")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.eml", b"This is just a note.\nNo headers.\n", "not an email message"),
        ("a.mbox", b"Subject: no From_ line\n\nText.\n", "not an mbox file"),
        ("a.eml", b"X-Mailer: nothing\n\n", "no title and no text"),
    ],
)
def test_a_bad_message_is_skipped_with_its_reason(name: str, data: bytes, expected: str) -> None:
    assert reason(name, data).startswith(expected)


def test_a_bad_message_in_an_mbox_is_skipped_and_the_rest_kept() -> None:
    data = (
        b"From x Thu May 15 08:00:00 2025\nX-Empty: yes\n\n"
        b"From y Thu May 15 09:00:00 2025\nSubject: Kept\n\nText.\n"
    )
    parsed = parse_article_file("a.mbox", data)

    assert [a.title for a in parsed.articles] == ["Kept"]
    assert [(s.where, s.reason) for s in parsed.skipped] == [("message 1", "no title and no text")]


def test_a_feed_cannot_pull_in_a_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss version='2.0'><channel><title>T</title><item><title>Item &x;</title>"
        "<description>Body &x;.</description></item></channel></rss>"
    ).encode()
    try:
        parsed = parse_article_file("a.rss", data)
    except ArticleFileError:
        return  # refused outright is as good
    for article in parsed.articles:
        assert "SECRET" not in article.title + article.body
