"""The command line: options in, core calls, a renderer chosen, errors mapped to exit codes.

Exit codes follow grep: 0 when something matched (or a command succeeded), 1 when nothing
matched, 2 on any error; 130 when interrupted. Data goes to stdout; everything else
(summaries, notes, errors, progress, --explain) to stderr. Settings come from flags, then
environment variables, then the config file (see `config`), then defaults.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from newsgrep import __version__
from newsgrep.config import Config, config_path, load_config
from newsgrep.errors import NewsgrepError
from newsgrep.model import Explanation, Facet, Sort
from newsgrep.render.common import display_path, safe_line
from newsgrep.wording import plural

DEFAULT_INDEX = Path("index")
DEFAULT_LIMIT = 10
SKIPS_SHOWN = 5


class ExitCode(IntEnum):
    MATCH = 0
    NO_MATCH = 1
    ERROR = 2
    INTERRUPTED = 130


class ColorChoice(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


app = typer.Typer(
    name="newsgrep",
    help="Full-text search over a folder of news articles: ranked, highlighted, scriptable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])


def _err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    _err_console().print(Text(f"newsgrep: {message}"))
    return typer.Exit(ExitCode.ERROR)


def handle_errors(command: F) -> F:
    """Turn the core's errors into one line on stderr and exit 2, Ctrl-C into 130, and a
    closed pipe (`| head -1`) into a quiet exit."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except NewsgrepError as error:
            hint = f" — {error.hint}" if error.hint else ""
            raise _fail(safe_line(f"{error}{hint}")) from None
        except KeyboardInterrupt:
            _err_console().print("newsgrep: interrupted")
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away; point stdout at /dev/null so the final flush is quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(ExitCode.MATCH) from None

    return wrapper  # type: ignore[return-value]


# --- settings: flag > environment > config file > default ---------------------------------


def _config(ctx: typer.Context) -> Config:
    config = ctx.find_object(Config)
    return config if config is not None else Config()


def _from_config(ctx: typer.Context, name: str, value: Any, configured: Any) -> Any:
    """`value` unless it is the built-in default and the config file sets one."""
    source = ctx.get_parameter_source(name)
    if configured is not None and source is not None and source.name == "DEFAULT":
        return configured
    return value


def _version(value: bool) -> None:
    if value:
        print(f"newsgrep {__version__}")
        raise typer.Exit()


@app.callback()
@handle_errors
def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            envvar="NEWSGREP_CONFIG",
            metavar="FILE",
            help="Config file (env NEWSGREP_CONFIG) "
            "[default: $XDG_CONFIG_HOME/newsgrep/config.toml].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Full-text search over a folder of news articles: ranked, highlighted, scriptable.

    Example: newsgrep index seeds/ && newsgrep search "peace talks"
    """
    path, required = config_path(config, os.environ)
    ctx.obj = load_config(path, required=required)


IndexOption = Annotated[
    Path,
    typer.Option(
        "--index",
        envvar="NEWSGREP_INDEX",
        help="Index folder (env NEWSGREP_INDEX, config 'index').",
        show_default=True,
    ),
]


def _index_dir(ctx: typer.Context, value: Path) -> Path:
    return Path(_from_config(ctx, "index_dir", value, _config(ctx).index))


# --- index ------------------------------------------------------------------------------


@app.command("index")
@handle_errors
def index_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to index; '-' reads paths from stdin "
            "(default: the folders the index covers).",
            show_default=False,
        ),
    ] = None,
    index_dir: IndexOption = DEFAULT_INDEX,
    from_stdin: Annotated[
        bool, typer.Option("--from-stdin", help="Read the paths to index from stdin, one a line.")
    ] = False,
    null: Annotated[
        bool, typer.Option("--null", "-0", help="With stdin paths: they end with NUL, not newline.")
    ] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every skipped file and note.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no summary.")] = False,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for another indexing run.")
    ] = 10.0,
    max_size: Annotated[
        str | None,
        typer.Option(
            "--max-size",
            metavar="SIZE",
            help="Skip files larger than this: 500K, 64M, 1G; 0 for no limit "
            "(config 'max_size'). [default: 64M]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build or update the index: new files added, changed ones replaced, deleted ones removed.

    \b
    Examples:
      newsgrep index seeds/        # later, a bare `newsgrep index` refreshes seeds/
      find news -name '*.json' -print0 | newsgrep index -0 -
    """
    from newsgrep.indexer import DEFAULT_MAX_SIZE, run_index

    size_limit = _config(ctx).max_size
    if max_size is not None:
        from newsgrep.wording import parse_size

        try:
            size_limit = parse_size(max_size)
        except ValueError as error:
            raise _fail(safe_line(f"--max-size: {error}")) from None
    given = list(paths or [])
    if from_stdin or Path("-") in given:
        given = [p for p in given if p != Path("-")] + list(_stdin_paths(null))
    err = _err_console()
    show_progress = not quiet and err.is_terminal
    with ProgressBar(err, show_progress) as progress:
        report = run_index(
            _index_dir(ctx, index_dir),
            given,
            rebuild=rebuild,
            wait_seconds=wait,
            progress=progress,
            max_size=DEFAULT_MAX_SIZE if size_limit is None else size_limit or None,
        )
    for warning in report.warnings:
        err.print(Text(f"newsgrep: warning: {safe_line(warning)}"))
    if not quiet:
        _print_index_summary(report, err, verbose)


