"""Options into decisions, made once and without Typer: which index, which hits, which output.

The commands hand over the raw values of their options (`OutputOptions`, `HitOptions`,
`SearchOptions`, `IndexOptions`), where None means that neither a flag nor an environment
variable gave one; the functions here turn them, with the config file and the facts of the
terminal (`Terminal`), into what the core and the renderers need: a `SearchRequest` and an
`Output` (mode, colour, hyperlinks), or an `IndexRun`. So the precedence of settings
(flag > environment > config file > default), the output-mode policy, the limit policy and
the conflicts between options live in this one place, which tests call directly. ripgrep
resolves its low-level flags into high-level settings the same way (`flags/hiargs.rs`).

Nothing here prints or reads a stream; a conflict raises `OptionsError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from newsgrep.config import Config
from newsgrep.errors import NewsgrepError
from newsgrep.model import Match, SearchRequest, Sort
from newsgrep.wording import parse_size

if TYPE_CHECKING:
    from newsgrep.text.synonyms import Synonyms

DEFAULT_INDEX = Path("index")
DEFAULT_LIMIT = 10

# Terminals known to open OSC 8 hyperlinks; elsewhere the escape could show as garbage.
_HYPERLINK_TERMINALS = ("iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby")


class OptionsError(NewsgrepError):
    """Options that contradict each other, or one whose value cannot be read."""


class ColorChoice(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class Mode(StrEnum):
    HUMAN = "human"
    JSON = "json"
    PATHS = "paths"
    COUNT = "count"
    TEMPLATE = "template"
    QUIET = "quiet"


@dataclass(frozen=True, slots=True)
class Terminal:
    """Where the output goes, as the command line found it (tests make their own)."""

    # stdout is a terminal as Rich sees it: a tty, or FORCE_COLOR / TTY_COMPATIBLE says so.
    stdout: bool = False
    # stdout itself is a tty: paths (-l) and --format fields are then written inert.
    stdout_isatty: bool = False
    stderr: bool = False  # as Rich sees it; the progress bar shows only there
    environ: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Output:
    """How results are written, decided once from the options."""

    mode: Mode
    null: bool = False  # -0: paths end with NUL
    template: str = ""  # --format, compiled
    # True: colour even under NO_COLOR; False: none; None: as the terminal allows.
    color: bool | None = None
    hyperlinks: bool = False  # titles link to their files
    to_terminal: bool = False  # stdout is a tty

    @property
    def covers_all(self) -> bool:
        """Modes that cover every match, not a page of ranked hits."""
        return self.mode in (Mode.PATHS, Mode.COUNT, Mode.QUIET)

    @property
    def shows_snippets(self) -> bool:
        return self.mode in (Mode.HUMAN, Mode.JSON, Mode.TEMPLATE)


# --- the raw options ---------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class HitOptions:
    """The options search and similar share, as given."""

    index: Path | None = None  # None: not given (config, else DEFAULT_INDEX)
    limit: int | None = None  # None: not given (depends on the mode); 0: all
    offset: int = 0
    since: str | None = None
    until: str | None = None
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


# --- the decisions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """A search (or `similar`, or `--batch`) resolved: where, what, and how to write it.
    With `batch`, `request` is the template each stdin line's query goes into."""

    index_dir: Path
    request: SearchRequest
    output: Output
    batch: bool = False
    summary: bool = False  # a summary object after the hits (JSON only)


@dataclass(frozen=True, slots=True)
class IndexRun:
    """An indexing run resolved: the arguments of `run_index` and how to report it."""

    index_dir: Path
    paths: tuple[Path, ...]  # as given, without '-'
    read_stdin: bool  # more paths come from stdin
    null: bool  # stdin paths end with NUL
    rebuild: bool
    wait: float
    max_size: int | None  # None: no limit
    compact: bool
    progress: bool  # show the progress bar
    summary: bool  # print the summary
    verbose: bool


def resolve_index_dir(given: Path | None, config: Config) -> Path:
    """--index / NEWSGREP_INDEX, else the config's `index`, else ./index."""
    if given is not None:
        return given
    return config.index if config.index is not None else DEFAULT_INDEX


