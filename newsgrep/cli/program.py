"""The program: the Typer app, its commands, the options before any command, and `run`.

`run` is what the `newsgrep` command and `python -m newsgrep` call. It prints the help for
`newsgrep` alone, and turns a usage error into one line and exit 2 (see `exits`). Settings
come from flags, then environment variables, then the config file (read here, for every
command), then defaults; `resolve` applies that order.
"""

from __future__ import annotations

import importlib
import os
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.exceptions import TyperException

from newsgrep import __version__
from newsgrep.cli.direct import COMPLETION_VARIABLE
from newsgrep.cli.exits import ExitCode, handle_errors, say, usage_line
from newsgrep.cli.options import GLOBALS_KEY
from newsgrep.cli.resolve import ColorChoice, GlobalOptions
from newsgrep.config import config_path, load_config
from newsgrep.render.common import safe_line

# Each command's module and function, in the order --help lists them. A module is imported
# when an app that has its command is made: a run that names one command loads only its
# module (see `app_for`), so a search loads none of `index`'s, `check`'s or `show`'s.
COMMANDS: dict[str, tuple[str, str]] = {
    "index": ("newsgrep.cli.maintain", "index_command"),
    "search": ("newsgrep.cli.search", "search_command"),
    "similar": ("newsgrep.cli.search", "similar_command"),
    "show": ("newsgrep.cli.browse", "show_command"),
    "stats": ("newsgrep.cli.browse", "stats_command"),
    "check": ("newsgrep.cli.maintain", "check_command"),
    "browse": ("newsgrep.cli.reading", "browse_command"),
}
# The options before the command that take a value (to find the command after them).
_VALUED = frozenset({"--config", "--index", "--color"})


def _typer(commands: tuple[str, ...] = tuple(COMMANDS)) -> typer.Typer:
    made = typer.Typer(
        name="newsgrep",
        help="Full-text search over a folder of news articles: ranked, highlighted, scriptable.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    made.callback()(main)
    for name in commands:
        module, function = COMMANDS[name]
        made.command(name)(getattr(importlib.import_module(module), function))
    return made


@cache
def whole_app() -> typer.Typer:
    """The app with every command (made once: `app` is this)."""
    return _typer()


def app_for(argv: list[str]) -> typer.Typer:
    """The app to run `argv` with: one that has only the command it names, when it names
    one. Typer makes every command it has into Click's on each run, which for all six
    took as long as a search of a small index; help, completion and usage errors that name
    no command get the whole app."""
    if COMPLETION_VARIABLE in os.environ:
        return whole_app()
    words = iter(argv)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return _typer((word,)) if word in COMMANDS else whole_app()
        elif word in ("--", "-h", "--help", "--man", "--version"):
            break
    return whole_app()


def _version(value: bool) -> None:
    if value:
        print(f"newsgrep {__version__}")
        raise typer.Exit()


def _man(value: bool) -> None:
    if value:
        from newsgrep.cli.manual import manual

        sys.stdout.write(manual(whole_app()))
        raise typer.Exit()


@handle_errors
def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    man: Annotated[
        bool,
        typer.Option(
            "--man",
            callback=_man,
            is_eager=True,
            help="Print the man page (roff: newsgrep --man | man -l -) and exit.",
        ),
    ] = False,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            envvar="NEWSGREP_CONFIG",
            metavar="FILE",
            help="Config file (env NEWSGREP_CONFIG) "
            "[default: $XDG_CONFIG_HOME/newsgrep/config.toml].",
            show_default=False,
        ),
    ] = None,
    index_dir: Annotated[
        Path | None,
        typer.Option(
            "--index",
            metavar="DIR",
            help="Index folder, for any command (env NEWSGREP_INDEX, config 'index'); "
            "a command's own --index wins.",
            show_default=False,
        ),
    ] = None,
    color: Annotated[
        ColorChoice | None,
        typer.Option(
            "--color",
            help="Colour in human output, for any command (config 'color').",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing, for any command; see its -q.")
    ] = False,
) -> None:
    """Full-text search over a folder of news articles: ranked, highlighted, scriptable.

    Example: newsgrep index seeds/ && newsgrep search "peace talks"
    """
    path, required = config_path(config, os.environ)
    ctx.obj = load_config(path, required=required)
    ctx.meta[GLOBALS_KEY] = GlobalOptions(index_dir, color, quiet)


# `app`, the whole app (tests run it with CliRunner), is made when first asked for.
app: typer.Typer

if not TYPE_CHECKING:  # (hidden from mypy, which would take any name for `app`)

    def __getattr__(name: str) -> Any:
        if name == "app":
            return whole_app()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run() -> None:
    """The entry point of the console script and of `python -m newsgrep`. A usage error (an
    unknown option, a bad value) is one line on stderr and exit 2, like every other error;
    Click would print the usage, a hint and the error on three."""
    if len(sys.argv) < 2 and COMPLETION_VARIABLE not in os.environ:
        # `newsgrep` alone: the help on stderr and exit 2, as Typer's `no_args_is_help`
        # has it (which CliRunner still goes through).
        typer.echo(_help(), err=True)
        sys.exit(ExitCode.ERROR)
    try:
        code = app_for(sys.argv[1:])(prog_name="newsgrep", standalone_mode=False)
    except TyperException as error:
        say(safe_line(usage_line(error, sys.argv[1:])))
        sys.exit(error.exit_code)
    except typer.Abort:  # end of input at a prompt
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(code if isinstance(code, int) else ExitCode.MATCH)


def _help() -> str:
    command = typer.main.get_command(whole_app())
    context = typer.Context(command, info_name="newsgrep", **command.context_settings)
    return context.get_help()