def _stdin_paths(null: bool) -> Iterator[Path]:
    """Paths from stdin, as the file system's bytes (any name, even one that is not UTF-8)."""
    data = sys.stdin.buffer.read()
    for raw in data.split(b"\0" if null else b"\n"):
        if raw.strip(b"\r" if not null else b""):
            yield Path(os.fsdecode(raw if null else raw.rstrip(b"\r")))


class ProgressBar:
    """A Rich progress bar on stderr, created on the first file read; or nothing at all.
    It counts files, shows articles per second and the time left, and says "committing"
    once every file is in and the index is being written."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled
        self.bar: Any = None
        self.task: Any = None
        self.started = 0.0

    def __enter__(self) -> Callable[[Any], None] | None:
        return self.update if self.enabled else None

    def update(self, progress: Any) -> None:
        if self.bar is None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files · {task.fields[rate]} articles/s"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("indexing", total=progress.files_total, rate="–")
            self.started = time.monotonic()
        elapsed = time.monotonic() - self.started
        done = progress.files_done >= progress.files_total
        self.bar.update(
            self.task,
            completed=progress.files_done,
            description="committing" if done else "indexing",
            rate=f"{progress.articles / elapsed:,.0f}" if elapsed > 0.5 else "–",
        )

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_index_summary(report: Any, err: Console, verbose: bool) -> None:
    articles = plural(report.total_articles, "article")
    err.print(
        Text(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {report.skipped} skipped · "
            f"{articles} in the index · {report.seconds:.2f} s"
        )
    )
    problems = report.skipped_files + report.skipped_records
    shown = problems if verbose else problems[:SKIPS_SHOWN]
    for problem in shown:
        err.print(Text(f"  skipped {_problem_text(problem)}"))
    if len(shown) < len(problems):
        err.print(Text(f"  … and {len(problems) - len(shown)} more (--verbose lists them all)"))
    if verbose:
        for note in report.notes:
            err.print(Text(f"  note: {_problem_text(note)}"))
        if report.leftovers_removed:
            count = len(report.leftovers_removed)
            err.print(Text(f"  removed {plural(count, 'file')} an interrupted run left"))


def _problem_text(problem: Any) -> str:
    where = f": {problem.where}" if problem.where else ""
    return safe_line(f"{display_path(problem.path)}{where}: {problem.reason}")


# --- output modes shared by search and similar -----------------------------------------

LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        "-n",
        min=0,
        help="Most hits to show; 0 for all. [default: 10 (config 'limit'); all with -l/-c]",
        show_default=False,
    ),
]
OffsetOption = Annotated[
    int, typer.Option("--offset", min=0, help="Skip this many hits first (paging).")
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Only articles from this date on: 2025-05-01, 2025-05, 7d, 2w."),
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Only articles up to this date (inclusive).")
]
SortOption = Annotated[Sort, typer.Option("--sort", help="Order of the hits (config 'sort').")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON Lines, one object per hit.")]
FilesOption = Annotated[
    bool,
    typer.Option("--files-with-matches", "-l", help="Print only the paths of matching files."),
]
CountOption = Annotated[
    bool, typer.Option("--count", "-c", help="Print only the number of matches.")
]
NullOption = Annotated[
    bool, typer.Option("--null", "-0", help="With -l: end each path with NUL, not newline.")
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="TEMPLATE",
        help="One line per hit from a template, e.g. '{date}\\t{path}\\t{title}'. Fields: "
        "{rank} {score} {id} {path} {title} {date} {source} {url} {snippet}.",
    ),
]
SnippetsOption = Annotated[int, typer.Option("--snippets", min=0, help="Snippets per hit.")]
ColorOption = Annotated[
    ColorChoice,
    typer.Option("--color", help="Colour in human output (auto honours NO_COLOR; config 'color')."),
]
NoCollapseOption = Annotated[
    bool,
    typer.Option(
        "--no-collapse", help="Show near-duplicate articles (wire re-sends) as hits of their own."
    ),
]
HyperlinkOption = Annotated[
    bool | None,
    typer.Option(
        "--hyperlinks/--no-hyperlinks",
        help="Titles link to their files. [default: on terminals known to support it]",
        show_default=False,
    ),
]


class Mode(StrEnum):
    HUMAN = "human"
    JSON = "json"
    PATHS = "paths"
    COUNT = "count"
    TEMPLATE = "template"
    QUIET = "quiet"


@dataclass(frozen=True, slots=True)
class Output:
    """How results are written, decided once from the options."""

    mode: Mode
    null: bool = False
    template: str = ""
    color: ColorChoice = ColorChoice.AUTO
    hyperlinks: bool | None = None

    @property
    def covers_all(self) -> bool:
        """Modes that cover every match, not a page of ranked hits."""
        return self.mode in (Mode.PATHS, Mode.COUNT, Mode.QUIET)


def _output(
    ctx: typer.Context,
    *,
    json_output: bool,
    files: bool,
    count: bool,
    null: bool,
    template: str | None,
    color: ColorChoice,
    hyperlinks: bool | None,
    quiet: bool = False,
) -> Output:
    chosen = [
        mode
        for mode, wanted in (
            (Mode.JSON, json_output),
            (Mode.PATHS, files or null),
            (Mode.COUNT, count),
            (Mode.TEMPLATE, template is not None),
            (Mode.QUIET, quiet),
        )
        if wanted
    ]
    if len(chosen) > 1:
        raise _fail("choose one output mode: --json, -l/-0, -c, --format or -q")
    compiled = ""
    if template is not None:
        from newsgrep.render.template import compile_template

        compiled = compile_template(template)
    configured_color = _from_config(ctx, "color", color, _config(ctx).color)
    return Output(
        mode=chosen[0] if chosen else Mode.HUMAN,
        null=null,
        template=compiled,
        color=ColorChoice(configured_color),
        hyperlinks=hyperlinks,
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """The options that say which hits, in what order: shared by search, --batch, similar."""

    limit: int | None = None
    offset: int = 0
    since: str | None = None
    until: str | None = None
    sort: Sort = Sort.RELEVANCE
    snippets: int = 1
    match: str = "auto"
    synonyms: Any = None  # a Synonyms, or None for none
    collapse: bool = True


def _request(ctx: typer.Context, output: Output, query: str, selection: Selection) -> Any:
    from newsgrep.model import Match, SearchRequest

    config = _config(ctx)
    limit = selection.limit
    if limit is None:
        if output.mode is Mode.QUIET:
            limit = 1
        elif output.covers_all:
            limit = 0
        else:
            limit = config.limit if config.limit is not None else DEFAULT_LIMIT
    shows_snippets = output.mode in (Mode.HUMAN, Mode.JSON, Mode.TEMPLATE)
    return SearchRequest(
        query=query,
        limit=limit or None,
        offset=selection.offset,
        since=selection.since,
        until=selection.until,
        sort=Sort(_from_config(ctx, "sort", selection.sort, config.sort)),
        snippets=selection.snippets if shows_snippets else 0,
        match=Match(selection.match),
        synonyms=selection.synonyms,
        collapse=selection.collapse and not output.covers_all,
    )


def _synonyms(ctx: typer.Context, path: Path | None, off: bool) -> Any:
    """The shipped synonyms plus the user's file (flag, else config); None with --no-synonyms."""
    if off:
        return None
    from newsgrep.text.synonyms import load_synonyms

    return load_synonyms(path if path is not None else _config(ctx).synonyms)