def resolve_color(given: ColorChoice | None, config: Config) -> bool | None:
    """--color, else the config's `color`, else auto: True, False, or None for auto."""
    choice = given if given is not None else ColorChoice(config.color or ColorChoice.AUTO)
    return {ColorChoice.ALWAYS: True, ColorChoice.NEVER: False}.get(choice)


def supports_hyperlinks(environ: Mapping[str, str]) -> bool:
    """Whether the terminal described by `environ` is known to support hyperlinks."""
    if environ.get("TERM_PROGRAM") in _HYPERLINK_TERMINALS:
        return True
    if environ.get("TERM", "").startswith(("xterm-kitty", "foot", "alacritty")):
        return True
    vte = environ.get("VTE_VERSION", "")
    return bool(environ.get("WT_SESSION") or environ.get("KONSOLE_VERSION")) or (
        vte.isdigit() and int(vte) >= 5000
    )


def resolve_output(options: OutputOptions, config: Config, terminal: Terminal) -> Output:
    """One output mode of --json, -l/-0, -c, --format and -q (human without any), its
    colour (flag > config > auto) and whether titles are hyperlinks (flag, else on a
    terminal known to open them; forced colour counts as a terminal).

    Raises:
        OptionsError: more than one output mode.
        TemplateError: a --format template that cannot be used.
    """
    chosen = [
        mode
        for mode, wanted in (
            (Mode.JSON, options.json),
            (Mode.PATHS, options.files_with_matches or options.null),
            (Mode.COUNT, options.count),
            (Mode.TEMPLATE, options.template is not None),
            (Mode.QUIET, options.quiet),
        )
        if wanted
    ]
    if len(chosen) > 1:
        raise OptionsError("choose one output mode: --json, -l/-0, -c, --format or -q")
    compiled = ""
    if options.template is not None:
        from newsgrep.render.template import compile_template

        compiled = compile_template(options.template)
    color = resolve_color(options.color, config)
    hyperlinks = options.hyperlinks
    if hyperlinks is None:
        on_terminal = color is True or terminal.stdout
        hyperlinks = on_terminal and supports_hyperlinks(terminal.environ)
    return Output(
        mode=chosen[0] if chosen else Mode.HUMAN,
        null=options.null,
        template=compiled,
        color=color,
        hyperlinks=hyperlinks,
        to_terminal=terminal.stdout_isatty,
    )


def resolve_limit(given: int | None, output: Output, config: Config) -> int | None:
    """Most hits to fetch (None: all). Given: as given (0 is all). Else -q needs one hit,
    -l and -c cover every match, and the other modes show the config's `limit` or 10."""
    if given is None:
        if output.mode is Mode.QUIET:
            given = 1
        elif output.covers_all:
            given = 0
        else:
            given = config.limit if config.limit is not None else DEFAULT_LIMIT
    return given or None


def resolve_request(
    query: str,
    hits: HitOptions,
    output: Output,
    config: Config,
    *,
    synonyms: Synonyms | None,
    match: Match = Match.AUTO,
    correct: bool = False,
) -> SearchRequest:
    """The request for `query`: snippets only where the output shows them, near-duplicates
    folded only where hits are shown (a count or a list of files covers every match)."""
    return SearchRequest(
        query=query,
        limit=resolve_limit(hits.limit, output, config),
        offset=hits.offset,
        since=hits.since,
        until=hits.until,
        sort=hits.sort if hits.sort is not None else Sort(config.sort or Sort.RELEVANCE),
        snippets=hits.snippets if output.shows_snippets else 0,
        match=match,
        synonyms=synonyms,
        collapse=hits.collapse and not output.covers_all,
        correct=correct,
    )


