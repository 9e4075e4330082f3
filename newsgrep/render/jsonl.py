"""The machine output contract: one JSON object per hit per line (JSON Lines).

Fields are documented in the README; `v` is the format version and changes whenever a
field's meaning does. Written with the standard library only, never through Rich.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from newsgrep.dates import format_date
from newsgrep.render.common import display_path
from newsgrep.search import Hit, SearchResult

FORMAT_VERSION = 1


def hit_record(hit: Hit) -> dict[str, Any]:
    """The JSON object for one hit."""
    return {
        "v": FORMAT_VERSION,
        "rank": hit.rank,
        "id": hit.id,
        "path": display_path(hit.path),
        "title": hit.title,
        "date": format_date(hit.date),
        "source": hit.source,
        "url": hit.url,
        "tags": list(hit.tags),
        "score": None if hit.score is None else round(hit.score, 4),
        "snippets": [
            {"text": snippet.text, "spans": [list(span) for span in snippet.spans]}
            for snippet in hit.snippets
        ],
    }


def write_jsonl(result: SearchResult, out: TextIO) -> None:
    for hit in result.hits:
        # Unpaired surrogates (from odd file names) must not stop the stream.
        line = json.dumps(hit_record(hit), ensure_ascii=False)
        out.write(line.encode("utf-8", "replace").decode("utf-8") + "\n")
