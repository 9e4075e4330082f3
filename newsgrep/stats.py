"""What an index holds: article count, date span, sources, size, freshness and folders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from newsgrep.search import Facet, SearchSession
from newsgrep.store import IndexStore


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
        index_bytes=sum(path.stat().st_size for path in index_dir.iterdir() if path.is_file()),
        folders=tuple(manifest.folders) if manifest else (),
        updated=manifest.updated if manifest else None,
    )