def resolve_search(
    options: SearchOptions,
    config: Config,
    terminal: Terminal,
    load_synonyms: Callable[[Path | None], Synonyms],
) -> SearchPlan:
    """`newsgrep search` resolved. `load_synonyms` reads the shipped synonyms plus a user's
    file (--synonyms, else the config's); --no-synonyms loads none. --batch writes JSON
    Lines whatever the output options say.

    Raises:
        OptionsError: --all with --any, --batch with a query, no query, or conflicting
            output modes.
    """
    match, synonyms = _match_and_synonyms(options, config, load_synonyms)
    if options.batch:
        if options.query:
            raise OptionsError("--batch reads its queries from stdin; give no query")
        output = Output(Mode.JSON)
    elif not options.query:
        raise OptionsError("no query given — e.g. newsgrep search 'peace talks'")
    else:
        wanted = replace(options.hits.output, quiet=options.quiet)
        output = resolve_output(wanted, config, terminal)
    query = " ".join(options.query)
    return SearchPlan(
        index_dir=resolve_index_dir(options.hits.index, config),
        # Only a person reading the results is shown a correction's; a script gets what
        # it asked for.
        request=resolve_request(
            query,
            options.hits,
            output,
            config,
            synonyms=synonyms,
            match=match,
            correct=output.mode is Mode.HUMAN and not options.exact,
        ),
        output=output,
        batch=options.batch,
        summary=options.summary and output.mode is Mode.JSON,
    )


def resolve_browse(
    options: SearchOptions,
    config: Config,
    load_synonyms: Callable[[Path | None], Synonyms],
) -> SearchPlan:
    """`newsgrep browse` resolved: the request each query typed in the view goes into (its
    query is the one given, maybe empty). As `search` for a person: human output, the
    config's sort and colour, corrections shown; no snippets (the view shows the article).

    Raises:
        OptionsError: --all with --any.
    """
    match, synonyms = _match_and_synonyms(options, config, load_synonyms)
    output = Output(Mode.HUMAN, color=resolve_color(options.hits.output.color, config))
    hits = replace(options.hits, snippets=0)
    return SearchPlan(
        index_dir=resolve_index_dir(options.hits.index, config),
        request=resolve_request(
            " ".join(options.query),
            hits,
            output,
            config,
            synonyms=synonyms,
            match=match,
            correct=not options.exact,
        ),  # fmt: skip
        output=output,
    )


def _match_and_synonyms(
    options: SearchOptions, config: Config, load_synonyms: Callable[[Path | None], Synonyms]
) -> tuple[Match, Synonyms | None]:
    if options.all_words and options.any_word:
        raise OptionsError("choose --all or --any, not both")
    match = Match.ALL if options.all_words else Match.ANY if options.any_word else Match.AUTO
    if options.no_synonyms:
        return match, None
    chosen = options.synonyms_file
    return match, load_synonyms(chosen if chosen is not None else config.synonyms)


def resolve_similar(
    target: str, hits: HitOptions, config: Config, terminal: Terminal
) -> SearchPlan:
    """`newsgrep similar` resolved: the article's own words are the query, without synonyms.

    Raises:
        OptionsError: conflicting output modes.
    """
    output = resolve_output(hits.output, config, terminal)
    return SearchPlan(
        index_dir=resolve_index_dir(hits.index, config),
        request=resolve_request(target, hits, output, config, synonyms=None),
        output=output,
    )


def resolve_check_mode(json_output: bool, quiet: bool) -> Mode:
    """`newsgrep check` prints a report (human), one JSON object, or nothing (-q).

    Raises:
        OptionsError: --json with -q.
    """
    if json_output and quiet:
        raise OptionsError("choose --json or -q, not both")
    return Mode.JSON if json_output else Mode.QUIET if quiet else Mode.HUMAN


def resolve_index(
    options: IndexOptions, config: Config, terminal: Terminal, *, default_max_size: int
) -> IndexRun:
    """`newsgrep index` resolved: --max-size (else the config's, else `default_max_size`;
    0 for no limit), paths from stdin with '-' or --from-stdin, and a progress bar unless
    -q or stderr is not a terminal.

    Raises:
        OptionsError: a --max-size that is not a size.
    """
    size_limit = config.max_size
    if options.max_size is not None:
        try:
            size_limit = parse_size(options.max_size)
        except ValueError as error:
            raise OptionsError(f"--max-size: {error}") from None
    return IndexRun(
        index_dir=resolve_index_dir(options.index, config),
        paths=tuple(path for path in options.paths if path != Path("-")),
        read_stdin=options.from_stdin or Path("-") in options.paths,
        null=options.null,
        rebuild=options.rebuild,
        wait=options.wait,
        compact=options.compact,
        max_size=default_max_size if size_limit is None else size_limit or None,
        progress=not options.quiet and terminal.stderr,
        summary=not options.quiet,
        verbose=options.verbose,
    )
