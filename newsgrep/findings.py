"""The plain values `check` reports, and that its renderers and `--repair` read: findings
and their stable kinds, the repair each kind needs, what the stored documents and the
leftovers of killed runs are. Stdlib only, like `model`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class Repair(StrEnum):
    """What `check --repair` does, mildest first."""

    CLEAN = "clean"  # remove the leftovers of interrupted runs
    REINDEX = "reindex"  # index the difference again
    REBUILD = "rebuild"  # build the index anew from its folders


class FindingKind(StrEnum):
    """The stable kinds of `check`'s problems and notes (as JSON names them)."""

    UNREADABLE = "unreadable"
    UNFINISHED = "unfinished"
    SCHEMA_VERSION = "schema_version"
    COUNT_MISMATCH = "count_mismatch"
    DUPLICATE_ID = "duplicate_id"
    NOT_IN_MANIFEST = "not_in_manifest"
    ARTICLES_MISMATCH = "articles_mismatch"
    MANIFEST_MISSING = "manifest_missing"
    MISSING = "missing"
    CHANGED = "changed"
    UNINDEXED = "unindexed"
    LEFTOVER = "leftover"
    FOLDER_MISSING = "folder_missing"
    EXCLUDED = "excluded"  # indexed, then left out by the folder's excludes
    # notes only
    BUSY = "busy"
    NOT_CHECKED = "not_checked"
    TOUCHED = "touched"
    CHANGED_DURING_CHECK = "changed_during_check"
    WASTED_SPACE = "wasted_space"


# The repair each kind of problem needs; None: not repairable by newsgrep (a missing folder
# may be a disk that is not mounted). Notes need none.
REPAIRS: dict[FindingKind, Repair | None] = {
    FindingKind.UNREADABLE: Repair.REBUILD,
    FindingKind.UNFINISHED: Repair.REINDEX,
    FindingKind.SCHEMA_VERSION: Repair.REBUILD,
    FindingKind.COUNT_MISMATCH: Repair.REBUILD,
    FindingKind.DUPLICATE_ID: Repair.REBUILD,
    FindingKind.NOT_IN_MANIFEST: Repair.REBUILD,
    FindingKind.ARTICLES_MISMATCH: Repair.REBUILD,
    FindingKind.MANIFEST_MISSING: Repair.REINDEX,
    FindingKind.MISSING: Repair.REINDEX,
    FindingKind.CHANGED: Repair.REINDEX,
    FindingKind.UNINDEXED: Repair.REINDEX,
    FindingKind.LEFTOVER: Repair.CLEAN,
    FindingKind.FOLDER_MISSING: None,
    FindingKind.EXCLUDED: Repair.REINDEX,
}


_REPAIR_ORDER = tuple(Repair)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or note: a stable `kind`, the file or folder it is about (absolute;
    None for the index as a whole), a line for people, and the technical cause where one
    helps a bug report (Whoosh's exception for an unreadable index; JSON only)."""

    kind: FindingKind
    message: str
    path: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class IndexContents:
    """What the stored documents of one generation say, for `check`."""

    generation: int
    doc_count: int  # as the engine counts them
    readable: int  # documents whose stored fields were read
    ids: Counter[str]  # articles per id
    paths: Counter[str]  # articles per file


@dataclass(frozen=True, slots=True)
class Leftover:
    """A file (or a temporary folder) in the index folder that the kept generations do not
    use: what an interrupted run leaves behind."""

    name: str
    kind: str  # "segment", "toc", "manifest", "deletions" or "temporary"
    reason: str


@dataclass(slots=True)
class CheckReport:
    index_dir: str
    schema_version: object = None  # as newsgrep.json names it (any JSON value)
    generation: int | None = None  # the committed generation checked
    articles: int | None = None  # articles in the index (None: it could not be read)
    files: int = 0  # files the manifest lists, skipped ones included
    skipped_files: int = 0  # files in the manifest with a reason they are not indexed
    folders: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def repair(self) -> Repair | None:
        """The one repair that fixes every repairable problem (None: nothing to do)."""
        needed = {r for p in self.problems if (r := REPAIRS.get(p.kind)) is not None}
        return max(needed, key=_REPAIR_ORDER.index) if needed else None

    @property
    def unrepairable(self) -> list[Finding]:
        return [problem for problem in self.problems if REPAIRS.get(problem.kind) is None]

    def problem(
        self, kind: FindingKind, message: str, path: str | None = None, detail: str | None = None
    ) -> None:
        self.problems.append(Finding(kind, message, path, detail))

    def note(self, kind: FindingKind, message: str, path: str | None = None) -> None:
        self.notes.append(Finding(kind, message, path))


@dataclass(slots=True)
class RepairReport:
    """What `check --repair` did, as lines for people, and the check that came before."""

    before: CheckReport
    actions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
