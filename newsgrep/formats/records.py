"""JSON articles: `.json` (one object, or a list of them) and `.jsonl`/`.ndjson` (one object
per line). A bad record is skipped with its reason; the rest is kept."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from newsgrep.formats.common import ArticleFileError, RecordIds, article_from_fields
from newsgrep.model import ParsedFile, Skipped


def parse_json_file(
    text: str,
    *,
    line_records: bool,
    into: ParsedFile,
    first_line: int = 1,
    seen: set[str] | None = None,
    encoding: str | None = None,
) -> None:
    """The articles of a JSON (`line_records` False) or JSON Lines `text` into `into`. A
    record's keys besides those newsgrep reads become its own fields; a body in HTML is
    read as text. For lines appended to a file already read: `first_line` is the number of
    the first, `seen` the record ids the file's earlier lines took (a repeated id is told
    apart by its line).

    Raises:
        ArticleFileError: a JSON file that is not valid JSON.
    """
    ids = RecordIds(seen)
    for position, record, where in _json_records(text, line_records, into, first_line):
        if not isinstance(record, dict):
            into.skipped.append(Skipped(where, "not a JSON object"))
            continue
        record_id = _record_id(record, position, ids)
        try:
            article = article_from_fields(
                record_id, record, None, into.notes, where=where, encoding=encoding
            )
        except ArticleFileError as error:
            into.skipped.append(Skipped(where, str(error)))
            continue
        into.articles.append(article)


def _json_records(
    text: str, line_records: bool, into: ParsedFile, first_line: int = 1
) -> Iterator[tuple[int, Any, str]]:
    """(position, record, where) triples; position 0 marks a file's only object."""
    if line_records:
        for number, line in enumerate(text.split("\n"), start=first_line):
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


def _record_id(record: Mapping[str, Any], position: int, ids: RecordIds) -> str:
    """A record's name in its file; a file's only object (position 0) without an id of
    its own is the file itself ("")."""
    raw = record.get("id")
    has_id = not isinstance(raw, bool) and isinstance(raw, str | int) and bool(str(raw).strip())
    if position == 0 and not has_id:
        return ""
    return ids.make(raw, position)
