"""The command line: options in, a request resolved, the core called, a renderer chosen,
errors mapped to exit codes.

    program.py   the Typer app, the options before any command, `run` (usage errors)
    search.py    search (--batch, --timeline, --explain) and similar
    maintain.py  index and check
    browse.py    show and stats
    options.py   the options several commands share, declared once
    resolve.py   options → SearchRequest and Output, without Typer (flag > env > config
                 > default, the output-mode policy, conflicting options)
    emit.py      the renderer an Output names, on the right stream
    exits.py     ExitCode (0/1/2/130) and the one mapping of errors to them

`app` and `run` are loaded when first asked for, so that importing `newsgrep.cli.resolve`
loads no Typer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsgrep.cli.program import app, run

__all__ = ["app", "run"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from newsgrep.cli import program

        return getattr(program, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