def _emit(result: Any, output: Output) -> ExitCode:
    """Write `result` as `output` says; the exit code follows whether anything matched."""
    if output.mode is Mode.JSON:
        from newsgrep.render.jsonl import write_jsonl

        write_jsonl(result, sys.stdout)
    elif output.mode is Mode.PATHS:
        from newsgrep.render.paths import write_paths

        sys.stdout.flush()
        write_paths(result, sys.stdout.buffer, null=output.null, to_terminal=sys.stdout.isatty())
        sys.stdout.buffer.flush()
    elif output.mode is Mode.COUNT:
        from newsgrep.render.paths import write_count

        write_count(result, sys.stdout)
    elif output.mode is Mode.TEMPLATE:
        from newsgrep.render.template import write_template

        # File names that are not UTF-8 go out as their own bytes, as with -l.
        sys.stdout.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
        write_template(result, output.template, sys.stdout, to_terminal=sys.stdout.isatty())
    elif output.mode is Mode.HUMAN:
        from newsgrep.render.human import hyperlinks_wanted, render_footer, render_human

        console = _stdout_console(output.color)
        links = output.hyperlinks if output.hyperlinks is not None else hyperlinks_wanted(console)
        render_human(result, console, hyperlinks=links)
        render_footer(result, _err_console())
    sys.stdout.flush()
    return ExitCode.MATCH if result.total else ExitCode.NO_MATCH


