"""What every renderer shares: how paths are shown and how untrusted text is made inert."""

from __future__ import annotations

import os
import re

from newsgrep.paths import SURROGATE, is_within

# C0 controls (but tab and newline), DEL and C1 controls map to visible stand-ins one for
# one, so span offsets stay valid: an ESC in an article shows as "␛" and styles nothing.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates can reorder what a terminal shows.
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def terminal_safe(text: str, *, one_line: bool = False) -> str:
    """`text` with control, bidi and unpaired-surrogate characters replaced one for one.
    With `one_line` (a path or name in a line of facts), tab and newline are shown as
    stand-ins too: a file called "a\nb.txt" must not look like two lines."""
    text = (_LINE_BREAKS if one_line else _CONTROL).sub(_stand_in, text)
    return SURROGATE.sub("\ufffd", _BIDI.sub("\ufffd", text))


def display_path(path: str, cwd: str | None = None) -> str:
    """`path` relative to the working folder when it lies inside it, else absolute."""
    cwd = cwd or os.getcwd()
    if is_within(path, cwd):
        return os.path.relpath(path, cwd)
    return path


def safe_line(text: str) -> str:
    """`terminal_safe` for text that must stay on one line: paths, names, facts, messages."""
    return terminal_safe(text, one_line=True)
