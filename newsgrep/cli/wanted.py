"""The options of the commands as given, before anything is decided: plain values that
`resolve` turns into decisions. None means that neither a flag nor an environment variable
gave one (the config file, or a default, then fills it in). No Typer here either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from newsgrep.model import Sort


class ColorChoice(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class OutputOptions:
    """The options that choose an output mode, as given."""

    json: bool = False
    files_with_matches: bool = False
    count: bool = False
    null: bool = False
    template: str | None = None
    quiet: bool = False
    color: ColorChoice | None = None  # None: not given (config, else auto)
    hyperlinks: bool | None = None  # None: on terminals known to support them
    pager: bool | None = None  # False: --no-pager; None: as the config says


@dataclass(frozen=True, slots=True)
class HitOptions:
    """The options search and similar share, as given."""

    index: Path | None = None  # None: not given (config, else DEFAULT_INDEX)
    limit: int | None = None  # None: not given (depends on the mode); 0: all
    offset: int = 0
    since: str | None = None
    until: str | None = None
    langs: tuple[str, ...] = ()
    sort: Sort | None = None  # None: not given (config, else relevance)
    snippets: int = 1
    collapse: bool = True
    output: OutputOptions = field(default_factory=OutputOptions)


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """The options of `newsgrep search`, as given."""

    query: tuple[str, ...] = ()
    hits: HitOptions = field(default_factory=HitOptions)
    quiet: bool = False
    batch: bool = False
    all_words: bool = False
    any_word: bool = False
    synonyms_file: Path | None = None  # None: not given (config, else none)
    no_synonyms: bool = False
    summary: bool = False
    exact: bool = False  # never answer with a correction of the query
    explain: bool = False
    timeline: bool = False


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    """The options given before the command (`newsgrep --index DIR search ...`), as git,
    notmuch and ripgrep users place them; the command's own flag wins over them, and they
    win over the environment."""

    index: Path | None = None
    color: ColorChoice | None = None
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """The options of `newsgrep index`, as given."""

    paths: tuple[Path, ...] = ()
    index: Path | None = None
    from_stdin: bool = False
    null: bool = False
    rebuild: bool = False
    verbose: bool = False
    quiet: bool = False
    wait: float = 10.0
    max_size: str | None = None  # None: not given (config, else the indexer's default)
    compact: bool = False
    exclude: tuple[str, ...] = ()
    no_excludes: bool = False
    watch: bool = False
