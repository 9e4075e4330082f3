"""`newsgrep index` and `newsgrep check`: building the index, and verifying (or repairing) it.

The indexer and the check load Whoosh and walk folders; they are imported inside the
commands, so that a search never loads them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from newsgrep.cli.emit import terminal
from newsgrep.cli.exits import ExitCode, handle_errors, say
from newsgrep.cli.options import (
    IndexOption,
    JsonObjectOption,
    QuietOption,
    config_of,
    globals_of,
    index_given,
    quiet_given,
)
from newsgrep.cli.resolve import (
    DEFAULT_INDEX,
    IndexOptions,
    Mode,
    resolve_color,
)
from newsgrep.cli.resolve_maintenance import IndexRun, resolve_check_mode, resolve_index
from newsgrep.locate import existing_index
from newsgrep.render.common import display_path, safe_line


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
    compact: Annotated[
        bool,
        typer.Option(
            "--compact",
            help="Also rewrite the index into one segment, freeing the space that deleted "
            "and replaced articles still take (newsgrep check says how much).",
        ),
    ] = False,
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
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            metavar="GLOB",
            help="Leave out what this gitignore pattern matches (repeatable), in the folders "
            "indexed; remembered for later runs. A .newsgrepignore in a folder works alike.",
            show_default=False,
        ),
    ] = None,
    no_excludes: Annotated[
        bool,
        typer.Option("--no-excludes", help="Forget the --exclude patterns remembered."),
    ] = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Then keep the index current as files arrive, change or vanish, until Ctrl-C.",
        ),
    ] = False,
) -> None:
    """Build or update the index: new files added, changed ones replaced, deleted ones removed.

    \b
    Examples:
      newsgrep index seeds/        # later, a bare `newsgrep index` refreshes seeds/
      newsgrep index news/ --exclude README.TXT --exclude 'drafts/'
      find news -name '*.json' -print0 | newsgrep index -0 -
      newsgrep index --watch       # keep every covered folder current
    """
    from newsgrep.indexer import DEFAULT_MAX_SIZE, run_index
    from newsgrep.render.human import render_index_summary, stderr_console
    from newsgrep.render.progress import ProgressBar

    wanted = IndexOptions(
        tuple(paths or ()), index_given(ctx, index_dir), from_stdin, null, rebuild,
        verbose, quiet_given(ctx, quiet), wait, max_size, compact, tuple(exclude or ()),
        no_excludes, watch,
    )  # fmt: skip
    run = resolve_index(wanted, config_of(ctx), terminal(), default_max_size=DEFAULT_MAX_SIZE)
    if run.watch:
        _watch(run)
        return
    sources = [*run.paths, *(_stdin_paths(run.null) if run.read_stdin else ())]
    err = stderr_console()
    with ProgressBar(err, run.progress) as progress:
        report = run_index(
            run.index_dir,
            sources,
            rebuild=run.rebuild,
            wait_seconds=run.wait,
            progress=progress,
            max_size=run.max_size,
            compact=run.compact,
            excludes=run.excludes,
        )
    for warning in report.warnings:
        say(f"warning: {safe_line(warning)}")
    if run.summary:
        render_index_summary(report, err, verbose=run.verbose)


def _watch(run: IndexRun) -> None:
    """`newsgrep index --watch`: the first run's summary, then one line per batch that
    changed something; Ctrl-C stops (exit 130), with the index at its last commit."""
    from newsgrep.render.human import render_index_summary, stderr_console
    from newsgrep.render.progress import ProgressBar
    from newsgrep.watch import Batch, watch_index

    err = stderr_console()
    first = True
    bar = ProgressBar(err, run.progress)  # for the first run only

    def on_batch(batch: Batch) -> None:
        nonlocal first
        bar.close()
        if batch.warning is not None:
            say(f"warning: {safe_line(batch.warning)}")
        report = batch.report
        if report is None:
            return
        for warning in report.warnings:
            say(f"warning: {safe_line(warning)}")
        changed = report.added or report.updated or report.removed or report.skipped_files
        if run.summary and (first or changed):
            render_index_summary(report, err, verbose=run.verbose)
        first = False

    def on_ready(roots: list[str]) -> None:
        if run.summary:
            shown = ", ".join(display_path(root) for root in roots[:3])
            more = f" and {len(roots) - 3} more" if len(roots) > 3 else ""
            say(safe_line(f"watching {shown}{more} (Ctrl-C stops)"))

    try:
        with bar as progress:
            watch_index(
                run.index_dir,
                list(run.paths),
                on_batch=on_batch,
                on_ready=on_ready,
                max_size=run.max_size,
                excludes=run.excludes,
                wait_seconds=run.wait,
                progress=progress,
            )
    except KeyboardInterrupt:
        if run.summary:
            say("stopped watching; the index holds its last commit")
        raise typer.Exit(ExitCode.INTERRUPTED) from None


def _stdin_paths(null: bool) -> Iterator[Path]:
    """Paths from stdin, as the file system's bytes (any name, even one that is not UTF-8)."""
    data = sys.stdin.buffer.read()
    for raw in data.split(b"\0" if null else b"\n"):
        if raw.strip(b"\r" if not null else b""):
            yield Path(os.fsdecode(raw if null else raw.rstrip(b"\r")))


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
    json_output: JsonObjectOption = False,
    quiet: QuietOption = False,
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

    mode = resolve_check_mode(json_output, quiet_given(ctx, quiet))
    config = config_of(ctx)
    directory = existing_index(index_given(ctx, index_dir), config, unfinished=True)
    report = check_index(directory)
    repaired = None
    if repair and not report.healthy and report.repair is not None:
        repaired = repair_index(directory, report, wait_seconds=wait)
        report = check_index(directory)
    if mode is Mode.JSON:
        from newsgrep.render.jsonl import check_record, write_object

        write_object(check_record(report, repaired), sys.stdout)
    elif mode is Mode.HUMAN:
        from newsgrep.render.human import render_check, stdout_console

        colour = resolve_color(globals_of(ctx).color, config)
        render_check(report, stdout_console(colour), repaired=repaired)
    raise typer.Exit(ExitCode.MATCH if report.healthy else ExitCode.NO_MATCH)
