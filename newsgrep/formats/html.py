"""Saved web pages (`.html`, `.htm`, and the pages of web archives): the article's main text
without navigation, adverts and comments, by trafilatura; its title, date, author, site
name, URL, language and tags from the page's meta tags and JSON-LD.

The page is parsed once. Metadata is read from that tree first (a dozen tags: trafilatura's
own metadata pass costs many times as much and found fewer right dates on the fixtures),
the date by htmldate in its fast mode (which copies the tree only when the head has no
date), and the main text last, because it begins by deleting from the tree what is never
an article's text (`_drop_furniture`): trafilatura's XPath passes cost in proportion to the
elements they walk, and scripts, menus and the page's banner are most of a news page's
elements. trafilatura, htmldate and lxml are imported on the first page, never by a search.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from newsgrep.formats.common import (
    ArticleFileError,
    article_from_fields,
    clean_text,
    field_values,
    language_tag,
)
from newsgrep.formats.decoding import decode_text
from newsgrep.formats.markup import fragment_text
from newsgrep.model import Article
from newsgrep.text.dates import parse_article_date

if TYPE_CHECKING:
    from lxml.etree import XPath
    from lxml.html import HtmlElement

# trafilatura's settings, as measured on the fixture pages (docs/benchmarks.md): precision
# mode without its fallback extractors (`fast`) drops most leftover furniture (F1 0.966 vs
# 0.916 by default) at half the time; comments are never the article.
_EXTRACTION = {
    "fast": True,
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,
    "with_metadata": False,
    "output_format": "txt",
}

# Elements that are never an article's text and that trafilatura's own cleaning deletes
# anyway, so deleting them first changes nothing it extracts; what it deletes with care is
# left to it: a form may wrap the whole page, a figure may hold a table, MathML carries its
# formulas' source, and a script of JSON-LD tells it a page is a forum thread (whose posts
# are the text). Images and meta tags it strips, which for empty elements is the same.
_NEVER_TEXT = (
    *("applet", "area", "audio", "button", "canvas", "datalist", "dialog", "embed"),
    *("fencedframe", "fieldset", "frame", "frameset", "iframe", "img", "input", "label"),
    *("legend", "link", "map", "menu", "menuitem", "meta", "noindex", "noscript", "object"),
    *("optgroup", "option", "output", "param", "picture", "progress", "select", "source"),
    *("style", "svg", "textarea", "track", "use", "video"),
    *("aside", "footer", "nav"),
)
# Where a <header> is part of the content it heads, not the page's banner (HTML-AAM).
_SECTIONING = frozenset(("article", "aside", "main", "nav", "section"))

# JSON-LD types that describe the page's article.
_ARTICLE_TYPES = ("Article", "BlogPosting", "Report", "LiveBlogPosting")
_TITLE_KEYS = ("og:title", "twitter:title", "dc.title")
_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "dc.date",
    "dcterms.created",
    "date",
)
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl")
_SITE_KEYS = ("og:site_name", "application-name")
_LANG_KEYS = ("content-language", "og:locale", "dc.language", "language")


@dataclass(slots=True)
class PageMeta:
    """What a page's head says about it."""

    title: str | None = None
    date: str | None = None
    author: tuple[str, ...] = ()
    site: str | None = None
    url: str | None = None
    lang: str | None = None
    section: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def parse_page(
    data: bytes,
    notes: list[str],
    *,
    declared: str | None = None,
    record: str = "",
    url: str | None = None,
) -> Article:
    """The article of a saved page. `declared` is the charset a container names (a web
    archive's HTTP header), else the page's own `<meta charset>` is read; `url` is where
    the page was found, for a page that names no URL of its own.

    Raises:
        ArticleFileError: the bytes are not text, or not a page with any text.
    """
    decoded = decode_text(data, declared)
    if decoded.note:
        notes.append(decoded.note)
    text = clean_text(decoded.text)
    tree = _parse(text)
    meta = read_meta(tree, url)
    date = _page_date(tree, meta)
    body = _main_text(tree) or ""
    if not body:
        body = fragment_text(text)  # no main text found: the page's text, whole
        if body:
            notes.append("no main text found; the page's whole text is indexed")
    body = _without_headline(body, meta.title)
    fields: dict[str, Any] = {"title": meta.title, "date": date, "source": meta.site}
    fields |= {"url": meta.url, "tags": list(meta.tags), "lang": meta.lang}
    fields |= {"author": list(meta.author), "section": list(meta.section)}
    try:
        article = article_from_fields(
            record, fields, body, notes, markup=False, encoding=decoded.encoding
        )
    except ArticleFileError:
        raise ArticleFileError("no text in the page") from None
    return article


