"""Article files in, `Article` values out: the formats newsgrep reads, and nothing about
indexing. One module per family of formats: `plain` (.txt, .md), `records` (JSON), `html`
(saved pages), `feeds` (RSS, Atom), `email` (.eml, .mbox), `warc` (web archives) and
`compressed` (.gz of any of them); the decoding of bytes they share (`decoding`), HTML
fragments as text (`markup`), and what they have in common (`common`).

A format is chosen by the file's suffix (for `.xml`, by its root element too; `.gz` by the
suffix inside). A file that cannot be read raises `ArticleFileError`; a bad record inside a
multi-article file is reported in `ParsedFile.skipped` and the rest is kept. The libraries
of the web formats (trafilatura, feedparser, warcio, charset-normalizer) are imported by
the first file that needs them, so a search never loads them.
"""

from __future__ import annotations

import codecs

from newsgrep.formats.common import ArticleFileError, clean_text
from newsgrep.formats.decoding import decode_text
from newsgrep.formats.plain import parse_markdown, parse_txt
from newsgrep.formats.records import parse_json_file
from newsgrep.model import ParsedFile

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ArticleFileError",
    "is_supported",
    "parse_appended_lines",
    "parse_article_file",
]

_TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".json", ".jsonl", ".ndjson"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_FEED_SUFFIXES = frozenset({".rss", ".atom", ".rdf"})
_OTHER_SUFFIXES = frozenset({".xml", ".eml", ".mbox", ".warc"})
# What a `.gz` may hold: any of the above.
INNER_SUFFIXES = _TEXT_SUFFIXES | _HTML_SUFFIXES | _FEED_SUFFIXES | _OTHER_SUFFIXES
SUPPORTED_SUFFIXES = INNER_SUFFIXES | {".gz"}


def suffix_of(name: str) -> str:
    return name[name.rfind(".") :].lower() if "." in name else ""


def is_supported(name: str) -> bool:
    """Whether a file called `name` is one newsgrep reads (`a.jsonl.gz` is; `a.tar.gz` is
    not, so an archive of another kind is never read)."""
    suffix = suffix_of(name)
    if suffix == ".gz":
        return suffix_of(name[:-3]) in INNER_SUFFIXES
    return suffix in SUPPORTED_SUFFIXES


def parse_article_file(name: str, data: bytes, *, max_size: int | None = None) -> ParsedFile:
    """Parse the bytes of the file called `name` (its suffix picks the format). A
    compressed file may inflate to at most `max_size` bytes (None: no limit).

    Raises:
        ArticleFileError: the file is empty, binary, undecodable, malformed, or holds no text.
    """
    suffix = suffix_of(name)
    if suffix == ".gz":
        inner = suffix_of(name[:-3])
        if inner not in INNER_SUFFIXES:
            raise ArticleFileError(f"unsupported file type {inner or '(none)'!r} inside .gz")
        from newsgrep.formats.compressed import gunzip

        data, suffix = gunzip(data, max_size), inner
    if suffix not in INNER_SUFFIXES:
        raise ArticleFileError(f"unsupported file type {suffix or '(none)'!r}")
    if not data.strip():
        raise ArticleFileError("empty file")
    parsed = ParsedFile()
    _parse(suffix, data, parsed, max_size)
    if not parsed.articles:
        first = parsed.skipped[0] if parsed.skipped else None
        reason = f"{first.where + ': ' if first.where else ''}{first.reason}" if first else ""
        raise ArticleFileError(f"no articles in file{' (' + reason + ')' if reason else ''}")
    return parsed


def _parse(suffix: str, data: bytes, parsed: ParsedFile, max_size: int | None) -> None:
    if suffix in _TEXT_SUFFIXES:
        _parse_text(suffix, data, parsed)
    elif suffix in _HTML_SUFFIXES:
        from newsgrep.formats.html import parse_page

        parsed.articles.append(parse_page(data, parsed.notes))
    elif suffix in _FEED_SUFFIXES or suffix == ".xml":
        from newsgrep.formats.feeds import is_feed, parse_feed, xml_root

        if suffix == ".xml" and not is_feed(data):
            root = xml_root(data)
            raise ArticleFileError(f"not a feed (an XML file{f' of <{root}>' if root else ''})")
        parse_feed(data, parsed)
    elif suffix in (".eml", ".mbox"):
        from newsgrep.formats.email import parse_eml, parse_mbox

        (parse_eml if suffix == ".eml" else parse_mbox)(data, parsed)
    else:
        from newsgrep.formats.warc import parse_warc

        parse_warc(data, parsed, max_size)


def _parse_text(suffix: str, data: bytes, parsed: ParsedFile) -> None:
    decoded = decode_text(data)
    if decoded.note:
        parsed.notes.append(decoded.note)
    text = clean_text(decoded.text)
    if suffix in (".json", ".jsonl", ".ndjson"):
        parse_json_file(
            text, line_records=suffix != ".json", into=parsed, encoding=decoded.encoding
        )
    elif suffix == ".txt":
        parsed.articles.append(parse_txt(text, parsed.notes, encoding=decoded.encoding))
    else:
        parsed.articles.append(parse_markdown(text, parsed.notes, encoding=decoded.encoding))


LINE_RECORD_SUFFIXES = frozenset({".jsonl", ".ndjson"})


def parse_appended_lines(
    name: str, data: bytes, old_size: int, old_ids: set[str]
) -> ParsedFile | None:
    """The articles of the lines appended to a JSON Lines file whose first `old_size` bytes
    were read before (and gave the record ids `old_ids`), as a parse of the whole file
    would give them; None when only reading the whole file can tell (not JSON Lines, not
    UTF-8 throughout, not cut at a line's end, or carriage returns that renumber lines).
    """
    suffix = suffix_of(name)
    prefix, tail = data[:old_size], data[old_size:]
    if suffix not in LINE_RECORD_SUFFIXES or not prefix.endswith(b"\n") or b"\r" in data:
        return None
    boms = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)
    if prefix.startswith(boms) or tail.startswith(codecs.BOM_UTF8):
        return None
    try:
        prefix.decode("utf-8")
        text = tail.decode("utf-8")
    except UnicodeDecodeError:
        return None
    parsed = ParsedFile()
    first_line = prefix.count(b"\n") + 1
    parse_json_file(
        clean_text(text),
        line_records=True,
        into=parsed,
        first_line=first_line,
        seen=set(old_ids),
        encoding="utf-8",
    )
    return parsed
