"""Email newsletters: `.eml` (one message) and `.mbox` (many), through the standard
library's `email` package. Each message is an article: its subject the title, its date,
its sender the source, its text the body (the plain part when it has one of substance,
else the HTML part as text); `Content-Language` its language and `Archived-At` its URL.
Attachments are never read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from functools import partial
from typing import Any

from newsgrep.formats.common import ArticleFileError, RecordIds, article_from_fields
from newsgrep.formats.decoding import decode_text
from newsgrep.formats.markup import fragment_text
from newsgrep.model import Article, ParsedFile, Skipped

# A plain part shorter than this beside an HTML part is a stub ("view this email in your
# browser"): the HTML part is the newsletter.
MIN_PLAIN_CHARS = 200

# The line that starts each message of an mbox file; `>From ` in a body is a quoted one.
_FROM_LINE = re.compile(rb"(?:\A|\n)From [^\n]*\n")
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_HEADER = re.compile(rb"\A(?:[!-9;-~]+:[^\n]*\n(?:[ \t][^\n]*\n)*)+", re.ASCII)


def parse_eml(data: bytes, into: ParsedFile) -> None:
    """The one message of an `.eml` file.

    Raises:
        ArticleFileError: not a message, or a message with neither subject nor text.
    """
    if not _HEADER.match(data.lstrip().replace(b"\r\n", b"\n")):
        raise ArticleFileError("not an email message (no header lines at the start)")
    into.articles.append(_read_message(data, lambda _: "", into.notes, where=""))


def parse_mbox(data: bytes, into: ParsedFile) -> None:
    """Every message of an mbox file (mboxo or mboxrd), each an article.

    Raises:
        ArticleFileError: not an mbox file.
    """
    data = data.replace(b"\r\n", b"\n")
    starts = list(_FROM_LINE.finditer(data))
    if not starts or starts[0].start() != 0:
        raise ArticleFileError("not an mbox file (it does not start with a 'From ' line)")
    ids = RecordIds()
    for number, start in enumerate(starts, start=1):
        end = starts[number].start() if number < len(starts) else len(data)
        raw = _QUOTED_FROM.sub(rb"\1", data[start.end() : end])
        where = f"message {number}"
        name = partial(_record_name, ids, number)
        try:
            into.articles.append(_read_message(raw, name, into.notes, where=where))
        except ArticleFileError as error:
            into.skipped.append(Skipped(where, str(error)))


def _record_name(ids: RecordIds, number: int, message: EmailMessage) -> str:
    return ids.make(_message_id(message), number)


def _read_message(
    data: bytes, name: Callable[[EmailMessage], str], notes: list[str], where: str
) -> Article:
    try:
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)  # what policy.default makes
        return _message_article(message, name(message), notes, where)
    except ArticleFileError:
        raise
    except Exception as error:  # a MIME structure the email package trips over
        raise ArticleFileError(f"not a readable message ({type(error).__name__})") from None


def _message_id(message: EmailMessage) -> str | None:
    value = _header(message, "message-id")
    return value.strip().strip("<>") if value else None


def _message_article(message: EmailMessage, record: str, notes: list[str], where: str) -> Article:
    body, encoding = _body(message, notes, where)
    fields: dict[str, Any] = {
        "title": _header(message, "subject"),
        "date": _date(message),
        "source": _sender(message),
        "url": (_header(message, "archived-at") or "").strip().strip("<>") or None,
        "lang": (_header(message, "content-language") or "").split(",")[0],
    }
    return article_from_fields(
        record, fields, body, notes, where=where, markup=False, encoding=encoding
    )


def _header(message: EmailMessage, name: str) -> str | None:
    """A header's decoded value; a header too broken to decode counts as absent."""
    try:
        value = message.get(name)
    except Exception:  # the email package's header classes raise on some malformed input
        return None
    return str(value) if value is not None else None


def _date(message: EmailMessage) -> Any:
    try:
        value = message.get("date")
        parsed = getattr(value, "datetime", None)
    except Exception:
        return None
    return parsed if parsed is not None else (str(value) if value else None)


def _sender(message: EmailMessage) -> str | None:
    """The sender's name, else their address."""
    try:
        value = message.get("from")
        addresses = getattr(value, "addresses", ())
    except Exception:
        return None
    for address in addresses:
        if address.display_name or address.addr_spec:
            return str(address.display_name or address.addr_spec)
    return str(value) if value else None


def _body(message: EmailMessage, notes: list[str], where: str) -> tuple[str, str | None]:
    """The message's text and the encoding it was read in: the plain part, unless it is a
    stub beside an HTML part; an HTML part as text."""
    plain = _part_text(message.get_body(preferencelist=("plain",)), notes, where)
    html = None
    if plain is None or len(plain[0].strip()) < MIN_PLAIN_CHARS:
        html = _part_text(message.get_body(preferencelist=("html",)), notes, where)
    if html is not None and html[0].strip():
        return fragment_text(html[0]), html[1]
    return plain if plain is not None else ("", None)


def _part_text(part: Message | None, notes: list[str], where: str) -> tuple[str, str] | None:
    """A part's text in its declared charset (or as newsgrep decodes text that has none)."""
    if part is None:
        return None
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        return None
    try:
        decoded = decode_text(payload, part.get_content_charset())
    except ArticleFileError as error:
        notes.append(f"{where + ': ' if where else ''}a text part was not read: {error}")
        return None
    return decoded.text, decoded.encoding
