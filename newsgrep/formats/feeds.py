"""Feed files (`.rss`, `.atom`, `.rdf`, and `.xml` whose root is a feed): RSS 0.9x, 1.0 and
2.0 and Atom, through feedparser. Each item is an article with its title, date, link,
author and tags, the feed's title as its source and the feed's language; HTML in items
is read as text.

feedparser reads broken feeds too (a stray newline before `<?xml`, undefined entities):
such a feed is read with a note; one that yields no item is skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

from newsgrep.formats.common import ArticleFileError, RecordIds, article_from_fields
from newsgrep.formats.decoding import codec_name
from newsgrep.formats.markup import fragment_text, looks_like_html
from newsgrep.model import ParsedFile, Skipped

# The root element that makes an XML file a feed: <rss>, Atom's <feed>, RSS 1.0's <rdf:RDF>.
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
_FIRST_ELEMENT = re.compile(r"<([A-Za-z][\w.-]*:)?([A-Za-z][\w.-]*)")
_XML_NOISE = re.compile(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", re.DOTALL)


def xml_root(data: bytes) -> str | None:
    """The local name of an XML file's root element (`rss`, `feed`, `RDF`), if it has one
    in its first kilobytes."""
    head = data[:4096]
    encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    text = _XML_NOISE.sub("", head.decode(encoding, "ignore"))
    found = _FIRST_ELEMENT.search(text)
    return found.group(2) if found else None


def is_feed(data: bytes) -> bool:
    root = xml_root(data)
    return root is not None and root.lower() in _FEED_ROOTS


def parse_feed(data: bytes, into: ParsedFile) -> None:
    """Every item of the feed in `data`, as articles in `into`.

    Raises:
        ArticleFileError: not a feed, or a feed without items.
    """
    import feedparser  # only feeds pay for it

    try:
        # A stream, never a string: feedparser fetches a string that looks like a URL.
        result = feedparser.parse(
            io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as error:  # feedparser is lenient, but a bug must not stop a run
        raise ArticleFileError(f"not a readable feed ({type(error).__name__})") from None
    broken = _problem(result) if result.get("bozo") else None
    entries = result.get("entries") or []
    if not entries:
        if broken:
            raise ArticleFileError(f"not a readable feed ({broken})")
        raise ArticleFileError("the feed has no items" if result.get("version") else "not a feed")
    if broken:
        into.notes.append(f"read leniently: {broken}")
    feed = result.get("feed") or {}
    encoding = codec_name(result.get("encoding") or "") or None
    ids = RecordIds()
    for number, entry in enumerate(entries, start=1):
        where = f"item {number}"
        record = ids.make(entry.get("id") or entry.get("link"), number)
        try:
            article = article_from_fields(
                record,
                _item_fields(entry, feed),
                _item_body(entry),
                into.notes,
                where=where,
                markup=False,
                encoding=encoding,
            )
        except ArticleFileError as error:
            into.skipped.append(Skipped(where, str(error)))
            continue
        into.articles.append(article)


def _problem(result: Mapping[str, Any]) -> str:
    error = result.get("bozo_exception")
    message = " ".join(str(error).split())[:120] if error is not None else ""
    return message or "malformed XML"


def _item_fields(entry: dict[str, Any], feed: Mapping[str, Any]) -> dict[str, Any]:
    title = entry.get("title")
    if isinstance(title, str) and _is_html(entry.get("title_detail"), title):
        title = fragment_text(title)
    author = entry.get("author") or feed.get("author")
    return {
        "title": title,
        "date": _date(entry),
        "source": feed.get("title"),
        "url": entry.get("link"),
        "tags": [tag.get("term") for tag in entry.get("tags") or [] if tag.get("term")],
        "lang": feed.get("language"),
        "author": author,
    }


def _item_body(entry: Mapping[str, Any]) -> str:
    """The item's fullest text: its content, else its summary, as text."""
    candidates = [*(entry.get("content") or []), entry.get("summary_detail")]
    best = ""
    for detail in candidates:
        if not detail:
            continue
        value = detail.get("value") or ""
        text = fragment_text(value) if _is_html(detail, value) else value.strip()
        if len(text) > len(best):
            best = text
    return best


def _is_html(detail: Mapping[str, Any] | None, value: str) -> bool:
    kind = (detail or {}).get("type") or ""
    return "html" in kind or looks_like_html(value)


def _date(entry: dict[str, Any]) -> dt.datetime | str | None:
    """The item's date as feedparser read it (in UTC), else the raw text for newsgrep's
    own date reading (feedparser knows no Portuguese month, for one)."""
    # dict.get: feedparser's own `get` maps `updated` to `published` with a deprecation
    # warning, and the published date is asked for first anyway.
    for key in ("published", "updated", "created"):
        parsed = dict.get(entry, f"{key}_parsed")
        if parsed:
            return dt.datetime(*parsed[:6])
    for key in ("published", "updated", "created"):
        if value := dict.get(entry, key):
            return str(value)
    return None