def _stdout_console(color: ColorChoice) -> Console:
    """Colour decided once: `always` forces it (even under NO_COLOR), `never` drops it, and
    `auto` leaves it to Rich, which honours NO_COLOR, TERM=dumb and non-terminals."""
    if color is ColorChoice.ALWAYS:
        return Console(
            force_terminal=True, no_color=False, color_system="standard", highlight=False
        )
    if color is ColorChoice.NEVER:
        return Console(color_system=None, highlight=False, soft_wrap=not sys.stdout.isatty())
    console = Console(highlight=False)
    if not console.is_terminal:
        console.soft_wrap = True  # a pipe gets whole lines, as grep gives them
    return console


def _print_notices(result: Any) -> None:
    err = _err_console()
    for notice in result.notices:
        err.print(Text(f"newsgrep: note: {safe_line(notice)}"))
    if result.suggestion:
        err.print(Text(f"newsgrep: did you mean: {safe_line(result.suggestion)}"))


# --- search -----------------------------------------------------------------------------


@app.command("search")
@handle_errors
def search_command(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(help="The query; several words are joined by spaces.", show_default=False),
    ] = None,
    index_dir: IndexOption = DEFAULT_INDEX,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    since: SinceOption = None,
    until: UntilOption = None,
    sort: SortOption = Sort.RELEVANCE,
    json_output: JsonOption = False,
    files_with_matches: FilesOption = False,
    count: CountOption = False,
    null: NullOption = False,
    template: FormatOption = None,
    snippets: SnippetsOption = 1,
    color: ColorOption = ColorChoice.AUTO,
    hyperlinks: HyperlinkOption = None,
    no_collapse: NoCollapseOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing; only the exit status tells.")
    ] = False,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help="Read one query per line from stdin; write JSON Lines tagged with the "
            "query and its line number.",
        ),
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print how the query was read, on stderr.")
    ] = False,
    timeline: Annotated[
        bool,
        typer.Option("--timeline", help="Chart the matches by month (or year), not the hits."),
    ] = False,
    all_words: Annotated[
        bool,
        typer.Option("--all", help="Require every word, even when few articles have them all."),
    ] = False,
    any_word: Annotated[
        bool,
        typer.Option("--any", help="Rank articles with any of the words (most words first)."),
    ] = False,
    synonyms_file: Annotated[
        Path | None,
        typer.Option(
            "--synonyms",
            metavar="FILE",
            help="More synonyms, one group per line: 'kyiv, kiev' (config 'synonyms').",
        ),
    ] = None,
    no_synonyms: Annotated[
        bool, typer.Option("--no-synonyms", help="Search only the words as written.")
    ] = False,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="With --json or --batch: after the hits of a query, one summary object "
            '({"type": "summary", "total", "suggestion", ...}).',
        ),
    ] = False,
) -> None:
    """Search the index; print ranked hits with highlighted snippets.

    Query syntax: words (all must match), OR, NOT or -word, "a phrase", title:word,
    source:name, date:2025-05, date:[2025-05-01 TO 2025-05-31], date:>2025-05-01,
    word* (prefix), word~ (fuzzy).

    Example: newsgrep search 'ceasefire talks' --since 2025-05 --sort newest
    """
    from newsgrep.engine.session import SearchSession

    directory = _index_dir(ctx, index_dir)
    if all_words and any_word:
        raise _fail("choose --all or --any, not both")
    selection = Selection(
        limit=limit,
        offset=offset,
        since=since,
        until=until,
        sort=sort,
        snippets=snippets,
        match="all" if all_words else "any" if any_word else "auto",
        synonyms=_synonyms(ctx, synonyms_file, no_synonyms),
        collapse=not no_collapse,
    )
    if batch:
        if query:
            raise _fail("--batch reads its queries from stdin; give no query")
        raise typer.Exit(_run_batch(ctx, directory, selection, summary=summary))
    if not query:
        raise _fail("no query given — e.g. newsgrep search 'peace talks'")
    output = _output(
        ctx,
        json_output=json_output,
        files=files_with_matches,
        count=count,
        null=null,
        template=template,
        color=color,
        hyperlinks=hyperlinks,
        quiet=quiet,
    )
    request = _request(ctx, output, " ".join(query), selection)
    with SearchSession(directory) as session:
        if explain:
            _print_explanation(session.explain(request))
        if timeline:
            raise typer.Exit(_timeline(session, request, json_output))
        result = session.search(request)
    _print_notices(result)
    exit_code = _emit(result, output)
    if summary and output.mode is Mode.JSON:
        from newsgrep.render.jsonl import summary_record, write_object

        write_object(summary_record(result), sys.stdout)
    raise typer.Exit(exit_code)