def _parse(text: str) -> HtmlElement:
    from trafilatura import load_html

    _quiet_extractors()
    try:
        tree = load_html(text)
    except Exception as error:  # lxml's parser fails in its own ways; the run goes on
        raise ArticleFileError(f"not a readable HTML page ({_reason(error)})") from None
    if tree is None:
        raise ArticleFileError("not a readable HTML page")
    return tree


def _main_text(tree: HtmlElement) -> str | None:
    """The page's main text, by trafilatura; the tree loses what is never the text."""
    from trafilatura import extract

    _drop_furniture(tree)
    try:
        return extract(tree, **_EXTRACTION)  # type: ignore[arg-type]
    except Exception as error:  # an extractor's bug must not stop a run
        reason = _reason(error)
        raise ArticleFileError(f"the page's text could not be extracted ({reason})") from None


def _drop_furniture(tree: HtmlElement) -> None:
    """Delete what is never the article's text, tails kept: the elements of `_NEVER_TEXT`
    and scripts but JSON-LD, which trafilatura would delete itself; the page's banner, the
    `<header>` outside any sectioning element, where news sites keep their menus
    (trafilatura's precision mode deletes every header inside the block it keeps, so a
    banner's text came through only when it took the banner for that block); and lists
    of links alone (`_link_lists`). A banner that holds an `<article>` or `<main>`, or
    half the page's paragraphs, is rather a header left unclosed around the page: it stays,
    for trafilatura to find the block inside."""
    from lxml import etree

    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    doomed = [s for s in tree.iter("script") if not _is_json_ld(s)]
    banners = [
        h for h in tree.iter("header") if _SECTIONING.isdisjoint(a.tag for a in h.iterancestors())
    ]
    if banners:
        paragraphs = sum(1 for _ in tree.iter("p"))
        doomed += [h for h in banners if not _holds_the_page(h, paragraphs)]
    for element in doomed:
        _delete(element)
    for element in cast("list[HtmlElement]", _link_lists()(tree)):
        _delete(element)


def _is_json_ld(script: HtmlElement) -> bool:
    return (script.get("type") or "").strip().lower() == "application/ld+json"


@cache
def _link_lists() -> XPath:
    """Lists of three links or more and nothing else: a menu, or a list of other articles
    (text outside the links, even a separator, keeps a list for trafilatura to judge)."""
    from lxml import etree

    return etree.XPath(
        "(//ul|//ol)[count(.//a) >= 3][not(.//text()[normalize-space()][not(ancestor::a)])]"
    )


def _holds_the_page(header: HtmlElement, paragraphs: int) -> bool:
    if header.find(".//article") is not None or header.find(".//main") is not None:
        return True
    return 2 * sum(1 for _ in header.iter("p")) >= paragraphs


