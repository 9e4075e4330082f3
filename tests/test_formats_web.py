"""Saved web pages, web archives and compressed files, read from the real samples in
tests/data/formats (see its SOURCES.md): the article text, its title, date, site, URL and
language, and the bad input around them."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from newsgrep.formats import ArticleFileError, is_supported, parse_article_file
from newsgrep.model import Article

DATA = Path(__file__).resolve().parent / "data" / "formats"
PAGES = DATA / "pages"
# Pages that name no URL of their own (the fixtures' metadata has it from elsewhere).
NO_URL_IN_PAGE = {"es-ultimahora", "zh-xinhua", "zh-bbc-chinese"}


def page(name: str) -> Article:
    path = PAGES / f"{name}.html"
    [article] = parse_article_file(path.name, path.read_bytes()).articles
    return article


def reason(name: str, data: bytes, **options: int) -> str:
    with pytest.raises(ArticleFileError) as caught:
        parse_article_file(name, data, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message and "\n" not in message
    return message


# --- pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.stem for p in PAGES.glob("*.html")))
def test_a_page_keeps_its_title_url_language_and_its_article_text(name: str) -> None:
    article = page(name)
    expected = json.loads((PAGES / f"{name}.meta.json").read_text(encoding="utf-8"))
    truth = (PAGES / f"{name}.truth.txt").read_text(encoding="utf-8")

    assert article.title.startswith(expected["title"][:20])
    assert article.url == (None if name in NO_URL_IN_PAGE else expected["url"])
    assert article.lang is None or article.lang.split("-")[0] == expected["lang"]
    # The article's first and last paragraphs are in the body (the lead of the Latvian
    # page is the one that trafilatura's precision mode drops).
    paragraphs = [line.strip() for line in truth.split("\n") if len(line.strip()) > 20]
    assert paragraphs[-1][:30] in article.body
    if name != "lv-lsm":
        assert paragraphs[0][:30] in article.body


def test_a_page_leaves_out_navigation_and_furniture() -> None:
    article = page("en-cnn")

    assert "Thanksgiving" in article.body
    for furniture in ("Terms of service", "Privacy guidelines", "Log in"):
        assert furniture not in article.body
    assert "<" not in article.body and "href" not in article.body


def test_a_page_date_comes_from_its_metadata() -> None:
    assert page("en-cnn").date == dt.datetime(2013, 11, 27, 8, 36, 32)
    assert page("zh-xinhua").date == dt.datetime(2023, 11, 17)


def test_a_page_site_author_and_section() -> None:
    yonhap = page("en-yonhap")
    assert yonhap.source == "Yonhap News Agency"
    assert dict(yonhap.fields)["section"] == ("North Korea",)
    assert dict(page("lv-lsm").fields)["author"] == ("Anna Ūdre",)


def test_a_page_without_a_site_name_takes_its_host() -> None:
    assert page("ja-afpbb").source == "afpbb.com"


def test_a_page_in_a_legacy_encoding_is_read_in_its_declared_one() -> None:
    html = (
        "<html lang='ru'><head><meta charset='windows-1251'><title>Переговоры</title></head>"
        "<body><article><p>" + "Делегации прибудут в Стамбул в четверг. " * 20 + "</p>"
        "</article></body></html>"
    )
    parsed = parse_article_file("a.html", html.encode("cp1251"))

    [article] = parsed.articles
    assert (article.title, article.encoding, article.lang) == ("Переговоры", "cp1251", "ru")
    assert "Делегации прибудут в Стамбул" in article.body
    assert parsed.notes == ["decoded as cp1251 (declared)"]


def test_a_page_without_a_charset_is_detected() -> None:
    text = (PAGES / "zh-xinhua.html").read_text(encoding="utf-8")
    data = text.replace('charset=utf-8"', '"').encode("gb18030")
    [article] = parse_article_file("a.htm", data).articles

    assert article.encoding == "gb18030"
    assert "短缺药品" in article.title


def test_a_page_with_no_main_text_keeps_its_whole_text() -> None:
    parsed = parse_article_file("a.html", b"<html><body><div>Short notice.</div></body></html>")

    assert parsed.articles[0].body == "Short notice."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<html><head></head><body></body></html>", "no text in the page"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes)"),
        (b"   \n", "empty file"),
    ],
)
def test_a_bad_page_is_skipped_with_its_reason(data: bytes, expected: str) -> None:
    assert reason("a.html", data) == expected


def test_text_of_a_page_is_never_markup_or_script() -> None:
    html = (
        "<html><head><script>var tracker = 1;</script><style>p {color: red}</style></head>"
        "<body><nav><a href='/'>Home</a></nav><article><h1>Title</h1>"
        + "<p class='lead'>The <b>talks</b> opened in Istanbul on Thursday.</p>" * 12
        + "</article></body></html>"
    )
    body = parse_article_file("a.html", html.encode()).articles[0].body

    assert "talks opened in Istanbul" in body
    for leaked in ("tracker", "color", "class", "href", "<b>"):
        assert leaked not in body


_PARAGRAPHS = "".join(
    f"<p>On day {day} of the talks in Istanbul the delegations met again.</p>" for day in range(12)
)


def test_the_pages_banner_is_left_out() -> None:
    # trafilatura alone takes the banner's block for the page's main one (`main…`)
    banner = (
        "<header><div class='mainhead'><p>Weather Sport Opinion Radio Podcasts and more</p>"
        "<p>Subscribe to our print edition today and save</p></div></header>"
    )
    page = f"<html><body>{banner}<div>{_PARAGRAPHS}</div></body></html>"
    body = parse_article_file("a.html", page.encode()).articles[0].body

    assert "On day 11 of the talks" in body
    assert "Weather" not in body and "Subscribe" not in body


def test_a_list_of_links_alone_is_left_out_and_one_with_words_kept() -> None:
    # three long links in mid-text are more than trafilatura calls a link farm
    links = "".join(
        f"<li><a href='/{n}'>Story {n} on the grain deal and the ports of Odesa</a></li>"
        for n in range(3)
    )
    sources = "<li>A report of <a href='/r'>the ministry</a> on grain</li>" * 3
    page = (
        f"<html><body><article>{_PARAGRAPHS[:300]}<ul>{links}</ul><ol>{sources}</ol>"
        f"{_PARAGRAPHS[300:]}</article></body></html>"
    )
    body = parse_article_file("a.html", page.encode()).articles[0].body

    assert "On day 11 of the talks" in body
    assert "grain deal" not in body
    assert "A report of the ministry on grain" in body


def test_a_header_left_unclosed_around_the_page_keeps_the_text() -> None:
    page = (
        f"<html><body><header><p>Site name</p><div class='story'>{_PARAGRAPHS}</div></body></html>"
    )
    parsed = parse_article_file("a.html", page.encode())

    assert "On day 0 of the talks" in parsed.articles[0].body
    assert "On day 11 of the talks" in parsed.articles[0].body
    assert parsed.notes == []  # the main text, not the page's whole text for want of one


def test_dropping_furniture_keeps_tails_and_json_ld() -> None:
    from lxml import html as lxml_html

    from newsgrep.formats.html import _drop_furniture

    tree = lxml_html.fromstring(
        "<html><head><script type='application/ld+json'>{}</script><script>x()</script></head>"
        "<body><p>Talks <script>y()</script>resumed <img src='a.png'>on <svg></svg>Thursday</p>"
        "</body></html>"
    )
    _drop_furniture(tree)

    assert tree.findtext(".//p") == "Talks resumed on Thursday"
    assert [s.get("type") for s in tree.iter("script")] == ["application/ld+json"]


@pytest.mark.parametrize("name", sorted(p.stem for p in PAGES.glob("*.html")))
def test_dropping_furniture_changes_no_fixtures_extracted_text(name: str) -> None:
    """What `_drop_furniture` deletes is what trafilatura would delete or never keep: it
    only saves trafilatura the walk (docs/benchmarks.md)."""
    from trafilatura import extract

    from newsgrep.formats.decoding import decode_text
    from newsgrep.formats.html import _EXTRACTION, _main_text, _parse

    text = decode_text((PAGES / f"{name}.html").read_bytes()).text

    assert _main_text(_parse(text)) == extract(_parse(text), **_EXTRACTION)


# --- web archives -----------------------------------------------------------------------


def test_a_warc_gives_each_html_response_with_its_url() -> None:
    data = (DATA / "warc" / "two-pages.warc.gz").read_bytes()
    parsed = parse_article_file("crawl.warc.gz", data)

    urls = [article.url for article in parsed.articles]
    assert urls == [
        "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm",
        "https://en.yna.co.kr/view/AEN20190820002300325",
    ]  # robots.txt, a text/plain response, is not an article
    assert [a.record for a in parsed.articles] == [f"#{url}" for url in urls]
    assert parsed.articles[0].source == "news.cn"
    assert "North Korea" in parsed.articles[1].body


def test_a_warc_page_without_a_date_takes_its_capture_date() -> None:
    record = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.org/a\r\n"
        b"WARC-Date: 2024-03-05T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
    )
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>Undated page.</p>"
    data = record % len(http) + http + b"\r\n\r\n"
    [article] = parse_article_file("a.warc", data).articles

    assert article.date == dt.datetime(2024, 3, 5, 10, 0)
    assert article.url == "http://example.org/a"


def test_a_file_that_is_not_a_warc_is_skipped_with_its_reason() -> None:
    assert reason("a.warc", b"this is not an archive\n").startswith("not a readable WARC file")


# --- compressed files -------------------------------------------------------------------


def test_a_gz_file_is_read_as_the_format_inside() -> None:
    lines = b'{"id": "a1", "title": "Grain exports recover", "body": "Wheat prices fell."}\n'
    [article] = parse_article_file("briefs.jsonl.gz", gzip.compress(lines)).articles

    assert (article.record, article.title) == ("#a1", "Grain exports recover")


def test_a_gz_page_is_read_as_a_page() -> None:
    data = gzip.compress((PAGES / "en-yonhap.html").read_bytes())
    [article] = parse_article_file("page.html.gz", data).articles

    assert article.source == "Yonhap News Agency"


def test_a_gzip_bomb_is_skipped_without_being_inflated_whole() -> None:
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB in ~64 KB

    assert len(bomb) < 100_000
    assert reason("bomb.txt.gz", bomb, max_size=1024 * 1024) == (
        "decompresses to more than the limit (> 1M; --max-size)"
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"not gzip at all", "not valid gzip data"),
        (gzip.compress(b"Some text. More.")[:12], "truncated gzip data"),
    ],
)
def test_bad_gzip_data_is_skipped_with_its_reason(data: bytes, expected: str) -> None:
    assert reason("a.txt.gz", data).startswith(expected)


@pytest.mark.parametrize(
    ("name", "supported"),
    [
        ("a.jsonl.gz", True),
        ("a.HTML.GZ", True),
        ("crawl.warc.gz", True),
        ("backup.tar.gz", False),
        ("a.gz", False),
        ("feed.xml", True),
        ("a.png", False),
    ],
)
def test_which_files_are_read(name: str, supported: bool) -> None:
    assert is_supported(name) is supported
