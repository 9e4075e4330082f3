"""How counts and sizes are written for people, and sizes read back: one convention.

Sizes use powers of 1024 throughout, as ripgrep's `--max-filesize` does: `64M` given to
`--max-size` and `64.0 MiB` printed by `stats` are the same number of bytes.
"""

from __future__ import annotations

import re

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?", re.IGNORECASE)
_SCALES = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`3 articles`, `1 article`, `2 files have` (with `many`): the count with its noun."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def parse_size(text: str) -> int:
    """A file size as `--max-size` and `max_size` take it: bytes, or a number with K, M or G
    (powers of 1024); `0` means no limit.

    Raises:
        ValueError: not such a size.
    """
    found = _SIZE.fullmatch(text.strip())
    if not found:
        raise ValueError(f"cannot read {text!r} as a size (e.g. 500K, 64M, 1G, or 0: no limit)")
    return int(float(found.group(1)) * _SCALES[found.group(2).lower()])


def format_size(count: int, *, spaced: bool = False) -> str:
    """A size in the units `parse_size` reads: `64M`, `1.5K`, `12 bytes`; `spaced`, as a
    line for people has it: `64 MiB`."""
    for unit in ("G", "M", "K"):
        scale = _SCALES[unit.lower()]
        if count >= scale:
            value = count / scale
            shown = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
            return f"{shown} {unit}iB" if spaced else f"{shown}{unit}"
    return f"{count} bytes"
