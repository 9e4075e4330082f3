"""Exit codes, and the one place errors become them.

Exit codes follow grep: 0 when something matched (or a command succeeded), 1 when nothing
matched, 2 on any error, 130 when interrupted. A command's errors (every `NewsgrepError`)
are mapped by `handle_errors`; usage errors, which Typer raises before a command runs, by
`usage_line`, which `app.run` prints. Each is one line on stderr: "newsgrep: ...".
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import ParamSpec

import typer
from typer.exceptions import TyperException

from newsgrep.errors import NewsgrepError
from newsgrep.render.common import safe_line

P = ParamSpec("P")


class ExitCode(IntEnum):
    MATCH = 0
    NO_MATCH = 1
    ERROR = 2
    INTERRUPTED = 130


def say(message: str) -> None:
    """One line of newsgrep's own on stderr: "newsgrep: <message>"."""
    from newsgrep.render.human import render_message, stderr_console

    render_message(message, stderr_console())


def handle_errors(command: Callable[P, None]) -> Callable[P, None]:
    """Turn the core's errors into one line on stderr and exit 2, Ctrl-C into 130, and a
    closed pipe (`| head -1`) into a quiet exit."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except NewsgrepError as error:
            hint = f" — {error.hint}" if error.hint else ""
            say(safe_line(f"{error}{hint}"))
            raise typer.Exit(ExitCode.ERROR) from None
        except KeyboardInterrupt:
            say("interrupted")
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away; point stdout at /dev/null so the final flush is quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(ExitCode.MATCH) from None

    return wrapper


def usage_line(error: TyperException, argv: list[str]) -> str:
    """A usage error (an unknown option, a bad value, a missing argument) as one line that
    names the help to read; Click would print the usage, a hint and the error on three."""
    message = error.format_message()
    # Usage errors carry the context of the command they are about, and a bad option its
    # name; other Typer errors have neither.
    context: typer.Context | None = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "newsgrep"
    option: str = getattr(error, "option_name", "")
    if option.startswith("-") and not option.startswith("--") and command.endswith("search"):
        # `newsgrep search istanbul -mayor`: `-mayor` reaches Click as options -m -a -y ...
        word = next((a for a in argv if a.startswith(option) and a != "--"), option)
        return (
            f"no such option: {word}; to leave out a word, quote the query or put it after "
            f"--: {command} -- ... {word}"
        )
    return f"{message} (see: {command} --help)"
