"""`python -m newsgrep`, and the `newsgrep` command.

The CLI is imported inside `main` so that Ctrl-C while Python is still loading it (a good
part of a short run) is an interruption like any other, exit 130, not a traceback.
"""

import sys


def main() -> None:
    try:
        from newsgrep.cli import run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("newsgrep: interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
