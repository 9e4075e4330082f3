"""The options more than one command takes, declared once, and how their values are read.

`with_hit_options` gives a command the fifteen options search and similar share (index,
paging, dates, sort, output modes, snippets, colour, hyperlinks, collapsing): they appear
in the command's signature, for Typer, where its `options` parameter stands, and reach the
command as one `HitOptions`. `given` tells a value set by a flag or an environment variable
from Typer's default, so that the config file can fill in the rest (see `resolve`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from newsgrep.cli.resolve import (
    DEFAULT_INDEX,
    ColorChoice,
    GlobalOptions,
    HitOptions,
    OutputOptions,
)
from newsgrep.config import Config
from newsgrep.model import Sort

T = TypeVar("T")
GLOBALS_KEY = "newsgrep.globals"  # where the app's callback leaves them, in Click's ctx.meta


def config_of(ctx: typer.Context) -> Config:
    """The config file's settings, read by the app's callback."""
    config = ctx.find_object(Config)
    return config if config is not None else Config()


def given(ctx: typer.Context, name: str, value: T) -> T | None:
    """`value` if a flag or an environment variable set it; None if it is Typer's default."""
    source = ctx.get_parameter_source(name)
    return None if source is not None and source.name == "DEFAULT" else value


def globals_of(ctx: typer.Context) -> GlobalOptions:
    """The options given before the command (see `GlobalOptions`)."""
    found = ctx.meta.get(GLOBALS_KEY)
    return found if isinstance(found, GlobalOptions) else GlobalOptions()


def nearest(ctx: typer.Context, name: str, value: T, outer: T | None) -> T | None:
    """The command's own flag, else the same option given before the command (`outer`),
    else the command's value from the environment; None when none of them gave one."""
    source = ctx.get_parameter_source(name)
    kind = source.name if source is not None else "COMMANDLINE"
    if kind == "COMMANDLINE" or (outer is None and kind != "DEFAULT"):
        return value
    return outer


def index_given(ctx: typer.Context, value: Path) -> Path | None:
    """--index of the command, else before it, else NEWSGREP_INDEX; None: not given."""
    return nearest(ctx, "index_dir", value, globals_of(ctx).index)


def color_given(ctx: typer.Context, value: ColorChoice) -> ColorChoice | None:
    """--color of the command, else before it; None: not given (the config's, else auto)."""
    return nearest(ctx, "color", value, globals_of(ctx).color)


def quiet_given(ctx: typer.Context, value: bool) -> bool:
    """-q of the command or before it."""
    return value or globals_of(ctx).quiet


IndexOption = Annotated[
    Path,
    typer.Option(
        "--index",
        envvar="NEWSGREP_INDEX",
        help="Index folder (env NEWSGREP_INDEX, config 'index'). [default: the nearest "
        "index/ holding an index, in the working folder or a folder above it; else ./index]",
        show_default=False,
    ),
]
ColorOption = Annotated[
    ColorChoice,
    typer.Option("--color", help="Colour in human output (auto honours NO_COLOR; config 'color')."),
]
HyperlinkOption = Annotated[
    bool | None,
    typer.Option(
        "--hyperlinks/--no-hyperlinks",
        help="Titles link to their files. [default: on terminals known to support it]",
        show_default=False,
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing; only the exit status tells.")
]
JsonObjectOption = Annotated[bool, typer.Option("--json", help="One JSON object.")]
NoPagerOption = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print long output straight to the terminal, not through $PAGER or less "
        "(config 'pager'); a pipe never gets one.",
    ),
]


def complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """The shell's TAB after show and similar: article ids (loaded only when asked)."""
    from newsgrep.cli import completion

    return completion.complete_ids(ctx, incomplete)


def complete_query(incomplete: str) -> list[str]:
    """The shell's TAB in a query: field names."""
    from newsgrep.cli import completion

    return completion.complete_query(incomplete)


def _option(name: str, annotation: object, default: object) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


