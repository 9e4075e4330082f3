"""`newsgrep search` (with --batch, --timeline, --explain) and `newsgrep similar`: their
Typer declarations.

`search` hands its options, as given, to `searching.run_search`, which a plain search read
without Typer (`direct`) calls too; `similar` resolves its options into a `SearchPlan` (see
`resolve`), runs it on a `SearchSession`, and hands the result to `emit`. The session is
imported inside the commands: it loads Whoosh, which `--help` and a usage error need not
wait for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newsgrep.cli.emit import emit, terminal
from newsgrep.cli.exits import handle_errors
from newsgrep.cli.options import (
    QuietOption,
    complete_ids,
    complete_query,
    config_of,
    quiet_given,
    with_hit_options,
)
from newsgrep.cli.resolve import HitOptions, SearchOptions, resolve_similar
from newsgrep.cli.searching import run_search


@handle_errors
@with_hit_options
def search_command(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(
            help="The query; several words are joined by spaces.",
            show_default=False,
            autocompletion=complete_query,
        ),
    ] = None,
    *,
    options: HitOptions,  # the shared options (see `with_hit_options`)
    quiet: QuietOption = False,
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
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Search the query as typed: when nothing matches, show no results of its "
            "spelling correction (scripts never get them).",
        ),
    ] = False,
    ignore_case: Annotated[
        bool,
        typer.Option(
            "--ignore-case",
            "-i",
            help="Accepted for grep's sake: search is already case-insensitive (and "
            "accent-insensitive: turkiye finds Türkiye).",
        ),
    ] = False,
) -> None:
    """Search the index; print ranked hits with highlighted snippets.

    Query syntax: words (all must match), OR, NOT or -word, "a phrase", title:word,
    source:name, date:2025-05, date:2004..2005, date:"last week"..,
    date:[2025-05-01 TO 2025-05-31], date:>2025-05-01, since:2004-06, until:2005,
    word* (prefix), word~ (fuzzy). Case and accents never matter.

    \b
    Exit status: 0 when something matched, 1 when nothing did, 2 on an error.
    -q, -c, -l, --format and --json into a pipe match every word of the query;
    the human view may rank articles with most of the words when few have all.

    Example: newsgrep search 'ceasefire talks' --since 2025-05 --sort newest
    """
    wanted = SearchOptions(
        tuple(query or ()), options, quiet_given(ctx, quiet), batch, all_words, any_word,
        synonyms_file, no_synonyms, summary, exact, explain, timeline,
    )  # fmt: skip
    raise typer.Exit(run_search(wanted, config_of(ctx)))


@handle_errors
@with_hit_options
def similar_command(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help="An article id, or the path of an indexed file.", autocompletion=complete_ids
        ),
    ],
    *,
    options: HitOptions,  # the shared options (see `with_hit_options`)
) -> None:
    """Find articles like one in the index (more-like-this over its title and body).

    Example: newsgrep similar briefs.jsonl#b2 -n 5
    """
    from newsgrep.engine.session import SearchSession

    plan = resolve_similar(target, options, config_of(ctx), terminal())
    plan.existing_index()
    with SearchSession(plan.index_dir) as session:
        result = session.similar(target, plan.request)
    raise typer.Exit(emit(result, plan.output))
