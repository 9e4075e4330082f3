"""`python -m newsgrep`, and the `newsgrep` command.

A plain search is run without Typer (`cli.direct`); every other command line goes to the
Typer app. The CLI is imported inside `main` so that Ctrl-C while Python is still loading it
(a good part of a short run) is an interruption like any other, exit 130, not a traceback.

Start-up is most of a plain search, and two things in it do no work for it:
- Whoosh's imports of modules a search never runs (`engine.deferred`), which load on first
  use instead;
- the cyclic garbage collector: what a run makes at start-up (modules, classes, functions)
  lives until it exits, so the collector's passes over it find nothing to free. A plain
  search, short and making no cycles it leaves behind, runs without it; every other command
  (an index build, the browse view) gets it back before it starts. At exit what is left is
  frozen, so that the interpreter's last collection does not walk it all once more.
"""

import gc
import os
import sys


def main() -> None:
    gc.disable()
    try:
        from newsgrep.engine.deferred import defer_unused_imports

        defer_unused_imports()
        from newsgrep.cli.direct import run_plain

        code = run_plain(sys.argv[1:], os.environ)
        if code is not None:
            sys.exit(code)
        gc.enable()
        from newsgrep.cli import run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("newsgrep: interrupted\n")
        sys.exit(130)
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
