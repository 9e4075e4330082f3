"""Article files in, `Article` values out: the formats newsgrep reads, and nothing about indexing.

Formats, chosen by suffix: `.txt` (an optional leading `date YYYY-MM-DD`, an optional header
block of `Title:`/`Date:`/`Source:`/`URL:`/`Tags:` lines, then text), `.md`/`.markdown`
(optional YAML front matter), and `.json`/`.jsonl`/`.ndjson` (one article per object).
Bytes are decoded as UTF-8, else as a declared encoding, else as Windows-1252 when that
reads as text. A file that cannot be read raises `ArticleFileError`; a bad record inside a
multi-article file is reported in `ParsedFile.skipped` and the rest is kept.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from newsgrep.model import Article, ParsedFile, Skipped
from newsgrep.paths import SURROGATE
from newsgrep.text.dates import parse_article_date

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".json", ".jsonl", ".ndjson"})

# A first line up to this long, followed by a blank line, is a headline.
HEADLINE_MAX_CHARS = 150
# A title made from the first sentence is cut (at a word) to about this length.
DERIVED_TITLE_MAX_CHARS = 120


class ArticleFileError(Exception):
    """The whole file cannot be indexed; the message is the one-line reason."""


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
        _parse_json_file(text, line_records=suffix != ".json", into=parsed)
    elif suffix == ".txt":
        parsed.articles.append(_parse_txt(text, parsed.notes))
    else:
        parsed.articles.append(_parse_markdown(text, parsed.notes))
    if not parsed.articles:
        first = parsed.skipped[0] if parsed.skipped else None
        reason = f"{first.where + ': ' if first.where else ''}{first.reason}" if first else ""
        raise ArticleFileError(f"no articles in file{' (' + reason + ')' if reason else ''}")
    return parsed


# --- decoding ---------------------------------------------------------------------------

_DECLARED_ENCODING = re.compile(
    rb"""(?:charset|encoding|coding)\s*[:=]\s*["']?([A-Za-z0-9_.:-]+)"""
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns the text and the encoding used.

    Raises:
        ArticleFileError: binary data, or bytes that no likely encoding reads as text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as error:
                raise ArticleFileError(f"invalid {encoding} text: {error.reason}") from None
    if b"\x00" in data[:8192]:
        raise ArticleFileError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_ENCODING.search(data[:2048])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(codecs.lookup(name).name), name
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    if text and not _CONTROL_CHARS.search(text):
        return text, "cp1252"
    raise ArticleFileError("not UTF-8, and no declared or likely encoding reads it as text")


def replace_lone_surrogates(text: str) -> str:
    """`text` with unpaired surrogates (from JSON escapes or odd file names) as U+FFFD;
    they cannot be encoded, so no index or terminal can take them."""
    if not SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def clean_text(text: str) -> str:
    """Normalise line ends; drop NULs and unpaired surrogates."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if text.startswith("\ufeff"):
        text = text[1:]
    return replace_lone_surrogates(text)


# --- titles -----------------------------------------------------------------------------

# A sentence ends at . ! or ? (and any closing quote or bracket) before a space and a capital
# or an opening quote; a single capital letter before the dot ("U.S.") does not end one.
_SENTENCE_END = re.compile(
    r"""(?<!\b[A-Z])(?<!\bMr|\bMs|\bDr|\bSt)(?<!\bMrs)[.!?]["'”’)\]]*(?=\s+["“‘(\[]?[A-Z0-9])"""
)


def split_title(text: str) -> tuple[str, str]:
    """A title for text that has none, and the body that remains.

    A short first line followed by a blank line is a headline and leaves the body;
    otherwise the title is the first sentence, trimmed, and the body keeps all the text.
    """
    found = headline(text)
    if found is not None:
        return found
    stripped = text.strip()
    return first_sentence(stripped), stripped


def headline(text: str) -> tuple[str, str] | None:
    """(headline, rest) when the text opens with a short line and a blank line, else None."""
    first, _, rest = text.strip().partition("\n")
    first = first.strip()
    blank_line_follows = bool(rest) and not rest.partition("\n")[0].strip()
    if blank_line_follows and len(first) <= HEADLINE_MAX_CHARS:
        return first, rest.strip()
    return None


def first_sentence(text: str) -> str:
    """The first sentence of `text` on one line, cut at a word to a title's length."""
    end = _SENTENCE_END.search(text)
    sentence = " ".join((text[: end.end()] if end else text).split())
    if len(sentence) <= DERIVED_TITLE_MAX_CHARS:
        return sentence
    cut = sentence.rfind(" ", 0, DERIVED_TITLE_MAX_CHARS)
    return sentence[: cut if cut > 0 else DERIVED_TITLE_MAX_CHARS].rstrip(" ,;:-–—") + "…"


# --- plain text -------------------------------------------------------------------------

_DATE_PREFIX = re.compile(r"\s*date\s+(\d{4}-\d{2}-\d{2})(?![\d-])[ \t]*", re.IGNORECASE)
_HEADER_LINE = re.compile(r"(title|date|source|url|tags)[ \t]*:[ \t]*(.*)", re.IGNORECASE)


def _parse_txt(text: str, notes: list[str]) -> Article:
    meta: dict[str, str] = {}
    prefix = _DATE_PREFIX.match(text)
    if prefix:
        meta["date"] = prefix.group(1)
        text = text[prefix.end() :]
    text, header = _split_header_block(text)
    meta.update(header)
    return _article_from_fields("", meta, text, notes, split_body=True)


def _split_header_block(text: str) -> tuple[str, dict[str, str]]:
    lines = text.lstrip("\n").split("\n")
    header: dict[str, str] = {}
    for count, line in enumerate(lines):
        match = _HEADER_LINE.fullmatch(line.strip())
        if match and match.group(1).lower() not in header:
            header[match.group(1).lower()] = match.group(2).strip()
            continue
        if not header:
            return text, {}
        return "\n".join(lines[count:]), header
    return "", header


# --- markdown ---------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)", re.DOTALL)
_ATX_HEADING = re.compile(r"\s*#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*(?:\n|$)")


def _parse_markdown(text: str, notes: list[str]) -> Article:
    meta: Mapping[str, Any] = {}
    if text.startswith("---"):
        front = _FRONT_MATTER.match(text)
        if not front:
            raise ArticleFileError("malformed front matter: no closing '---' line")
        meta = _load_front_matter(front.group(1) or "")
        text = text[front.end() :]
    if not meta.get("title"):
        heading = _ATX_HEADING.match(text)
        if heading:
            meta = {**meta, "title": heading.group(1)}
            text = text[heading.end() :]
    return _article_from_fields("", meta, text, notes, split_body=True)


def _load_front_matter(source: str) -> Mapping[str, Any]:
    import yaml  # only Markdown with front matter pays for the YAML parser

    try:
        loaded = yaml.load(source, Loader=_front_matter_loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ArticleFileError(f"malformed front matter{where}: {problem}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ArticleFileError("malformed front matter: expected 'key: value' lines")
    return {str(key).lower(): value for key, value in loaded.items()}


@cache
def _front_matter_loader() -> Any:
    """A SafeLoader that keeps an impossible date (`2025-02-30`) as text, not a crash."""
    import yaml

    class FrontMatterLoader(yaml.SafeLoader):
        def construct_yaml_timestamp(self, node: Any) -> Any:
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:
                return self.construct_scalar(node)

    FrontMatterLoader.add_constructor(
        "tag:yaml.org,2002:timestamp", FrontMatterLoader.construct_yaml_timestamp
    )
    return FrontMatterLoader


# --- JSON -------------------------------------------------------------------------------

_BODY_KEYS = ("body", "text", "content")
# A record with neither title nor text is still an article if it says what it is
# (an archive's empty stub has an id and a date); one with nothing at all is skipped.
_RECORD_KEYS = ("id", "date", "source", "url")


def _parse_json_file(text: str, *, line_records: bool, into: ParsedFile) -> None:
    seen: set[str] = set()
    for position, record, where in _json_records(text, line_records, into):
        if not isinstance(record, dict):
            into.skipped.append(Skipped(where, "not a JSON object"))
            continue
        record_id = _record_id(record, position, seen, single=position == 0)
        try:
            article = _article_from_fields(record_id, record, None, into.notes, where=where)
        except ArticleFileError as error:
            into.skipped.append(Skipped(where, str(error)))
            continue
        into.articles.append(article)


def _json_records(
    text: str, line_records: bool, into: ParsedFile
) -> Iterator[tuple[int, Any, str]]:
    """(position, record, where) triples; position 0 marks a file's only object."""
    if line_records:
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line), f"line {number}"
            except ValueError as error:
                into.skipped.append(
                    Skipped(f"line {number}", f"invalid JSON: {_json_reason(error)}")
                )
        return
    try:
        loaded = json.loads(text)
    except ValueError as error:
        raise ArticleFileError(f"invalid JSON: {_json_reason(error)}") from None
    if isinstance(loaded, list):
        for number, record in enumerate(loaded, start=1):
            yield number, record, f"record {number}"
    else:
        yield 0, loaded, ""


def _json_reason(error: ValueError, *, within_line: bool = False) -> str:
    if not isinstance(error, json.JSONDecodeError):
        return str(error)
    if within_line:
        return f"{error.msg} (column {error.colno})"
    return f"{error.msg} (line {error.lineno}, column {error.colno})"


def _record_id(record: Mapping[str, Any], position: int, seen: set[str], *, single: bool) -> str:
    raw = record.get("id")
    has_id = not isinstance(raw, bool) and isinstance(raw, str | int) and bool(str(raw).strip())
    if not has_id:
        if single:
            return ""
        record_id = f"#{position}"
    else:
        record_id = "#" + clean_text(str(raw)).strip()
    while record_id in seen:  # the same name twice in one file: tell them apart by position
        record_id += f"@{position}"
    seen.add(record_id)
    return record_id


# --- shared: fields to Article ----------------------------------------------------------


def _article_from_fields(
    record: str,
    meta: Mapping[str, Any],
    text: str | None,
    notes: list[str],
    *,
    split_body: bool = False,
    where: str = "",
) -> Article:
    """Build an Article from metadata and text; `text` None means the body is in `meta`."""
    from_record = text is None
    if text is None:
        text = next((v for k in _BODY_KEYS if isinstance(v := meta.get(k), str) and v.strip()), "")
    title = _string(meta.get("title"))
    body = clean_text(text).strip()
    described = from_record and any(_string(meta.get(key)) for key in _RECORD_KEYS)
    if not title and not body and not described:
        raise ArticleFileError("no title and no text")
    title_from_body = False
    if not title and body:
        found = headline(body)
        if found is None:
            title, title_from_body = first_sentence(body), True
        else:
            title = found[0]
            body = found[1] if split_body else body
    prefix = f"{where}: " if where else ""
    return Article(
        record=record,
        title=" ".join((title or "").split()),
        body=body,
        date=_date(meta.get("date"), notes, prefix),
        source=_string(meta.get("source")),
        url=_string(meta.get("url")),
        tags=_tags(meta.get("tags")),
        title_from_body=title_from_body,
    )


def _string(value: Any) -> str | None:
    if isinstance(value, dt.date):  # YAML reads `title: 2025-05-15` as a date
        return value.isoformat()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        cleaned = clean_text(str(value)).strip()
        return cleaned or None
    return None


def _date(value: Any, notes: list[str], prefix: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value
        try:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        except OverflowError:  # 9999-12-31 23:00-05:00 is in the year 10000 in UTC
            notes.append(f"{prefix}date {str(value)[:40]!r} is out of range, ignored")
            return None
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    parsed = parse_article_date(str(value)) if isinstance(value, str) else None
    if parsed is None:
        notes.append(f"{prefix}unreadable date {str(value)[:40]!r} ignored")
    return parsed


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return ()
    tags = (_string(item) for item in items)
    return tuple(dict.fromkeys(tag for tag in tags if tag))
