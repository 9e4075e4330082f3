"""The man page, made from the same help text as `--help` (`newsgrep --man`, and
docs/newsgrep.1, which a test keeps equal to it), so that the two never drift apart, as
ripgrep's `--generate man` is made from its flag definitions.

    newsgrep --man | man -l -        # read it
    newsgrep --man > ~/.local/share/man/man1/newsgrep.1
"""

from __future__ import annotations

import re
from typing import Any

import typer
import typer.main

from newsgrep import __version__

_SECTIONS = (
    (
        "EXIT STATUS",
        "0 when at least one article matched (or a command succeeded), 1 when none did (or "
        "check found a problem), 2 on an error, 130 when interrupted; in every output mode, "
        "and a reader that goes away (| head) does not change it. -q, -c, -l, -0, --format, "
        "--batch and --json into a pipe match every word of the query, as grep does; only "
        "--any, the human view and --json on a terminal rank articles with most of the "
        "words when few have all.",
    ),
    (
        "ENVIRONMENT",
        "NEWSGREP_INDEX (the index folder), NEWSGREP_CONFIG (the config file), "
        "NEWSGREP_WORKERS (processes a large index run writes with), PAGER (long human "
        "output on a terminal, unless the config names a pager), NO_COLOR, FORCE_COLOR.",
    ),
    (
        "FILES",
        "$XDG_CONFIG_HOME/newsgrep/config.toml (~/.config/newsgrep/config.toml): index, "
        "limit, sort, color, synonyms, max_size, pager, date_order.",
    ),
    ("SEE ALSO", "grep(1), rg(1), notmuch-search(1); README.md and docs/json.md."),
)


def manual(app: typer.Typer) -> str:
    """The man page of `app`, in roff (man(7) macros)."""
    group = typer.main.get_command(app)
    context = typer.Context(group, info_name="newsgrep")
    lines = [
        f'.TH NEWSGREP 1 "" "newsgrep {__version__}" "User Commands"',
        ".SH NAME",
        "newsgrep \\- " + _roff(_first_line(group.help or "")),
        ".SH SYNOPSIS",
        ".B newsgrep",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        *_paragraphs(group.help or ""),
        ".SH OPTIONS",
        *_options(group, context),
        ".SH COMMANDS",
    ]
    commands: dict[str, Any] = getattr(group, "commands", {})
    for name, command in commands.items():
        sub = typer.Context(command, info_name=name, parent=context)
        usage = " ".join(command.collect_usage_pieces(sub))
        lines += [f".SS {_roff(name)}", f".B newsgrep {_roff(name)}", _roff(usage), ".PP"]
        lines += _paragraphs(command.help or "")
        lines += _options(command, sub)
    for title, text in _SECTIONS:
        lines += [f".SH {title}", _roff(text)]
    return "\n".join(lines) + "\n"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else ""


def _paragraphs(text: str) -> list[str]:
    """The help text's paragraphs; a block marked with Click's \\b keeps its lines."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if lines and lines[0].strip() == "\b":
            out += [".nf", *(_roff(line) for line in lines[1:]), ".fi", ".PP"]
        else:
            out += [_roff(" ".join(line.strip() for line in lines)), ".PP"]
    return out


def _options(command: Any, ctx: typer.Context) -> list[str]:
    out: list[str] = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, help_text = record
        out += [".TP", f"\\fB{_roff(names)}\\fR", _roff(help_text)]
    return out


def _roff(text: str) -> str:
    """`text` safe in roff: backslashes doubled, hyphens and leading dots escaped."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text
