"""What an index holds: article count, date span, sources, size (and what each part of the
index takes), freshness and folders."""

from __future__ import annotations

from pathlib import Path

from newsgrep import manifest as manifest_file
from newsgrep.engine.folder import IndexStore
from newsgrep.engine.index import Index
from newsgrep.engine.session import SearchSession
from newsgrep.model import Facet, IndexStats

# A commit that comes just after the session opened removes the manifest of the generation
# it reads: the stats are then taken again, from the new generation.
_ATTEMPTS = 3


def index_stats(index_dir: Path) -> IndexStats:
    """Describe the index at `index_dir`.

    Raises:
        IndexNotFoundError, IndexVersionError: no usable index.
    """
    for attempt in range(1, _ATTEMPTS + 1):
        with SearchSession(index_dir) as session:
            # The manifest of the generation the session reads, not the newest on disk.
            manifest = manifest_file.read(index_dir, session.generation)
            newer = IndexStore(index_dir).latest_generation() > session.generation
            if manifest is None and newer and attempt < _ATTEMPTS:
                continue
            articles = session.article_count()
            first, last = session.date_span()
            sources = tuple(session.count_by(Facet.SOURCE))
            break
    deleted, wasted = Index.open(IndexStore(index_dir)).waste()
    parts = IndexStore(index_dir).parts()
    roots = manifest.folders if manifest else []
    # A root that is a file of the manifest was given by itself (`newsgrep index -` gives
    # every file so): it is listed as a file, not as a folder.
    lone = {root for root in roots if manifest is not None and root in manifest.files}
    return IndexStats(
        articles=articles,
        first_date=first,
        last_date=last,
        sources=sources,
        index_bytes=sum(size for _, size in parts),
        folders=tuple(root for root in roots if root not in lone),
        updated=manifest.updated if manifest else None,
        deleted_articles=deleted,
        reclaimable_bytes=wasted,
        files=tuple(sorted(lone)),
        excludes=tuple((k, tuple(v)) for k, v in sorted(manifest.excludes.items()))
        if manifest
        else (),
        parts=tuple(parts),
    )
