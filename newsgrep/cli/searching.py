"""Running a search as its options were given: resolved (`resolve`) into a `SearchPlan`,
run on a `SearchSession` — one query, `--batch`, `--timeline`, `--explain` — and handed to
`emit`. No Typer: the `search` command calls it, and so does a plain search read without
Typer (`direct`). The session is imported when a search runs: it loads Whoosh.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from newsgrep.cli.emit import emit, terminal, write_counts, write_summary
from newsgrep.cli.exits import ExitCode
from newsgrep.cli.resolve import SearchOptions, SearchPlan, resolve_search
from newsgrep.config import Config
from newsgrep.errors import NewsgrepError
from newsgrep.model import SearchRequest, SearchResult

if TYPE_CHECKING:
    from newsgrep.engine.session import SearchSession


def run_search(wanted: SearchOptions, config: Config) -> ExitCode:
    """Search as `wanted` and `config` say; the exit code follows what matched."""
    from newsgrep.engine.session import SearchSession
    from newsgrep.text.synonyms import load_synonyms

    plan = resolve_search(wanted, config, terminal(), load_synonyms)
    plan.existing_index()
    if plan.batch:
        return _run_batch(plan)
    with SearchSession(plan.index_dir) as session:
        if wanted.explain:
            _print_explanation(session, plan.request)
        if wanted.timeline:
            return _timeline(session, plan.request, wanted.hits.output.json)
        result = session.search(plan.request)
    _print_notices(result)
    exit_code = emit(result, plan.output)
    if plan.summary:
        write_summary(result)
    return exit_code


def _print_explanation(session: SearchSession, request: SearchRequest) -> None:
    from newsgrep.render.human import render_explanation, stderr_console

    render_explanation(session.explain(request), stderr_console())


def _print_notices(result: SearchResult) -> None:
    if not (result.notices or result.suggestion):
        return  # and the human renderer need not load, for JSON or -l
    from newsgrep.render.human import render_notices, stderr_console

    render_notices(result, stderr_console())


def _timeline(session: SearchSession, request: SearchRequest, json_output: bool) -> ExitCode:
    by, counts = session.timeline(request)
    write_counts(by.value, counts, json_output, empty_label="(no date)")
    return ExitCode.MATCH if any(count for _, count in counts) else ExitCode.NO_MATCH


def _run_batch(plan: SearchPlan) -> ExitCode:
    """One search per stdin line, in one process; a bad line gives an error object, and the
    run goes on. Exit 2 if any line failed (as grep does), else 0 or 1."""
    from dataclasses import replace

    from newsgrep.engine.session import SearchSession
    from newsgrep.render.jsonl import write_jsonl, write_object

    matched = failed = False
    # A line that is not UTF-8 is a query like any other, not a UnicodeDecodeError.
    sys.stdin.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
    with SearchSession(plan.index_dir) as session:
        for number, raw in enumerate(sys.stdin, start=1):
            text = raw.rstrip("\r\n")
            tags: dict[str, str | int] = {"query": text, "line": number}
            if not text.strip():
                continue
            try:
                result = session.search(replace(plan.request, query=text))
            except NewsgrepError as error:
                write_object({"v": 1, **tags, "error": str(error)}, sys.stdout)
                failed = True
                continue
            write_jsonl(result, sys.stdout, tags)
            if plan.summary:
                write_summary(result, tags)
            matched = matched or result.total > 0
            sys.stdout.flush()
    if failed:
        return ExitCode.ERROR
    return ExitCode.MATCH if matched else ExitCode.NO_MATCH