def _print_explanation(explanation: Explanation) -> None:
    from newsgrep.render.human import render_explanation

    render_explanation(explanation, _err_console())


def _timeline(session: Any, request: Any, json_output: bool) -> ExitCode:

    counts = session.count_by(Facet.MONTH, request)
    by = "month"
    if len(counts) > 36:  # more than three years of months: count by year instead
        counts, by = session.count_by(Facet.YEAR, request), "year"
    _write_counts(by, counts, json_output, empty_label="(no date)")
    return ExitCode.MATCH if any(count for _, count in counts) else ExitCode.NO_MATCH


def _write_counts(
    by: str, counts: list[tuple[str, int]], json_output: bool, empty_label: str
) -> None:
    if json_output:
        from newsgrep.render.jsonl import counts_record, write_object

        write_object({"v": 1, **counts_record(by, counts)}, sys.stdout)
        return
    from newsgrep.render.human import render_bars

    render_bars(counts, _stdout_console(ColorChoice.AUTO), empty_label=empty_label)


def _run_batch(
    ctx: typer.Context, index_dir: Path, selection: Selection, *, summary: bool
) -> ExitCode:
    """One search per stdin line, in one process; a bad line gives an error object, and the
    run goes on. Exit 2 if any line failed (as grep does), else 0 or 1."""
    from newsgrep.engine.session import SearchSession
    from newsgrep.render.jsonl import summary_record, write_jsonl, write_object

    output = Output(Mode.JSON)
    matched = failed = False
    # A line that is not UTF-8 is a query like any other, not a UnicodeDecodeError.
    sys.stdin.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
    with SearchSession(index_dir) as session:
        for number, raw in enumerate(sys.stdin, start=1):
            text = raw.rstrip("\r\n")
            tags = {"query": text, "line": number}
            if not text.strip():
                continue
            try:
                result = session.search(_request(ctx, output, text, selection))
            except NewsgrepError as error:
                write_object({"v": 1, **tags, "error": str(error)}, sys.stdout)
                failed = True
                continue
            write_jsonl(result, sys.stdout, tags)
            if summary:
                write_object({**summary_record(result), **tags}, sys.stdout)
            matched = matched or result.total > 0
            sys.stdout.flush()
    if failed:
        return ExitCode.ERROR
    return ExitCode.MATCH if matched else ExitCode.NO_MATCH


