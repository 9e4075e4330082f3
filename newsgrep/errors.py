"""Every error a user can cause, worded for the user.

The core raises these; the CLI turns them into one line on stderr and exit status 2.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class NewsgrepError(Exception):
    """Base class: `str(error)` is the message, `hint` an optional next step, `detail` the
    technical cause where one helps a bug report (shown only where asked for: `--json`)."""

    def __init__(self, message: str, hint: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.detail = detail


class IndexNotFoundError(NewsgrepError):
    """There is no index where one was expected."""


class IndexUnfinishedError(IndexNotFoundError):
    """The index was created, but its first indexing run did not finish: nothing to search
    yet (the next `newsgrep index` finishes it)."""


class IndexLockedError(NewsgrepError):
    """Another indexing run holds the write lock and did not let go in time."""


class IndexVersionError(NewsgrepError):
    """The index was written by an incompatible version of newsgrep."""


class IndexTrustError(NewsgrepError):
    """The index folder, or a file in it, is writable by other users: not read."""


class QueryError(NewsgrepError):
    """The query cannot be parsed, or parses to nothing searchable."""


class SourcePathError(NewsgrepError):
    """A path given to `index` does not exist or cannot be read."""


class IndexWriteError(NewsgrepError):
    """The index could not be written (disk full, file too large, read-only, a file in the
    way, …); the run was cancelled and the index holds what its last commit holds."""


class ArticleNotFoundError(NewsgrepError):
    """No indexed article has this id or path."""
