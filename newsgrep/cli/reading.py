"""`newsgrep browse`: the full-screen reading room (newsgrep/cli/fullscreen/).

The options resolve as `search`'s do (`resolve.resolve_browse`: index, config, synonyms,
sort, dates, colour) into the request every query typed in the view goes into. Textual is
imported inside the command, so no other command loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newsgrep.cli.emit import terminal
from newsgrep.cli.exits import handle_errors
from newsgrep.cli.options import ColorOption, IndexOption, config_of, given
from newsgrep.cli.resolve import (
    DEFAULT_INDEX,
    ColorChoice,
    HitOptions,
    OutputOptions,
    SearchOptions,
    resolve_browse,
)
from newsgrep.model import Sort

# Rows in the list: a screen or two of them; more is a finer query away.
BROWSE_LIMIT = 50


@handle_errors
def browse_command(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(help="The query to start with (words joined).", show_default=False),
    ] = None,
    index_dir: IndexOption = DEFAULT_INDEX,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Most results in the list.")
    ] = BROWSE_LIMIT,
    since: Annotated[
        str | None, typer.Option("--since", help="Only articles from this date on (d changes it).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only articles up to this date (inclusive).")
    ] = None,
    sort: Annotated[
        Sort, typer.Option("--sort", help="Order of the results (config 'sort'; o changes it).")
    ] = Sort.RELEVANCE,
    no_collapse: Annotated[
        bool, typer.Option("--no-collapse", help="Show near-duplicates (f toggles it).")
    ] = False,
    synonyms_file: Annotated[
        Path | None,
        typer.Option("--synonyms", metavar="FILE", help="More synonyms (config 'synonyms')."),
    ] = None,
    no_synonyms: Annotated[
        bool, typer.Option("--no-synonyms", help="Search only the words as written.")
    ] = False,
    color: ColorOption = ColorChoice.AUTO,
) -> None:
    """Browse the index full-screen: search as you type, read, refine (? lists the keys).

    Example: newsgrep browse 'ceasefire talks' --since 2025-05
    """
    from newsgrep.cli.fullscreen.app import BrowseApp
    from newsgrep.text.synonyms import load_synonyms

    hits = HitOptions(
        index=given(ctx, "index_dir", index_dir),
        limit=limit,
        since=since,
        until=until,
        sort=given(ctx, "sort", sort),
        collapse=not no_collapse,
        output=OutputOptions(color=given(ctx, "color", color)),
    )
    wanted = SearchOptions(
        tuple(query or ()), hits, synonyms_file=synonyms_file, no_synonyms=no_synonyms
    )
    plan = resolve_browse(wanted, config_of(ctx), load_synonyms, terminal())
    output = plan.output
    BrowseApp(plan.index_dir, plan.request, color=output.color, pager=output.pager).run()