# --- similar, show, stats ---------------------------------------------------------------


@app.command("similar")
@handle_errors
def similar_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="An article id, or the path of an indexed file.")],
    index_dir: IndexOption = DEFAULT_INDEX,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    since: SinceOption = None,
    until: UntilOption = None,
    sort: SortOption = Sort.RELEVANCE,
    json_output: JsonOption = False,
    files_with_matches: FilesOption = False,
    count: CountOption = False,
    null: NullOption = False,
    template: FormatOption = None,
    snippets: SnippetsOption = 1,
    color: ColorOption = ColorChoice.AUTO,
    hyperlinks: HyperlinkOption = None,
    no_collapse: NoCollapseOption = False,
) -> None:
    """Find articles like one in the index (more-like-this over its title and body).

    Example: newsgrep similar briefs.jsonl#b2 -n 5
    """
    from newsgrep.engine.session import SearchSession

    output = _output(
        ctx,
        json_output=json_output,
        files=files_with_matches,
        count=count,
        null=null,
        template=template,
        color=color,
        hyperlinks=hyperlinks,
    )
    selection = Selection(limit, offset, since, until, sort, snippets, collapse=not no_collapse)
    request = _request(ctx, output, target, selection)
    with SearchSession(_index_dir(ctx, index_dir)) as session:
        result = session.similar(target, request)
    raise typer.Exit(_emit(result, output))


@app.command("show")
@handle_errors
def show_command(
    ctx: typer.Context,
    targets: Annotated[
        list[str],
        typer.Argument(help="Article ids, or paths of indexed files (all their articles)."),
    ],
    index_dir: IndexOption = DEFAULT_INDEX,
    query: Annotated[
        str | None, typer.Option("--query", help="Mark the words of this query in the article.")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="JSON Lines, one object per article, with the body.")
    ] = False,
    color: ColorOption = ColorChoice.AUTO,
    hyperlinks: HyperlinkOption = None,
) -> None:
    """Print whole articles: title, date, source, url, path and body.

    Example: newsgrep show briefs.jsonl#b1 --query 'interest rate'
    """
    from newsgrep.engine.session import SearchSession

    with SearchSession(_index_dir(ctx, index_dir)) as session:
        shown = [item for target in targets for item in session.articles(target, query)]
    if json_output:
        from newsgrep.render.jsonl import article_record, write_object

        for item in shown:
            write_object(article_record(item), sys.stdout)
        return
    from newsgrep.render.human import hyperlinks_wanted, render_articles

    console = _stdout_console(ColorChoice(_from_config(ctx, "color", color, _config(ctx).color)))
    links = hyperlinks if hyperlinks is not None else hyperlinks_wanted(console)
    render_articles(shown, console, hyperlinks=links)


