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

from newsgrep.cli.wanted import (
    ColorChoice,
    GlobalOptions,
    HitOptions,
    IndexOptions,
    OutputOptions,
    SearchOptions,
)
from newsgrep.config import Config
from newsgrep.errors import NewsgrepError
from newsgrep.locate import Located, locate_index, require_index
from newsgrep.model import Match, SearchRequest, Sort

if TYPE_CHECKING:
    from newsgrep.text.synonyms import Synonyms

__all__ = [  # the options as given are defined in `wanted`, and taken from here too
    "ColorChoice",
    "GlobalOptions",
    "HitOptions",
    "IndexOptions",
    "OutputOptions",
    "SearchOptions",
]
DEFAULT_INDEX = Path("index")
DEFAULT_LIMIT = 10

# Terminals known to open OSC 8 hyperlinks; elsewhere the escape could show as garbage.
_HYPERLINK_TERMINALS = ("iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby")


class OptionsError(NewsgrepError):
    """Options that contradict each other, or one whose value cannot be read."""


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
    # The command that long human output on a terminal goes through; None: none.
    pager: str | None = None
    page_count: bool = False  # -c counts the page that -n / --offset ask for

    @property
    def for_scripts(self) -> bool:
        """Output a script reads: -q, -c, -l/-0, --format, and JSON not on a terminal. Its
        "match" means what grep's does: every word (or the Boolean query as written), so a
        query is never relaxed to "most words" there unless --any says so."""
        if self.mode is Mode.JSON:
            return not self.to_terminal
        return self.mode is not Mode.HUMAN

    @property
    def covers_all(self) -> bool:
        """Modes that cover every match, not a page of ranked hits."""
        return self.mode in (Mode.PATHS, Mode.COUNT, Mode.QUIET)

    @property
    def shows_snippets(self) -> bool:
        return self.mode in (Mode.HUMAN, Mode.JSON, Mode.TEMPLATE)


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
    located: Located | None = None  # how index_dir was chosen (for the "no index" error)

    def existing_index(self) -> Path:
        """`index_dir`, if an index is there; else an error that says where it looked."""
        return require_index(self.located or Located(self.index_dir, named=True))


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
    mode = chosen[0] if chosen else Mode.HUMAN
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
        mode=mode,
        null=options.null,
        template=compiled,
        color=color,
        hyperlinks=hyperlinks,
        to_terminal=terminal.stdout_isatty,
        pager=resolve_pager(options.pager, config, terminal) if mode is Mode.HUMAN else None,
    )


def resolve_pager(wanted: bool | None, config: Config, terminal: Terminal) -> str | None:
    """The pager long human output goes through, only when stdout is a terminal: none with
    --no-pager or the config's `pager = false`; else the config's command, else $PAGER
    (empty or `cat`: none, as git reads it), else `less`."""
    if wanted is False or not terminal.stdout_isatty or config.pager is False:
        return None
    command = config.pager if isinstance(config.pager, str) else None
    if command is None:
        command = terminal.environ.get("PAGER", "less")
    return command if command.strip() not in ("", "cat") else None


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
    folded only where hits are shown (a count or a list of files covers every match), and
    no hits at all for a count of every match."""
    return SearchRequest(
        query=query,
        limit=resolve_limit(hits.limit, output, config),
        offset=hits.offset,
        since=hits.since,
        until=hits.until,
        langs=hits.langs,
        sort=hits.sort if hits.sort is not None else Sort(config.sort or Sort.RELEVANCE),
        snippets=hits.snippets if output.shows_snippets else 0,
        match=match,
        synonyms=synonyms,
        collapse=hits.collapse and not output.covers_all,
        correct=correct,
        date_order=config.date_order,
        count_only=output.mode is Mode.COUNT and not output.page_count,
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
    refuse_conflicts(options)
    match, synonyms = _match_and_synonyms(options, config, load_synonyms)
    if options.batch:
        if options.query:
            raise OptionsError("--batch reads its queries from stdin; give no query")
        output = Output(Mode.JSON, to_terminal=terminal.stdout_isatty)
    elif not options.query:
        raise OptionsError("no query given — e.g. newsgrep search 'peace talks'")
    else:
        wanted = replace(options.hits.output, quiet=options.quiet)
        output = counting(resolve_output(wanted, config, terminal), options.hits)
    if match is Match.AUTO and output.for_scripts:
        match = Match.ALL  # a script's match means every word (see Output.for_scripts)
    query = " ".join(options.query)
    located = locate_index(options.hits.index, config)
    return SearchPlan(
        index_dir=located.path,
        located=located,
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


def counting(output: Output, hits: HitOptions) -> Output:
    """`output`, whose count (-c) covers the page that -n or --offset ask for, as -l does."""
    if output.mode is Mode.COUNT and (hits.limit is not None or hits.offset):
        return replace(output, page_count=True)
    return output


def _output_flags(options: SearchOptions) -> list[str]:
    """The output options given, by name, in the order --help lists them."""
    wanted = options.hits.output
    flags = [("--json", wanted.json), ("-l", wanted.files_with_matches), ("-c", wanted.count)]
    flags += [("-0", wanted.null), ("--format", wanted.template is not None)]
    return [name for name, given in (*flags, ("-q", options.quiet)) if given]


def refuse_conflicts(options: SearchOptions) -> None:
    """Options that cannot be honoured together are refused, never quietly dropped.

    Raises:
        OptionsError: naming the two that clash.
    """
    flags = [flag for flag in _output_flags(options) if flag != "--json"]
    if options.batch:
        clash = flags[:1] or [name for name, on in (("--timeline", options.timeline),
                              ("--explain", options.explain)) if on]  # fmt: skip
        if clash:
            raise OptionsError(f"--batch writes JSON Lines for each stdin query: drop {clash[0]}")
    if options.timeline:
        if flags:
            raise OptionsError(
                f"--timeline draws a chart of every match (--json: one object): drop {flags[0]}"
            )
        if options.hits.limit is not None or options.hits.offset:
            raise OptionsError("--timeline counts every match: drop -n/--offset")
    if options.summary and (options.timeline or not (options.batch or options.hits.output.json)):
        raise OptionsError("--summary follows the hits of --json or --batch")
    if options.no_synonyms and options.synonyms_file is not None:
        raise OptionsError("choose --synonyms FILE or --no-synonyms, not both")


def resolve_browse(
    options: SearchOptions,
    config: Config,
    load_synonyms: Callable[[Path | None], Synonyms],
    terminal: Terminal | None = None,
) -> SearchPlan:
    """`newsgrep browse` resolved: the request each query typed in the view goes into (its
    query is the one given, maybe empty). As `search` for a person: human output, the
    config's sort and colour, the pager `search` would use on `terminal`, corrections
    shown; no snippets (the view shows the article).

    Raises:
        OptionsError: --all with --any.
    """
    match, synonyms = _match_and_synonyms(options, config, load_synonyms)
    pager = None if terminal is None else resolve_pager(None, config, terminal)
    output = Output(Mode.HUMAN, color=resolve_color(options.hits.output.color, config), pager=pager)
    hits = replace(options.hits, snippets=0)
    located = locate_index(options.hits.index, config)
    return SearchPlan(
        index_dir=located.path,
        located=located,
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
    output = counting(resolve_output(hits.output, config, terminal), hits)
    located = locate_index(hits.index, config)
    return SearchPlan(
        index_dir=located.path,
        located=located,
        request=resolve_request(target, hits, output, config, synonyms=None),
        output=output,
    )
