"""The index as the browse view uses it: one `SearchSession` for the whole view, opened
once, asked from worker threads one at a time.

Textual runs each search in a worker thread so that typing never waits for one; a thread
cannot be stopped half-way, so a search the user has typed past still runs to its end
while the next one starts. The lock keeps the two from reading the session's searcher at
once (Whoosh's searcher is not made for that); the worker of the stale one is cancelled,
and its result dropped (see `app`). No Textual here.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from newsgrep.cli.fullscreen.state import ViewState
from newsgrep.engine.session import SearchSession
from newsgrep.errors import ArticleNotFoundError
from newsgrep.model import Facet, SearchResult, ShownArticle


class Library:
    """The open index. `open` may raise what `SearchSession` raises (no index, an index of
    another version); the view shows it and stays up."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._session: SearchSession | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        """Open the index (again, after a failure); a no-op once open.

        Raises:
            NewsgrepError: no usable index.
        """
        with self._lock:
            if self._session is None:
                self._session = SearchSession(self.index_dir).__enter__()

    @property
    def is_open(self) -> bool:
        return self._session is not None

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.__exit__(None, None, None)
                self._session = None

    def _opened(self) -> SearchSession:
        if self._session is None:
            raise RuntimeError("Library.open first")  # the view asks only once it opened
        return self._session

    def search(self, state: ViewState, *, correct: bool = True) -> SearchResult:
        """The hits `state` asks for: its query's, or the articles like `state.like`.
        Without `correct`, never the hits of the query's correction (a suggestion only),
        whatever the request says.

        Raises:
            NewsgrepError: a query or a date that cannot be read; no such article.
        """
        request = state.request()
        if not correct:
            request = replace(request, correct=False)
        with self._lock:
            session = self._opened()
            if state.like is not None:
                return session.similar(state.like, request)
            return session.search(request)

    def timeline(self, state: ViewState) -> tuple[Facet, list[tuple[str, int]]]:
        """The query's matches by month (or year), for the sparkline; none for "like".

        Raises:
            NewsgrepError: see `search`.
        """
        if state.like is not None:
            return Facet.MONTH, []
        with self._lock:
            return self._opened().timeline(state.request())

    def article(self, article_id: str, query: str | None) -> ShownArticle | None:
        """The article with `article_id`, the words of `query` marked; None if the index
        no longer holds it.

        Raises:
            NewsgrepError: `query` cannot be read.
        """
        with self._lock:
            try:
                shown = self._opened().articles(article_id, query)
            except ArticleNotFoundError:
                return None
        return shown[0] if shown else None
