"""The command line: options in, core calls, a renderer chosen, errors mapped to exit codes.

Exit codes follow grep: 0 when something matched (or indexing succeeded), 1 when nothing
matched, 2 on any error; 130 when interrupted. Data goes to stdout, everything else
(summaries, notices, errors, progress) to stderr.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from newsgrep import __version__
from newsgrep.errors import NewsgrepError
from newsgrep.render.common import display_path, terminal_safe

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


class SortChoice(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


app = typer.Typer(
    name="newsgrep",
    help="Full-text search over a folder of news articles: ranked, highlighted, scriptable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

IndexOption = Annotated[
    Path,
    typer.Option(
        "--index",
        envvar="NEWSGREP_INDEX",
        help="Index folder (env NEWSGREP_INDEX).",
        show_default=True,
    ),
]

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
            raise _fail(terminal_safe(f"{error}{hint}")) from None
        except KeyboardInterrupt:
            _err_console().print("newsgrep: interrupted")
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away; point stdout at /dev/null so the final flush is quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(ExitCode.MATCH) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        print(f"newsgrep {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Full-text search over a folder of news articles: ranked, highlighted, scriptable.

    Example: newsgrep index seeds/ && newsgrep search "peace talks"
    """


# --- index ------------------------------------------------------------------------------


@app.command("index")
@handle_errors
def index_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to index (default: the folders the index covers).",
            show_default=False,
        ),
    ] = None,
    index_dir: IndexOption = DEFAULT_INDEX,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every skipped file and note.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no summary.")] = False,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for another indexing run.")
    ] = 10.0,
) -> None:
    """Build or update the index: new files added, changed ones replaced, deleted ones removed.

    Example: newsgrep index seeds/     (later, a bare `newsgrep index` refreshes seeds/)
    """
    from newsgrep.indexer import run_index

    err = _err_console()
    show_progress = not quiet and err.is_terminal
    with ProgressBar(err, show_progress) as progress:
        report = run_index(
            index_dir, paths or [], rebuild=rebuild, wait_seconds=wait, progress=progress
        )
    for warning in report.warnings:
        err.print(Text(f"newsgrep: warning: {terminal_safe(warning)}"))
    if not quiet:
        _print_index_summary(report, err, verbose)


class ProgressBar:
    """A Rich progress bar on stderr, created on the first file read; or nothing at all."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress(
                "reading",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("index", total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_index_summary(report: Any, err: Console, verbose: bool) -> None:
    articles = f"{report.total_articles:,} article{'s' if report.total_articles != 1 else ''}"
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


def _problem_text(problem: Any) -> str:
    where = f": {problem.where}" if problem.where else ""
    return terminal_safe(f"{display_path(problem.path)}{where}: {problem.reason}")


# --- search -----------------------------------------------------------------------------


@app.command("search")
@handle_errors
def search_command(
    query: Annotated[
        list[str], typer.Argument(help="The query; several words are joined by spaces.")
    ],
    index_dir: IndexOption = DEFAULT_INDEX,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            help="Most hits to show; 0 for all. [default: 10; all with -l/-c]",
        ),
    ] = None,
    offset: Annotated[
        int, typer.Option("--offset", min=0, help="Skip this many hits first (paging).")
    ] = 0,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Only articles from this date on: 2025-05-01, 2025-05, 7d, 2w."
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only articles up to this date (inclusive).")
    ] = None,
    sort: Annotated[
        SortChoice, typer.Option("--sort", help="Order of the hits.")
    ] = SortChoice.RELEVANCE,
    json_output: Annotated[
        bool, typer.Option("--json", help="JSON Lines, one object per hit.")
    ] = False,
    files_with_matches: Annotated[
        bool,
        typer.Option("--files-with-matches", "-l", help="Print only the paths of matching files."),
    ] = False,
    count: Annotated[
        bool, typer.Option("--count", "-c", help="Print only the number of matches.")
    ] = False,
    null: Annotated[
        bool, typer.Option("--null", "-0", help="With -l: end each path with NUL, not newline.")
    ] = False,
    snippets: Annotated[int, typer.Option("--snippets", min=0, help="Snippets per hit.")] = 1,
    color: Annotated[
        ColorChoice,
        typer.Option("--color", help="Colour in human output (NO_COLOR is honoured by auto)."),
    ] = ColorChoice.AUTO,
) -> None:
    """Search the index; print ranked hits with highlighted snippets.

    Query syntax: words (all must match), OR, NOT or -word, "a phrase", title:word,
    source:name, date:2025-05, date:[2025-05-01 TO 2025-05-31], date:>2025-05-01,
    word* (prefix), word~ (fuzzy).

    Example: newsgrep search 'ceasefire talks' --since 2025-05 --sort newest
    """
    from newsgrep.search import SearchRequest, Sort, search

    if sum((json_output, files_with_matches or null, count)) > 1:
        raise _fail("choose one output mode: --json, -l/-0 or -c")
    summary = files_with_matches or null or count
    if limit is None:
        limit = 0 if summary else DEFAULT_LIMIT
    request = SearchRequest(
        query=" ".join(query),
        limit=limit or None,
        offset=offset,
        since=since,
        until=until,
        sort=Sort(sort.value),
        snippets=0 if summary else snippets,
    )
    result = search(index_dir, request)
    err = _err_console()
    for notice in result.notices:
        err.print(Text(f"newsgrep: note: {terminal_safe(notice)}"))
    _write_result(result, json_output, files_with_matches or null, count, null, color)
    if not (json_output or summary):
        from newsgrep.render.human import render_footer

        render_footer(result, err)
    raise typer.Exit(ExitCode.MATCH if result.total else ExitCode.NO_MATCH)


def _write_result(
    result: Any, json_output: bool, paths: bool, count: bool, null: bool, color: ColorChoice
) -> None:
    if json_output:
        from newsgrep.render.jsonl import write_jsonl

        write_jsonl(result, sys.stdout)
    elif paths:
        from newsgrep.render.paths import write_paths

        sys.stdout.flush()
        write_paths(result, sys.stdout.buffer, null=null, to_terminal=sys.stdout.isatty())
        sys.stdout.buffer.flush()
    elif count:
        from newsgrep.render.paths import write_count

        write_count(result, sys.stdout)
    else:
        from newsgrep.render.human import render_human

        render_human(result, _stdout_console(color))
    sys.stdout.flush()


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


def run() -> None:
    """The console script's entry point."""
    app()
