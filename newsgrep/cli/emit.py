"""Writing what a command found: the renderer an `Output` names, on the right stream.

Data goes to stdout; everything else (summaries, notes, the footer, --explain) to stderr.
The renderers are imported when used, so JSON output never loads Rich, and `terminal` reads
the facts of the terminal that `resolve` decides from; `human_output` adds the pager.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from newsgrep.cli.exits import ExitCode
from newsgrep.cli.resolve import Mode, Output, Terminal
from newsgrep.model import SearchResult

if TYPE_CHECKING:
    from rich.console import Console


def terminal() -> Terminal:
    """The facts of this process's stdout and stderr, as the renderers' Rich consoles will
    see them, read without loading Rich: JSON, -l and -c output need none of it."""
    return Terminal(
        stdout=_seen_as_terminal(sys.stdout, os.environ),
        stdout_isatty=_isatty(sys.stdout),
        stderr=_seen_as_terminal(sys.stderr, os.environ),
        environ=os.environ,
    )


def _seen_as_terminal(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Whether Rich's Console takes `stream` for a terminal: TTY_COMPATIBLE=1/0 says so
    first, then FORCE_COLOR (set and not empty: yes), then isatty (rich.console.is_terminal)."""
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    return _isatty(stream)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


@contextmanager
def human_output(output: Output) -> Iterator[Console]:
    """The console human output is printed on: stdout's, or, when `output` names a pager,
    one that collects what a terminal would show and, if it is longer than the screen,
    hands it to the pager (shorter output is printed as it is)."""
    from newsgrep.render.human import stdout_console

    if output.pager is None:
        yield stdout_console(output.color)
        return
    import io
    import shutil

    from newsgrep.cli.pager import page
    from newsgrep.render.human import pager_console

    size = shutil.get_terminal_size()
    buffer = io.StringIO()
    yield pager_console(buffer, output.color, size.columns)
    page(buffer.getvalue(), output.pager, rows=size.lines)


def emit(result: SearchResult, output: Output) -> ExitCode:
    """Write `result` as `output` says; the exit code follows whether anything matched."""
    if output.mode is Mode.JSON:
        from newsgrep.render.jsonl import write_jsonl

        write_jsonl(result, sys.stdout)
    elif output.mode is Mode.PATHS:
        from newsgrep.render.paths import write_paths

        sys.stdout.flush()
        write_paths(result, sys.stdout.buffer, null=output.null, to_terminal=output.to_terminal)
        sys.stdout.buffer.flush()
    elif output.mode is Mode.COUNT:
        from newsgrep.render.paths import write_count

        write_count(result, sys.stdout, page=output.page_count)
    elif output.mode is Mode.TEMPLATE:
        from newsgrep.render.template import write_template

        # File names that are not UTF-8 go out as their own bytes, as with -l.
        sys.stdout.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
        write_template(result, output.template, sys.stdout, to_terminal=output.to_terminal)
    elif output.mode is Mode.HUMAN:
        from newsgrep.render.human import render_footer, render_human, stderr_console

        with human_output(output) as console:
            render_human(result, console, hyperlinks=output.hyperlinks)
        render_footer(result, stderr_console())
    sys.stdout.flush()
    return ExitCode.MATCH if result.total else ExitCode.NO_MATCH


def write_summary(result: SearchResult, tags: dict[str, str | int] | None = None) -> None:
    """The summary object after a query's hits (--summary), with the batch's tags."""
    from newsgrep.render.jsonl import summary_record, write_object

    write_object({**summary_record(result), **(tags or {})}, sys.stdout)


def write_counts(
    by: str,
    counts: list[tuple[str, int]],
    json_output: bool,
    *,
    empty_label: str,
    color: bool | None = None,
) -> None:
    """Counts per bucket (--timeline, stats --by): one JSON object, or a bar chart."""
    if json_output:
        from newsgrep.render.jsonl import counts_record, write_object

        write_object({"v": 1, **counts_record(by, counts)}, sys.stdout)
        return
    from newsgrep.render.human import render_bars, stdout_console

    render_bars(counts, stdout_console(color), empty_label=empty_label)
