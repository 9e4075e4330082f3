"""Article files in, `Article` values out: the formats newsgrep reads, and nothing about
indexing. One module per family of formats (`plain`, `records`), the decoding of bytes
that they share (`decoding`), and what they have in common (`common`).

A format is chosen by the file's suffix. A file that cannot be read raises
`ArticleFileError`; a bad record inside a multi-article file is reported in
`ParsedFile.skipped` and the rest is kept.
"""

from __future__ import annotations

import codecs

from newsgrep.formats.common import ArticleFileError, clean_text
from newsgrep.formats.decoding import decode_text
from newsgrep.formats.plain import parse_markdown, parse_txt
from newsgrep.formats.records import parse_json_file
from newsgrep.model import ParsedFile

__all__ = ["SUPPORTED_SUFFIXES", "ArticleFileError", "parse_appended_lines", "parse_article_file"]


SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".json", ".jsonl", ".ndjson"})


def parse_article_file(name: str, data: bytes) -> ParsedFile:
    """Parse the bytes of the file called `name` (its suffix picks the format).

    Raises:
        ArticleFileError: the file is empty, binary, undecodable, malformed, or holds no text.
    """
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleFileError(f"unsupported file type {suffix or '(none)'!r}")
    if not data.strip():
        raise ArticleFileError("empty file")
    text, encoding = decode_text(data)
    parsed = ParsedFile()
    if encoding != "utf-8":
        parsed.notes.append(f"decoded as {encoding}")
    text = clean_text(text)
    if suffix in (".json", ".jsonl", ".ndjson"):
        parse_json_file(text, line_records=suffix != ".json", into=parsed)
    elif suffix == ".txt":
        parsed.articles.append(parse_txt(text, parsed.notes))
    else:
        parsed.articles.append(parse_markdown(text, parsed.notes))
    if not parsed.articles:
        first = parsed.skipped[0] if parsed.skipped else None
        reason = f"{first.where + ': ' if first.where else ''}{first.reason}" if first else ""
        raise ArticleFileError(f"no articles in file{' (' + reason + ')' if reason else ''}")
    return parsed


LINE_RECORD_SUFFIXES = frozenset({".jsonl", ".ndjson"})


def parse_appended_lines(
    name: str, data: bytes, old_size: int, old_ids: set[str]
) -> ParsedFile | None:
    """The articles of the lines appended to a JSON Lines file whose first `old_size` bytes
    were read before (and gave the record ids `old_ids`), as a parse of the whole file
    would give them; None when only reading the whole file can tell (not JSON Lines, not
    UTF-8 throughout, not cut at a line's end, or carriage returns that renumber lines).
    """
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
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
        clean_text(text), line_records=True, into=parsed, first_line=first_line, seen=set(old_ids)
    )
    return parsed
