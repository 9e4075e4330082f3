"""Exit codes, and the one place errors become them.

Exit codes follow grep: 0 when something matched (or a command succeeded), 1 when nothing
matched, 2 on any error, 130 when interrupted. A command's errors (every `NewsgrepError`)
are mapped by `guarded`, for Typer's commands through `handle_errors`, for a plain search
read without Typer (`direct`) as they are; usage errors, which Typer raises before a command
runs, by `usage_line`, which `app.run` prints. Each is one line on stderr: "newsgrep: ...".
Anything else that escapes is a bug and keeps its traceback. Typer is not loaded here: a
plain search never loads it.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, ParamSpec

from newsgrep.errors import NewsgrepError
from newsgrep.render.common import safe_line

if TYPE_CHECKING:
    import typer
    from typer.exceptions import TyperException

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


def guarded(command: Callable[[], ExitCode | None]) -> ExitCode | None:
    """Run `command`; turn the core's errors into one line on stderr and exit 2, Ctrl-C
    into 130, and a closed pipe (`| head -1`) into a quiet exit 0 (its own code otherwise)."""
    try:
        return command()
    except NewsgrepError as error:
        say(error_line(error))
        return ExitCode.ERROR
    except KeyboardInterrupt:
        say("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away; point stdout at /dev/null so the final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.MATCH


def handle_errors(command: Callable[P, None]) -> Callable[P, None]:
    """`guarded` for a Typer command, which ends by raising `typer.Exit`."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        def run() -> None:
            command(*args, **kwargs)

        code = guarded(run)
        if code is not None:
            import typer  # loaded already: the command runs under Typer

            raise typer.Exit(code) from None

    return wrapper


def error_line(error: NewsgrepError) -> str:
    """An error and its hint, as one line: "message — hint"."""
    hint = f" — {error.hint}" if error.hint else ""
    return safe_line(f"{error}{hint}")


# grep's options that mean something else here, or nothing: each refused with the way
# newsgrep does what a grep user wants from it.
GREP_HABITS = {
    "-w": "newsgrep matches whole words already, and their forms (talks finds talk): drop -w",
    "-v": "to leave out articles with a word, write NOT word or -word in the quoted query: "
    "newsgrep search 'istanbul NOT mayor'",
    "-e": "the query is the words given: join alternatives with OR "
    "(newsgrep search 'kyiv OR kiev'), and put a query that starts with - after --",
    "-C": "newsgrep shows snippets, not lines around a match: --snippets N gives N per hit, "
    "newsgrep show ID the whole article",
}
GREP_HABITS["-A"] = GREP_HABITS["-B"] = GREP_HABITS["-C"]


def usage_line(error: TyperException, argv: list[str]) -> str:
    """A usage error (an unknown option, a bad value, a missing argument) as one line that
    names the help to read; Click would print the usage, a hint and the error on three."""
    message = error.format_message()
    # Usage errors carry the context of the command they are about, and a bad option its
    # name; other Typer errors have neither.
    context: typer.Context | None = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "newsgrep"
    option: str = getattr(error, "option_name", "")
    letters = _short_letters(error, option)
    if letters and command.endswith("search"):
        words = argv[: argv.index("--")] if "--" in argv else argv
        if option in GREP_HABITS and any(_is_option(a, option) for a in words):
            return f"{option} is grep's; {GREP_HABITS[option]}"
        # `newsgrep search istanbul -mayor`: `-mayor` reaches Click as -m with the value
        # "ayor", or as options -m -a -y ...: the word a user meant to leave out.
        word = next((a for a in words if _is_word_after_minus(a, letters)), None)
        if word is not None:
            return (
                f"no such option: {word}; to leave out a word, quote the query or put it "
                f"after --: {command} -- ... {word}"
            )
    return f"{message} (see: {command} --help)"


def _short_letters(error: TyperException, option: str) -> set[str]:
    """The letters of the short options the error is about: an unknown one (`-e`), or
    those of the option a bad value was given to (`-n`/`-m` of --limit)."""
    if option.startswith("-") and not option.startswith("--"):
        return {option[1:]}
    param = getattr(error, "param", None)
    names: list[str] = list(getattr(param, "opts", []) or [])
    return {name[1:] for name in names if len(name) == 2 and name[0] == "-"}


def _is_option(arg: str, option: str) -> bool:
    """`-C`, or `-C2` (a number given with it)."""
    return arg == option or (arg.startswith(option) and arg[len(option) :].isdigit())


def _is_word_after_minus(arg: str, letters: set[str]) -> bool:
    """`-mayor`: a single minus, then a word (of letters) in which one of them is."""
    return (
        len(arg) > 2
        and arg[0] == "-"
        and arg[1:].isalpha()
        and any(letter in arg[1:] for letter in letters)
    )
