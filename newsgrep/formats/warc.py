"""Web archives (`.warc`, and `.warc.gz` once inflated by `formats.compressed`), through
warcio: each HTML response is a page read as `formats.html` reads a saved one, with the
URL it was captured from (when the page names no canonical URL of its own) and its capture
date (when the page gives no date of its own). Requests, metadata, redirects, errors and
responses that are not HTML are passed over.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from newsgrep.formats.common import ArticleFileError, RecordIds
from newsgrep.formats.html import parse_page
from newsgrep.model import ParsedFile, Skipped
from newsgrep.text.dates import parse_article_date

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 64 * 1024


def parse_warc(data: bytes, into: ParsedFile, max_size: int | None = None) -> None:
    """Every HTML page captured in the archive, as articles in `into`; a page whose body
    (decoded from its HTTP transfer encoding) is over `max_size` is skipped.

    Raises:
        ArticleFileError: not a WARC file, or one without any HTML page.
    """
    from warcio.archiveiterator import ArchiveIterator  # only archives pay for it

    if not data.lstrip().startswith(b"WARC/"):
        raise ArticleFileError("not a readable WARC file (it does not start with 'WARC/')")
    ids = RecordIds()
    records = 0
    try:
        for number, record in enumerate(ArchiveIterator(io.BytesIO(data)), start=1):
            records = number
            page = _html_page(record, max_size)
            if page is None:
                continue
            url, payload, charset = page
            where = url or f"record {number}"
            try:
                if max_size is not None and len(payload) > max_size:
                    raise ArticleFileError("the page is larger than the limit (--max-size)")
                record_id = ids.make(url, number)
                article = parse_page(
                    payload, into.notes, declared=charset, record=record_id, url=url
                )
            except ArticleFileError as error:
                into.skipped.append(Skipped(where, str(error)))
                continue
            captured = parse_article_date(record.rec_headers.get_header("WARC-Date") or "")
            if article.date is None:
                article = dataclasses.replace(article, date=captured)
            into.articles.append(article)
    except Exception as error:  # warcio signals a bad archive in several ways
        reason = " ".join(str(error).split())[:120] or type(error).__name__
        if not records and not into.articles:
            raise ArticleFileError(f"not a readable WARC file ({reason})") from None
        into.skipped.append(Skipped(f"record {records + 1}", f"unreadable: {reason}"))
    if not records:
        raise ArticleFileError("not a readable WARC file (no WARC records in it)")
    if not into.articles and not into.skipped:
        raise ArticleFileError("no HTML pages in the archive")


def _html_page(record: Any, max_size: int | None) -> tuple[str | None, bytes, str | None] | None:
    """(URL, body, charset) of a successful HTML response; None for any other record."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode() or ""
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    if not status.startswith("2") or not content_type.startswith(_HTML_TYPES):
        return None
    charset = None
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name == "charset" and value:
            charset = value.strip("\"' ")
    url = record.rec_headers.get_header("WARC-Target-URI")
    return url, _read_up_to(record.content_stream(), max_size), charset


def _read_up_to(stream: Any, max_size: int | None) -> bytes:
    """A response body, read to one byte past `max_size` at most: a compressed response
    can inflate without end. (warcio's streams return what one buffer holds per read.)"""
    body = bytearray()
    while max_size is None or len(body) <= max_size:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        body += chunk
    return bytes(body)