def _delete(element: HtmlElement) -> None:
    """Remove an element and what it holds, its tail kept where it was (lxml's `remove`
    would take it along)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)


def _page_date(tree: HtmlElement, meta: PageMeta) -> str | None:
    """The publication date: htmldate's (it reads the head, the URL and the text), with
    the time of day the metadata gives for that same day."""
    from htmldate import find_date

    try:
        found = find_date(tree, extensive_search=False, original_date=True, url=meta.url)
    except Exception:  # a date is worth no skipped page
        found = None
    if meta.date and found and meta.date.startswith(found) and parse_article_date(meta.date):
        return meta.date
    return found or meta.date


def _without_headline(body: str, title: str | None) -> str:
    """The body without its first line when that repeats the title."""
    if title:
        first, _, rest = body.partition("\n")
        if " ".join(first.split()) == " ".join(title.split()):
            return rest.strip()
    return body


def read_meta(tree: HtmlElement, url: str | None = None) -> PageMeta:
    """Title, date, author, site, URL, language, section and tags from `<meta>` tags,
    JSON-LD, the canonical link and `<html lang>`; `url` when the page names none."""
    tags = _meta_tags(tree)
    ld = _json_ld_article(tree)
    meta = PageMeta()
    title_tag = tree.find(".//title")
    meta.title = _first(
        *(tags.get(key) for key in _TITLE_KEYS),
        _text(ld.get("headline")),
        title_tag.text_content() if title_tag is not None else None,
    )
    meta.date = _first(_text(ld.get("datePublished")), *(tags.get(key) for key in _DATE_KEYS))
    meta.author = (
        _names(ld.get("author"))
        or tuple(name for key in _AUTHOR_KEYS if (name := tags.get(key)) and not _is_url(name))[:1]
    )
    meta.site = _first(*(tags.get(key) for key in _SITE_KEYS), *_names(ld.get("publisher")))
    canonical = tree.find(".//link[@rel='canonical']")
    meta.url = next(
        (
            url.strip()
            for url in (
                canonical.get("href") if canonical is not None else None,
                tags.get("og:url"),
                _text(ld.get("url")),
                url,
            )
            if url and _is_url(url.strip())
        ),
        None,
    )
    meta.lang = next(
        (
            tag
            for value in (tree.get("lang"), _text(ld.get("inLanguage")), *map(tags.get, _LANG_KEYS))
            if (tag := language_tag(value))
        ),
        None,
    )
    if meta.site is None and meta.url is not None:  # the site is at least its host
        meta.site = urlsplit(meta.url).hostname
        meta.site = meta.site.removeprefix("www.") if meta.site else None
    meta.section = field_values(tags.get("article:section"))
    meta.tags = field_values(tags.get_all("article:tag"))
    return meta


class _Tags(dict[str, str]):
    """Meta tags by lower-case name (the first of each), and every `article:tag`."""

    def __init__(self) -> None:
        super().__init__()
        self.repeated: dict[str, list[str]] = {}

    def get_all(self, key: str) -> list[str]:
        return self.repeated.get(key, [])


def _meta_tags(tree: HtmlElement) -> _Tags:
    tags = _Tags()
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        key = key or element.get("http-equiv")
        value = " ".join((element.get("content") or "").split())
        if not key or not value:
            continue
        key = key.strip().lower()
        tags.setdefault(key, value)
        tags.repeated.setdefault(key, []).append(value)
    return tags


def _json_ld_article(tree: HtmlElement) -> Mapping[str, Any]:
    """The first JSON-LD object of an article type, else {}."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        source = (script.text or "").strip().removeprefix("<![CDATA[").removesuffix("]]>")
        try:
            data = json.loads(source)
        except ValueError:
            continue  # many sites write broken JSON-LD: the page is still read
        for item in _ld_objects(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith(_ARTICLE_TYPES) for k in kinds):
                return item
    return {}


def _ld_objects(data: Any, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _ld_objects(data.get("@graph"), depth + 1)


def _names(value: Any) -> tuple[str, ...]:
    """Names from JSON-LD: a string, an object's `name`, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names = (item.get("name") if isinstance(item, dict) else item for item in items)
    return field_values([name for name in names if isinstance(name, str) and not _is_url(name)])


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("name")
    return value if isinstance(value, str) else None


def _first(*values: str | None) -> str | None:
    return next((" ".join(v.split()) for v in values if v and v.strip()), None)


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _reason(error: Exception) -> str:
    message = " ".join(str(error).split())[:120]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _quiet_extractors() -> None:
    """trafilatura and htmldate log what they could not find at WARNING and ERROR: that is
    a page's ordinary news to them, and newsgrep reports the page itself."""
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
