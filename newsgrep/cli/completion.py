"""What the shell completes beyond Typer's own (commands, options, choices): the ids of the
index's articles after `show` and `similar`, and field names in a query (`ti<TAB>` →
`title:`). Read from the index's manifest, which is JSON: a TAB loads no Whoosh.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import typer

from newsgrep import manifest
from newsgrep.cli.resolve import DEFAULT_INDEX

# The fields every index has (engine.query.QUERY_FIELDS, which a TAB should not load
# Whoosh for: a test keeps the two equal), and the date words of the query.
FIELDS = ("title", "body", "date", "source", "url", "tags", "id", "lang", "since", "until")
MOST = 200  # ids offered at once: a shell shows no more usefully


def _index_of(ctx: typer.Context) -> Path:
    """--index as typed so far (a string while the shell asks), else NEWSGREP_INDEX."""
    source = ctx.get_parameter_source("index_dir")
    given = ctx.params.get("index_dir")
    if given and source is not None and source.name == "COMMANDLINE":
        return Path(given)
    return Path(os.environ.get("NEWSGREP_INDEX") or DEFAULT_INDEX)


def article_ids(index_dir: Path) -> list[str]:
    """The ids of the articles the index's newest manifest lists, in path order."""
    generations = [manifest.generation_of(path.name) for path in index_dir.glob("manifest-*")]
    numbers = [number for number in generations if number is not None]
    if not numbers:
        return []
    found = manifest.read(index_dir, max(numbers))
    if found is None:
        return []
    ids: list[str] = []
    for _path, entry in sorted(found.files.items()):
        if entry.skip is not None:
            continue
        if entry.records:
            ids.extend(entry.id + record for record, _ in entry.records)
        else:
            ids.append(entry.id)
    return ids


def complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Article ids that start with what was typed (show, similar)."""
    try:
        ids = article_ids(_index_of(ctx))
    except (OSError, ValueError):
        return []
    return [found for found in ids if found.startswith(incomplete)][:MOST]


def complete_query(incomplete: str) -> list[str]:
    """A field name and its colon, for the last word typed (`ti` → `title:`)."""
    word = re.split(r"[\s(]", incomplete)[-1]
    head = incomplete[: len(incomplete) - len(word)]
    if not word or ":" in word or word.startswith("-"):
        return []
    return [f"{head}{name}:" for name in FIELDS if name.startswith(word.lower())]
