"""The machine output contract: JSON Lines, written with the standard library, never Rich.

Every object carries `"v": 1`, the format version; a field's meaning never changes without
a new version. The fields are documented in docs/json.md.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

from newsgrep.model import Fields, Hit, SearchResult, Span
from newsgrep.paths import SURROGATE
from newsgrep.render.common import display_path
from newsgrep.text.dates import format_date

if TYPE_CHECKING:  # the values of check, show and stats: a search loads none
    from newsgrep.findings import CheckReport, Finding, RepairReport
    from newsgrep.model import IndexStats, ShownArticle

FORMAT_VERSION = 1

_ESCAPED = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def hit_record(hit: Hit) -> dict[str, Any]:
    """The JSON object for one hit."""
    return {
        "v": FORMAT_VERSION,
        "rank": hit.rank,
        "id": hit.id,
        **_path_fields(hit.path),
        "title": hit.title,
        "date": format_date(hit.date),
        "source": hit.source,
        "url": hit.url,
        "tags": list(hit.tags),
        "lang": hit.lang,
        "fields": _fields(hit.fields),
        "score": None if hit.score is None else round(hit.score, 4),
        "snippets": [
            {"text": snippet.text, "spans": _spans(snippet.spans)} for snippet in hit.snippets
        ],
        "duplicates": list(hit.duplicates),
    }


def summary_record(result: SearchResult) -> dict[str, Any]:
    """The summary object that ends a query's hits with --summary."""
    return {
        "v": FORMAT_VERSION,
        "type": "summary",
        "query": result.query,
        "total": result.total,
        "shown": len(result.hits),
        "all_words": result.all_words,
        "suggestion": result.suggestion,
        "notices": list(result.notices),
        "seconds": round(result.seconds, 4),
    }


def article_record(shown: ShownArticle) -> dict[str, Any]:
    """The JSON object for a whole article (`newsgrep show --json`)."""
    article = shown.article
    return {
        "v": FORMAT_VERSION,
        "id": article.id,
        **_path_fields(article.path),
        "title": article.title,
        "date": format_date(article.date),
        "source": article.source,
        "url": article.url,
        "tags": list(article.tags),
        "lang": article.lang,
        "lang_detected": article.lang_detected,
        "encoding": article.encoding,
        "fields": _fields(article.fields),
        "body": article.body,
        "title_spans": _spans(shown.title_spans),
        "body_spans": _spans(shown.body_spans),
    }


def stats_record(stats: IndexStats, index_dir: str) -> dict[str, Any]:
    """The JSON object of `newsgrep stats --json`."""
    return {
        "v": FORMAT_VERSION,
        "index": index_dir,
        "articles": stats.articles,
        "first_date": format_date(stats.first_date),
        "last_date": format_date(stats.last_date),
        "sources": [{"source": name or None, "count": count} for name, count in stats.sources],
        "index_bytes": stats.index_bytes,
        "parts": [{"part": name, "bytes": size} for name, size in stats.parts],
        "deleted_articles": stats.deleted_articles,
        "reclaimable_bytes": stats.reclaimable_bytes,
        "folders": list(stats.folders),
        "files": list(stats.files),
        "excludes": {folder: list(globs) for folder, globs in stats.excludes},
        "updated": stats.updated,
    }


def check_record(report: CheckReport, repaired: RepairReport | None = None) -> dict[str, Any]:
    """The JSON object of `newsgrep check`: the (final) check, and what --repair did."""
    return {
        "v": FORMAT_VERSION,
        "index": report.index_dir,
        "healthy": report.healthy,
        "schema_version": report.schema_version,
        "generation": report.generation,
        "articles": report.articles,
        "files": report.files,
        "skipped_files": report.skipped_files,
        "folders": list(report.folders),
        "problems": [_finding(finding) for finding in report.problems],
        "notes": [_finding(finding) for finding in report.notes],
        "repair": report.repair,
        "repaired": None
        if repaired is None
        else {
            "found": [_finding(finding) for finding in repaired.before.problems],
            "actions": list(repaired.actions),
            "warnings": list(repaired.warnings),
        },
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "path": finding.path,
        "message": finding.message,
        "detail": finding.detail,
    }


def counts_record(by: str, counts: list[tuple[str, int]]) -> dict[str, Any]:
    """Counts per month, year or source (`--by`, `--timeline`); "" buckets become null."""
    return {
        "by": by,
        "counts": [{"key": key or None, "count": count} for key, count in counts],
    }


def _path_fields(path: str) -> dict[str, Any]:
    """`path` as shown, and, for a file name that is not UTF-8, its exact bytes in base64
    (`path` then has U+FFFD for each byte that is not UTF-8, as `id` does)."""
    shown = display_path(path)
    exact = None
    if SURROGATE.search(shown):
        exact = base64.b64encode(os.fsencode(shown)).decode("ascii")
    return {"path": shown, "path_bytes": exact}


def _fields(fields: Fields) -> dict[str, list[str]]:
    return {name: list(values) for name, values in fields}


def _spans(spans: tuple[Span, ...]) -> list[list[int]]:
    return [list(span) for span in spans]


def write_jsonl(result: SearchResult, out: TextIO, tags: Mapping[str, Any] | None = None) -> None:
    """One object per hit; `tags` (e.g. the batch query and line) are added to each."""
    for hit in result.hits:
        record = hit_record(hit)
        if tags:
            record.update(tags)
        write_object(record, out)


def write_object(record: Mapping[str, Any], out: TextIO) -> None:
    """One JSON object on one line."""
    line = json.dumps(record, ensure_ascii=False)
    # Lone surrogates (the bytes of file names that are not UTF-8) are not characters, and
    # strict JSON readers reject them: each becomes U+FFFD, as article text does.
    line = SURROGATE.sub("\ufffd", line)
    # C1 controls, Unicode line breaks and bidi controls are escaped (\u0085), as JSON
    # allows: the text is the same to a JSON reader, but a line splitter that knows Unicode
    # (Python's splitlines) sees one line per object, and a terminal shows it inert.
    out.write(_ESCAPED.sub(_escape, line) + "\n")


def _escape(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"
