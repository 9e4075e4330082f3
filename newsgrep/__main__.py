"""`python -m newsgrep`: the same as the `newsgrep` command."""

from newsgrep.cli import run

run()
