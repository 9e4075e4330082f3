"""`python -m newsgrep`, and the `newsgrep` command.

A plain search is run without Typer (`cli.direct`); every other command line goes to the
Typer app. The CLI is imported inside `main` so that Ctrl-C while Python is still loading it
(a good part of a short run) is an interruption like any other, exit 130, not a traceback.

Whoosh's imports of modules a search never runs load on first use instead
(`engine.deferred`): start-up is most of a plain search.
"""

import os
import sys


def main() -> None:
    try:
        from newsgrep.engine.deferred import defer_unused_imports

        defer_unused_imports()
        from newsgrep.cli.direct import run_plain

        code = run_plain(sys.argv[1:], os.environ)
        if code is not None:
            sys.exit(code)
        from newsgrep.cli import run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("newsgrep: interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
