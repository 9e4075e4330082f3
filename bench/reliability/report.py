"""Printing the harnesses' tables (Markdown) and the machine they ran on."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    now = dt.datetime.now().astimezone().isoformat(timespec="minutes")
    return (
        f"{now} · {platform.system()} {platform.release()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()}"
    )


def seconds(values: Sequence[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]
    return f"{median:.2f} / {ordered[-1]:.2f}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
