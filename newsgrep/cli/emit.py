"""Writing what a command found: the renderer an `Output` names, on the right stream.

Data goes to stdout; everything else (summaries, notes, the footer, --explain) to stderr.
The renderers are imported when used, so JSON output never loads Rich's renderables, and
`terminal` reads the facts of the terminal that `resolve` decides from.
"""

from __future__ import annotations

import os
import sys

from newsgrep.cli.exits import ExitCode
from newsgrep.cli.resolve import Mode, Output, Terminal
from newsgrep.model import SearchResult


def terminal() -> Terminal:
    """The facts of this process's stdout and stderr, as the renderers' Rich consoles will
    see them (without loading the renderers: JSON output needs none of them)."""
    from rich.console import Console

    return Terminal(
        stdout=Console().is_terminal,
        stdout_isatty=sys.stdout.isatty(),
        stderr=Console(stderr=True).is_terminal,
        environ=os.environ,
    )


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

        write_count(result, sys.stdout)
    elif output.mode is Mode.TEMPLATE:
        from newsgrep.render.template import write_template

        # File names that are not UTF-8 go out as their own bytes, as with -l.
        sys.stdout.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
        write_template(result, output.template, sys.stdout, to_terminal=output.to_terminal)
    elif output.mode is Mode.HUMAN:
        from newsgrep.render.human import (
            render_footer,
            render_human,
            stderr_console,
            stdout_console,
        )

        render_human(result, stdout_console(output.color), hyperlinks=output.hyperlinks)
        render_footer(result, stderr_console())
    sys.stdout.flush()
    return ExitCode.MATCH if result.total else ExitCode.NO_MATCH


def write_summary(result: SearchResult, tags: dict[str, str | int] | None = None) -> None:
    """The summary object after a query's hits (--summary), with the batch's tags."""
    from newsgrep.render.jsonl import summary_record, write_object

    write_object({**summary_record(result), **(tags or {})}, sys.stdout)


def write_counts(
    by: str, counts: list[tuple[str, int]], json_output: bool, *, empty_label: str
) -> None:
    """Counts per bucket (--timeline, stats --by): one JSON object, or a bar chart."""
    if json_output:
        from newsgrep.render.jsonl import counts_record, write_object

        write_object({"v": 1, **counts_record(by, counts)}, sys.stdout)
        return
    from newsgrep.render.human import render_bars, stdout_console

    render_bars(counts, stdout_console(), empty_label=empty_label)
