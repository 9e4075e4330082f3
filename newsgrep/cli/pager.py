"""The pager: long human output on a terminal goes through $PAGER or less, as git's does.

`resolve` decides whether there is one (never when stdout is not a terminal, nor with
--no-pager or the config's `pager = false`); this module runs it. Output that fits on the
screen is printed as it is, so a short answer never waits for a key.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys


def page(text: str, command: str, *, rows: int) -> None:
    """Show `text` (what a terminal would show, escapes and all) through `command` when it
    has more lines than the screen's `rows`; else, or when the command is not found, print
    it."""
    if text.count("\n") < rows or not _runnable(command):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    # less without options would show the colours' escapes as text: -R passes them, -F
    # quits when all fits, -X leaves the text on the screen (git's defaults, for the same
    # reasons); a user's own LESS is left alone.
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
    process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    # Ctrl-C belongs to the pager while it runs (less stops a search with it), as in git.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert process.stdin is not None
        try:
            process.stdin.write(text.encode("utf-8", "replace"))
            process.stdin.close()
        except BrokenPipeError:
            pass  # the reader quit the pager before the end
        process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def _runnable(command: str) -> bool:
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    return bool(words) and shutil.which(words[0]) is not None