@app.command("stats")
@handle_errors
def stats_command(
    ctx: typer.Context,
    index_dir: IndexOption = DEFAULT_INDEX,
    by: Annotated[
        Facet | None,
        typer.Option("--by", help="Chart the article counts by month, year or source."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Describe the index: articles, date span, sources, size, last update, folders.

    Example: newsgrep stats --by month
    """
    from newsgrep.engine.session import SearchSession

    directory = _index_dir(ctx, index_dir)
    if by is not None:
        with SearchSession(directory) as session:
            counts = session.count_by(by)
        empty = "(no date)" if by is not Facet.SOURCE else "(no source)"
        _write_counts(by.value, counts, json_output, empty_label=empty)
        return
    from newsgrep.stats import index_stats

    stats = index_stats(directory)
    if json_output:
        from newsgrep.render.jsonl import stats_record, write_object

        write_object(stats_record(stats, str(directory)), sys.stdout)
        return
    from newsgrep.render.human import render_stats

    render_stats(stats, directory, _stdout_console(ColorChoice.AUTO))


# --- check ------------------------------------------------------------------------------


@app.command("check")
@handle_errors
def check_command(
    ctx: typer.Context,
    index_dir: IndexOption = DEFAULT_INDEX,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Fix what can be fixed: remove leftovers of killed runs, index the "
            "difference again, or rebuild an index that cannot be read; then check again.",
        ),
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing; only the exit status tells.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option("--wait", min=0, help="With --repair: seconds to wait for an indexing run."),
    ] = 10.0,
) -> None:
    """Verify the index: it opens, agrees with itself, and with the folders it covers.

    Exit status 0 when healthy, 1 when not, 2 on an error.

    \b
    Examples:
      newsgrep check               # problems: missing, changed, unindexed files, leftovers…
      newsgrep check --repair      # fix them, then check again
    """
    from newsgrep.check import check_index, repair_index

    if json_output and quiet:
        raise _fail("choose --json or -q, not both")
    directory = _index_dir(ctx, index_dir)
    report = check_index(directory)
    repaired = None
    if repair and not report.healthy and report.repair is not None:
        repaired = repair_index(directory, report, wait_seconds=wait)
        report = check_index(directory)
    if json_output:
        from newsgrep.render.jsonl import check_record, write_object

        write_object(check_record(report, repaired), sys.stdout)
    elif not quiet:
        from newsgrep.render.human import render_check

        render_check(report, _stdout_console(ColorChoice.AUTO), repaired=repaired)
    raise typer.Exit(ExitCode.MATCH if report.healthy else ExitCode.NO_MATCH)


def run() -> None:
    """The entry point of the console script and of `python -m newsgrep`. A usage error (an
    unknown option, a bad value) is one line on stderr and exit 2, like every other error;
    Click would print the usage, a hint and the error on three."""
    from typer.exceptions import TyperException

    try:
        code = app(prog_name="newsgrep", standalone_mode=False)
    except TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # `newsgrep` alone: the help
            error.show()  # type: ignore[attr-defined]
        else:
            _err_console().print(Text(safe_line(f"newsgrep: {_usage_line(error)}")))
        sys.exit(getattr(error, "exit_code", ExitCode.ERROR))
    except typer.Abort:  # end of input at a prompt
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(code if isinstance(code, int) else ExitCode.MATCH)


def _usage_line(error: Any) -> str:
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "newsgrep"
    option = getattr(error, "option_name", "")
    if option.startswith("-") and not option.startswith("--") and command.endswith("search"):
        # `newsgrep search istanbul -mayor`: `-mayor` reaches Click as options -m -a -y ...
        word = next((a for a in sys.argv[1:] if a.startswith(option) and a != "--"), option)
        return (
            f"no such option: {word}; to leave out a word, quote the query or put it after "
            f"--: {command} -- ... {word}"
        )
    return f"{message} (see: {command} --help)"
