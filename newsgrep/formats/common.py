"""What every format shares: the error that skips a file, cleaning decoded text, titles
for articles that give none, language tags, and turning a format's fields into an
`Article` (with the record's other keys as its own searchable fields)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from newsgrep.formats.markup import fragment_text, looks_like_html
from newsgrep.model import Article, Fields
from newsgrep.text.dates import parse_article_date

# A first line up to this long, followed by a blank line, is a headline.
HEADLINE_MAX_CHARS = 150


# A title made from the first sentence is cut (at a word) to about this length.
DERIVED_TITLE_MAX_CHARS = 120


class ArticleFileError(Exception):
    """The whole file cannot be indexed; the message is the one-line reason."""


def replace_lone_surrogates(text: str) -> str:
    """`text` with unpaired surrogates (from JSON escapes or odd file names) as U+FFFD;
    they cannot be encoded, so no index or terminal can take them."""
    try:
        text.encode("utf-8")  # surrogates are the only code points UTF-8 cannot encode
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean_text(text: str) -> str:
    """Normalise line ends; drop NULs and unpaired surrogates."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if text.startswith("\ufeff"):
        text = text[1:]
    return replace_lone_surrogates(text)


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


BODY_KEYS = ("body", "text", "content")
LANG_KEYS = ("lang", "language")

# Keys that newsgrep reads itself, or that name what the index holds of every article:
# never one of a record's own fields.
OWN_KEYS = frozenset(
    {"title", "date", "source", "url", "id", "tags", "encoding", "fields", "path"}
    | set(BODY_KEYS)
    | set(LANG_KEYS)
)
# A record's field name, as `name:word` queries write it: lower-case ASCII letters, digits
# and `_` (a key's `-` and spaces become `_`: `news-desk` is `news_desk`).
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Bounds on what one record brings, so a record of thousands of keys cannot swell every
# article's stored fields and the index's field table.
MAX_FIELDS = 32
MAX_FIELD_VALUES = 100

# A language tag (BCP 47 as sources write it: `en`, `pt-BR`, `zh_Hans`), lower-cased.
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


# A record with neither title nor text is still an article if it says what it is
# (an archive's empty stub has an id and a date); one with nothing at all is skipped.
RECORD_KEYS = ("id", "date", "source", "url")


def article_from_fields(
    record: str,
    meta: Mapping[str, Any],
    text: str | None,
    notes: list[str],
    *,
    split_body: bool = False,
    where: str = "",
    markup: bool = True,
    own_fields: bool = True,
    encoding: str | None = None,
) -> Article:
    """Build an Article from metadata and text; `text` None means the body is in `meta`.
    With `markup`, a body written in HTML is read as the text it shows; with
    `own_fields`, the metadata's other keys become the article's own fields."""
    from_record = text is None
    if text is None:
        text = next((v for k in BODY_KEYS if isinstance(v := meta.get(k), str) and v.strip()), "")
    title = _string(meta.get("title"))
    body = clean_text(text).strip()
    if markup and looks_like_html(body):
        body = fragment_text(body)
    described = from_record and any(_string(meta.get(key)) for key in RECORD_KEYS)
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
        lang=language_tag(next((v for k in LANG_KEYS if (v := meta.get(k))), None)),
        fields=record_fields(meta) if own_fields else (),
        encoding=encoding,
    )


def language_tag(value: Any) -> str | None:
    """A declared language as a lower-case tag (`pt-BR` → `pt-br`); None for anything that
    is not one (`""`, `"unknown"`, `"English"`)."""
    if not isinstance(value, str):
        return None
    tag = value.strip().lower().replace("_", "-")
    return tag if _LANGUAGE_TAG.fullmatch(tag) else None


def record_fields(meta: Mapping[str, Any]) -> Fields:
    """The keys of `meta` that newsgrep does not read itself and that hold a string or a
    list of strings, as (name, values) pairs; other values (numbers, objects) are left."""
    fields: dict[str, tuple[str, ...]] = {}
    for key, value in meta.items():
        name = field_name(key)
        if name is None or name in OWN_KEYS or name in fields:
            continue
        values = field_values(value)
        if values:
            fields[name] = values
            if len(fields) == MAX_FIELDS:
                break
    return tuple(fields.items())


def field_name(key: Any) -> str | None:
    """A key as a field name (`News-Desk` → `news_desk`), or None if it cannot be one."""
    if not isinstance(key, str):
        return None
    name = "_".join(key.strip().lower().replace("-", " ").split())
    return name if _FIELD_NAME.fullmatch(name) else None


def field_values(value: Any) -> tuple[str, ...]:
    """A string, or the strings of a list, cleaned and without repeats."""
    items = value if isinstance(value, list | tuple) else [value]
    strings = (
        cleaned
        for item in items[:MAX_FIELD_VALUES]
        if isinstance(item, str) and (cleaned := " ".join(clean_text(item).split()))
    )
    return tuple(dict.fromkeys(strings))


class RecordIds:
    """Names the articles of a file that holds several: `#` and the record's own id (a
    JSON `id`, a feed item's guid, a message's Message-ID), else `#` and its position; a
    name already taken in the file gets `@position` added."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._seen: set[str] = set(taken or ())

    def make(self, raw: Any, position: int) -> str:
        has_id = not isinstance(raw, bool) and isinstance(raw, str | int)
        own = clean_text(str(raw)).strip() if has_id else ""
        record_id = f"#{own}" if own else f"#{position}"
        while record_id in self._seen:  # the same name twice in one file
            record_id += f"@{position}"
        self._seen.add(record_id)
        return record_id


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
