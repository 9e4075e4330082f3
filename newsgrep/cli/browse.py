"""`newsgrep show` and `newsgrep stats`: whole articles, and what the index holds."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from newsgrep.cli.emit import terminal, write_counts
from newsgrep.cli.exits import handle_errors
from newsgrep.cli.options import (
    ColorOption,
    HyperlinkOption,
    IndexOption,
    JsonObjectOption,
    config_of,
    given,
)
from newsgrep.cli.resolve import (
    DEFAULT_INDEX,
    ColorChoice,
    Mode,
    OutputOptions,
    resolve_output,
)
from newsgrep.locate import existing_index
from newsgrep.model import Facet


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

    config = config_of(ctx)
    wanted = OutputOptions(
        json=json_output, color=given(ctx, "color", color), hyperlinks=hyperlinks
    )
    output = resolve_output(wanted, config, terminal())
    with SearchSession(existing_index(given(ctx, "index_dir", index_dir), config)) as session:
        shown = [item for target in targets for item in session.articles(target, query)]
    if output.mode is Mode.JSON:
        from newsgrep.render.jsonl import article_record, write_object

        for item in shown:
            write_object(article_record(item), sys.stdout)
        return
    from newsgrep.render.human import render_articles, stdout_console

    render_articles(shown, stdout_console(output.color), hyperlinks=output.hyperlinks)


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

    directory = existing_index(given(ctx, "index_dir", index_dir), config_of(ctx))
    if by is not None:
        with SearchSession(directory) as session:
            counts = session.count_by(by)
        empty = {Facet.SOURCE: "(no source)", Facet.LANG: "(unknown)"}.get(by, "(no date)")
        write_counts(by.value, counts, json_output, empty_label=empty)
        return
    from newsgrep.stats import index_stats

    stats = index_stats(directory)
    if json_output:
        from newsgrep.render.jsonl import stats_record, write_object

        write_object(stats_record(stats, str(directory)), sys.stdout)
        return
    from newsgrep.render.human import render_stats, stdout_console

    render_stats(stats, directory, stdout_console())
