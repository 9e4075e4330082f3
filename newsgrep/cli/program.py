"""The program: the Typer app, its commands, the options before any command, and `run`.

`run` is what the `newsgrep` command and `python -m newsgrep` call. It prints the help for
`newsgrep` alone, and turns a usage error into one line and exit 2 (see `exits`). Settings
come from flags, then environment variables, then the config file (read here, for every
command), then defaults; `resolve` applies that order.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from typer.exceptions import TyperException

from newsgrep import __version__
from newsgrep.cli.browse import show_command, stats_command
from newsgrep.cli.exits import ExitCode, handle_errors, say, usage_line
from newsgrep.cli.maintain import check_command, index_command
from newsgrep.cli.reading import browse_command
from newsgrep.cli.search import search_command, similar_command
from newsgrep.config import config_path, load_config
from newsgrep.render.common import safe_line

app = typer.Typer(
    name="newsgrep",
    help="Full-text search over a folder of news articles: ranked, highlighted, scriptable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("index")(index_command)
app.command("search")(search_command)
app.command("similar")(similar_command)
app.command("show")(show_command)
app.command("stats")(stats_command)
app.command("check")(check_command)
app.command("browse")(browse_command)


def _version(value: bool) -> None:
    if value:
        print(f"newsgrep {__version__}")
        raise typer.Exit()


@app.callback()
@handle_errors
def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
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
) -> None:
    """Full-text search over a folder of news articles: ranked, highlighted, scriptable.

    Example: newsgrep index seeds/ && newsgrep search "peace talks"
    """
    path, required = config_path(config, os.environ)
    ctx.obj = load_config(path, required=required)


def run() -> None:
    """The entry point of the console script and of `python -m newsgrep`. A usage error (an
    unknown option, a bad value) is one line on stderr and exit 2, like every other error;
    Click would print the usage, a hint and the error on three."""
    if len(sys.argv) < 2:
        # `newsgrep` alone: the help on stderr and exit 2, as Typer's `no_args_is_help`
        # has it (which CliRunner still goes through).
        typer.echo(_help(), err=True)
        sys.exit(ExitCode.ERROR)
    try:
        code = app(prog_name="newsgrep", standalone_mode=False)
    except TyperException as error:
        say(safe_line(usage_line(error, sys.argv[1:])))
        sys.exit(error.exit_code)
    except typer.Abort:  # end of input at a prompt
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(code if isinstance(code, int) else ExitCode.MATCH)


def _help() -> str:
    command = typer.main.get_command(app)
    context = typer.Context(command, info_name="newsgrep", **command.context_settings)
    return context.get_help()
