"""The options of `newsgrep index` and `newsgrep check` into decisions, without Typer: which
index, which paths, what size limit, what the run reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsgrep.cli.resolve import Mode, OptionsError, Terminal
from newsgrep.cli.wanted import IndexOptions
from newsgrep.config import Config
from newsgrep.locate import locate_index
from newsgrep.wording import parse_size


@dataclass(frozen=True, slots=True)
class IndexRun:
    """An indexing run resolved: the arguments of `run_index` and how to report it."""

    index_dir: Path
    paths: tuple[Path, ...]  # as given, without '-'
    read_stdin: bool  # more paths come from stdin
    null: bool  # stdin paths end with NUL
    rebuild: bool
    wait: float
    max_size: int | None  # None: no limit
    compact: bool
    progress: bool  # show the progress bar
    summary: bool  # print the summary
    verbose: bool
    excludes: tuple[str, ...] | None = None  # None: those remembered; (): none
    watch: bool = False


def resolve_check_mode(json_output: bool, quiet: bool) -> Mode:
    """`newsgrep check` prints a report (human), one JSON object, or nothing (-q).

    Raises:
        OptionsError: --json with -q.
    """
    if json_output and quiet:
        raise OptionsError("choose --json or -q, not both")
    return Mode.JSON if json_output else Mode.QUIET if quiet else Mode.HUMAN


def resolve_index(
    options: IndexOptions, config: Config, terminal: Terminal, *, default_max_size: int
) -> IndexRun:
    """`newsgrep index` resolved: --max-size (else the config's, else `default_max_size`;
    0 for no limit), paths from stdin with '-' or --from-stdin, and a progress bar unless
    -q or stderr is not a terminal.

    Raises:
        OptionsError: a --max-size that is not a size; --watch with paths from stdin or
            --rebuild; --exclude with --no-excludes.
        ExcludeError: an --exclude that is not a gitignore pattern.
    """
    read_stdin = options.from_stdin or Path("-") in options.paths
    if options.watch and read_stdin:
        raise OptionsError("--watch watches the paths given as arguments, not read from stdin")
    if options.watch and options.rebuild:
        raise OptionsError("choose --watch or --rebuild: rebuild first, then watch")
    if options.exclude and options.no_excludes:
        raise OptionsError("choose --exclude or --no-excludes, not both")
    if options.exclude:
        from newsgrep.ignore import check_globs

        check_globs(options.exclude)
    size_limit = config.max_size
    if options.max_size is not None:
        try:
            size_limit = parse_size(options.max_size)
        except ValueError as error:
            raise OptionsError(f"--max-size: {error}") from None
    paths = tuple(path for path in options.paths if path != Path("-"))
    return IndexRun(
        # An index found above is used for a bare refresh, or for paths inside its folder.
        index_dir=locate_index(
            options.index, config, inside=None if not (paths or read_stdin) else paths
        ).path,
        paths=paths,
        read_stdin=read_stdin,
        null=options.null,
        rebuild=options.rebuild,
        wait=options.wait,
        compact=options.compact,
        max_size=default_max_size if size_limit is None else size_limit or None,
        progress=not options.quiet and terminal.stderr,
        summary=not options.quiet,
        verbose=options.verbose,
        excludes=options.exclude or (() if options.no_excludes else None),
        watch=options.watch,
    )
