"""What an index holds: article count, date span, sources, size, freshness and folders."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from newsgrep.engine.session import Facet, SearchSession
from newsgrep.engine.store import IndexStore


@dataclass(frozen=True, slots=True)
class IndexStats:
    articles: int
    first_date: dt.datetime | None
    last_date: dt.datetime | None
    sources: tuple[tuple[str, int], ...]  # by count; "" for articles without a source
    index_bytes: int
    folders: tuple[str, ...]
    updated: str | None  # when the last indexing run finished (ISO, UTC)


def index_stats(index_dir: Path) -> IndexStats:
    """Describe the index at `index_dir`.

    Raises:
        IndexNotFoundError, IndexVersionError: no usable index.
    """
    with SearchSession(index_dir) as session:
        articles = session.article_count()
        first, last = session.date_span()
        sources = tuple(session.count_by(Facet.SOURCE))
    manifest = IndexStore(index_dir).current_manifest()
    return IndexStats(
        articles=articles,
        first_date=first,
        last_date=last,
        sources=sources,
        index_bytes=_folder_bytes(index_dir),
        folders=tuple(manifest.folders) if manifest else (),
        updated=manifest.updated if manifest else None,
    )


def _folder_bytes(folder: Path) -> int:
    """The size of the files in `folder`; a file an indexing run deletes meanwhile is skipped."""
    total = 0
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if path.is_file():
                total += path.stat().st_size
    return total
