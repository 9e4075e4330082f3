"""`newsgrep show` and `newsgrep stats`: whole articles, and what the index holds."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from newsgrep.cli.emit import human_output, terminal, write_counts
from newsgrep.cli.exits import ExitCode, error_line, handle_errors, say
from newsgrep.cli.options import (
    ColorOption,
    HyperlinkOption,
    IndexOption,
    JsonObjectOption,
    NoPagerOption,
    color_given,
    complete_ids,
    config_of,
    globals_of,
    index_given,
)
from newsgrep.cli.resolve import (
    DEFAULT_INDEX,
    ColorChoice,
    Mode,
    OutputOptions,
    resolve_color,
    resolve_output,
)
from newsgrep.errors import ArticleNotFoundError, NewsgrepError
from newsgrep.locate import existing_index
from newsgrep.model import Facet, ShownArticle


@handle_errors
def show_command(
    ctx: typer.Context,
    targets: Annotated[
        list[str],
        typer.Argument(
            help="Article ids, or paths of indexed files (all their articles).",
            autocompletion=complete_ids,
        ),
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
    no_pager: NoPagerOption = False,
) -> None:
    """Print whole articles: title, date, source, url, path and body.

    Every article found is printed; an id or path that is not is reported on stderr, and
    the exit status is then 2.

    Example: newsgrep show briefs.jsonl#b1 --query 'interest rate'
    """
    from newsgrep.engine.session import SearchSession

    config = config_of(ctx)
    wanted = OutputOptions(
        json=json_output,
        color=color_given(ctx, color),
        hyperlinks=hyperlinks,
        pager=False if no_pager else None,
        quiet=globals_of(ctx).quiet,
    )
    output = resolve_output(wanted, config, terminal())
    shown: list[ShownArticle] = []
    missing: list[NewsgrepError] = []
    with SearchSession(existing_index(index_given(ctx, index_dir), config)) as session:
        for target in targets:
            try:
                shown.extend(session.articles(target, query))
            except ArticleNotFoundError as not_found:
                missing.append(not_found)
    if output.mode is Mode.JSON:
        from newsgrep.render.jsonl import article_record, write_object

        for item in shown:
            write_object(article_record(item), sys.stdout)
    elif output.mode is Mode.HUMAN:
        from newsgrep.render.human import render_articles

        with human_output(output) as console:
            render_articles(shown, console, hyperlinks=output.hyperlinks)
    for failure in missing:
        say(error_line(failure))
    if missing:
        raise typer.Exit(ExitCode.ERROR)


@handle_errors
def stats_command(
    ctx: typer.Context,
    index_dir: IndexOption = DEFAULT_INDEX,
    by: Annotated[
        Facet | None,
        typer.Option("--by", help="Chart the article counts by month, year, source or lang."),
    ] = None,
    json_output: JsonObjectOption = False,
) -> None:
    """Describe the index: articles, date span, sources, size, last update, folders.

    Example: newsgrep stats --by month
    """
    from newsgrep.engine.session import SearchSession

    config = config_of(ctx)
    directory = existing_index(index_given(ctx, index_dir), config)
    colour = resolve_color(globals_of(ctx).color, config)
    if by is not None:
        with SearchSession(directory) as session:
            counts = session.count_by(by)
        empty = {Facet.SOURCE: "(no source)", Facet.LANG: "(unknown)"}.get(by, "(no date)")
        if not globals_of(ctx).quiet:
            write_counts(by.value, counts, json_output, empty_label=empty, color=colour)
        return
    from newsgrep.stats import index_stats

    stats = index_stats(directory)
    if globals_of(ctx).quiet:
        return
    if json_output:
        from newsgrep.render.jsonl import stats_record, write_object

        write_object(stats_record(stats, str(directory)), sys.stdout)
        return
    from newsgrep.render.human import render_stats, stdout_console

    render_stats(stats, directory, stdout_console(colour))
