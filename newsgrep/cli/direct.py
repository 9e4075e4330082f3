"""A plain search read without Typer: `newsgrep search WORDS...` with the few options people
and scripts type most with it, run exactly as the `search` command runs it, at a start-up
that does not pay for loading Typer and Click and building the command.

What this reader takes, anywhere after `search`: words (every argument after `--`, too),
`--json`, `-l`/`--files-with-matches`, `-c`/`--count`, `-q`/`--quiet`, `-i`/`--ignore-case`,
`--index DIR` and `-n`/`-m`/`--limit`/`--max-count N`, in the forms Click reads them
(`--index=DIR`, `-n5`). Anything else — another option, a value this reader cannot vouch
for, help, shell completion, options before the command — it leaves to Typer (`read` gives
None), which reads the whole command line as before. `tests/test_direct.py` holds the two
readers to the same values, with the environment variables Typer reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from newsgrep.cli.exits import ExitCode, guarded
from newsgrep.cli.wanted import HitOptions, OutputOptions, SearchOptions

# Set by the shell's completion script when it asks what to offer (Click's name for it):
# Typer answers it.
COMPLETION_VARIABLE = "_NEWSGREP_COMPLETE"
_INDEX = ("--index",)
_LIMIT = ("-n", "--limit", "-m", "--max-count")
_FLAGS = {
    "--json": "json",
    "-l": "files_with_matches",
    "--files-with-matches": "files_with_matches",
    "-c": "count",
    "--count": "count",
    "-q": "quiet",
    "--quiet": "quiet",
    "-i": "ignore_case",
    "--ignore-case": "ignore_case",
}


def run_plain(argv: list[str], environ: Mapping[str, str]) -> int | None:
    """Run `argv` if it is a plain search (its exit code); None when Typer must read it."""
    wanted = read(argv, environ)
    if wanted is None:
        return None
    from newsgrep.cli.searching import run_search
    from newsgrep.config import config_path, load_config

    def search() -> ExitCode:
        # As the app's callback does: --config's environment variable, else the default.
        path, required = config_path(environ.get("NEWSGREP_CONFIG") or None, environ)
        return run_search(wanted, load_config(path, required=required))

    code = guarded(search)
    return ExitCode.MATCH if code is None else code


def read(argv: list[str], environ: Mapping[str, str]) -> SearchOptions | None:
    """The options of `newsgrep search` as Typer would give them for `argv`, or None when
    `argv` is not a plain search."""
    if not argv or argv[0] != "search" or COMPLETION_VARIABLE in environ:
        return None
    words: list[str] = []
    flags: set[str] = set()
    index: str | None = None
    limit: int | None = None
    args = iter(argv[1:])
    for arg in args:
        if arg == "--":
            words.extend(args)
        elif not arg.startswith("-"):
            words.append(arg)
        elif arg in _FLAGS:
            flags.add(_FLAGS[arg])
        else:
            name, value = _valued(arg, args)
            if value is None:
                return None
            if name in _INDEX:
                index = value
            elif value.isascii() and value.isdigit():
                limit = int(value)
            else:
                return None  # Typer's message for a bad number
    output = OutputOptions(
        json="json" in flags, files_with_matches="files_with_matches" in flags,
        count="count" in flags,
    )  # fmt: skip
    hits = HitOptions(index=_index(index, environ), limit=limit, output=output)
    return SearchOptions(query=tuple(words), hits=hits, quiet="quiet" in flags)


def _valued(arg: str, rest: Iterator[str]) -> tuple[str, str | None]:
    """An option that takes a value, and its value: `--index DIR`, `--index=DIR`, `-n 5`,
    `-n5`; no value when the option is not one this reader takes, or its value is missing,
    empty or could be read as an option."""
    name, value = arg, None
    if arg.startswith("--") and "=" in arg:
        name, value = arg.split("=", 1)
    elif not arg.startswith("--") and len(arg) > 2 and arg[:2] in _LIMIT:
        name, value = arg[:2], arg[2:]
    if name not in _INDEX + _LIMIT:
        return name, None
    if value is None:
        value = next(rest, None)
    if not value or value.startswith("-"):
        return name, None
    return name, value


def _index(given: str | None, environ: Mapping[str, str]) -> Path | None:
    """--index, else NEWSGREP_INDEX (an empty one is none, as Click has it); None: neither."""
    value = given if given is not None else environ.get("NEWSGREP_INDEX") or None
    return None if value is None else Path(value)