# In the order --help lists them.
_HIT_PARAMETERS = (
    _option("index_dir", IndexOption, DEFAULT_INDEX),
    _option(
        "limit",
        Annotated[
            int | None,
            typer.Option(
                "--limit",
                "-n",
                "--max-count",
                "-m",
                min=0,
                help="Most hits to show, list (-l) or count (-c); 0 for all; -m as grep has it. "
                "[default: 10 (config 'limit'); all with -l/-c]",
                show_default=False,
            ),
        ],
        None,
    ),
    _option(
        "offset",
        Annotated[int, typer.Option("--offset", min=0, help="Skip this many hits first (paging).")],
        0,
    ),
    _option(
        "since",
        Annotated[
            str | None,
            typer.Option(
                "--since", help="Only articles from this date on: 2025-05-01, 2025-05, 7d, 2w."
            ),
        ],
        None,
    ),
    _option(
        "until",
        Annotated[
            str | None, typer.Option("--until", help="Only articles up to this date (inclusive).")
        ],
        None,
    ),
    _option(
        "langs",
        Annotated[
            list[str] | None,
            typer.Option(
                "--lang",
                help="Only articles in this language (repeatable): de, pt (pt-br too).",
                show_default=False,
            ),
        ],
        None,
    ),
    _option(
        "sort",
        Annotated[Sort, typer.Option("--sort", help="Order of the hits (config 'sort').")],
        Sort.RELEVANCE,
    ),
    _option(
        "json_output",
        Annotated[bool, typer.Option("--json", help="JSON Lines, one object per hit.")],
        False,
    ),
    _option(
        "files_with_matches",
        Annotated[
            bool,
            typer.Option(
                "--files-with-matches", "-l", help="Print only the paths of matching files."
            ),
        ],
        False,
    ),
    _option(
        "count",
        Annotated[bool, typer.Option("--count", "-c", help="Print only the number of matches.")],
        False,
    ),
    _option(
        "null",
        Annotated[
            bool,
            typer.Option("--null", "-0", help="With -l: end each path with NUL, not newline."),
        ],
        False,
    ),
    _option(
        "template",
        Annotated[
            str | None,
            typer.Option(
                "--format",
                metavar="TEMPLATE",
                help="One line per hit from a template, e.g. '{date}\\t{path}\\t{title}'. "
                "Fields: {rank} {score} {id} {path} {title} {date} {source} {url} {snippet}.",
            ),
        ],
        None,
    ),
    _option(
        "snippets",
        Annotated[int, typer.Option("--snippets", min=0, help="Snippets per hit.")],
        1,
    ),
    _option("color", ColorOption, ColorChoice.AUTO),
    _option("hyperlinks", HyperlinkOption, None),
    _option("no_pager", NoPagerOption, False),
    _option(
        "no_collapse",
        Annotated[
            bool,
            typer.Option(
                "--no-collapse",
                help="Show near-duplicate articles (wire re-sends) as hits of their own.",
            ),
        ],
        False,
    ),
)
_HIT_NAMES = tuple(parameter.name for parameter in _HIT_PARAMETERS)


def _hit_options(ctx: typer.Context, values: dict[str, Any]) -> HitOptions:
    return HitOptions(
        index=index_given(ctx, values["index_dir"]),
        limit=values["limit"],
        offset=values["offset"],
        since=values["since"],
        until=values["until"],
        langs=tuple(values["langs"] or ()),
        sort=given(ctx, "sort", values["sort"]),
        snippets=values["snippets"],
        collapse=not values["no_collapse"],
        output=OutputOptions(
            json=values["json_output"],
            files_with_matches=values["files_with_matches"],
            count=values["count"],
            null=values["null"],
            template=values["template"],
            color=color_given(ctx, values["color"]),
            hyperlinks=values["hyperlinks"],
            pager=False if values["no_pager"] else None,
            quiet=globals_of(ctx).quiet,
        ),
    )


C = TypeVar("C", bound=Callable[..., None])


def with_hit_options(command: C) -> C:
    """Give `command` the options search and similar share, in place of its `options:
    HitOptions` parameter (Typer reads the signature); it must take `ctx` too."""
    signature = inspect.signature(command, eval_str=True)
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        parameters.extend(_HIT_PARAMETERS if parameter.name == "options" else (parameter,))

    @functools.wraps(command)
    def wrapper(**values: Any) -> None:
        shared = {name: values.pop(name) for name in _HIT_NAMES}
        command(**values, options=_hit_options(values["ctx"], shared))

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
