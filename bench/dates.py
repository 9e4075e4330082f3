"""Dates people type: newsgrep's own reader against the well-kept libraries that could do
the job (dateparser; python-dateutil), on the README's forms and those notmuch and mu users
type, and what each costs a cold start (import and first parse, in a fresh process).

    python -m bench.dates            # a table; figures go to docs/benchmarks.md

A library answers with a point in time (dateparser also with its period: day, month or
year), which is read here as the span that period names; a range (`2004..2005`) is split
first, as newsgrep would have to do for any library. "right" means the span newsgrep means
(README); an ambiguous numeric date is right only when refused.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
from collections.abc import Callable

from newsgrep.text.typed_dates import DateSpan, parse_date_span

TODAY = dt.date(2025, 5, 15)
NOW = dt.datetime(2025, 5, 15, 12, 0)
END = dt.time.max
REFUSED = None  # what an ambiguous date should give


def _day(y: int, m: int, d: int) -> DateSpan:
    return DateSpan(dt.datetime(y, m, d), dt.datetime.combine(dt.date(y, m, d), END))


def _month(y: int, m: int, last: int) -> DateSpan:
    return DateSpan(dt.datetime(y, m, 1), dt.datetime.combine(dt.date(y, m, last), END))


def _year(y: int) -> DateSpan:
    return DateSpan(dt.datetime(y, 1, 1), dt.datetime.combine(dt.date(y, 12, 31), END))


def _since(start: dt.date) -> DateSpan:
    return DateSpan(dt.datetime.combine(start, dt.time()), dt.datetime.combine(TODAY, END))


# form -> the span newsgrep means (README), or REFUSED
FORMS: dict[str, DateSpan | None] = {
    "2025-05-15": _day(2025, 5, 15),
    "2025-05": _month(2025, 5, 31),
    "2025": _year(2025),
    "7d": _since(dt.date(2025, 5, 8)),
    "2w": _since(dt.date(2025, 5, 1)),
    "3m": _since(dt.date(2025, 2, 15)),
    "1y": _since(dt.date(2024, 5, 15)),
    "today": _day(2025, 5, 15),
    "yesterday": _day(2025, 5, 14),
    "June 2004": _month(2004, 6, 30),
    "2004-06": _month(2004, 6, 30),
    "last week": DateSpan(dt.datetime(2025, 5, 5), dt.datetime.combine(dt.date(2025, 5, 11), END)),
    "3 days ago": _day(2025, 5, 12),
    "2004..2005": DateSpan(_year(2004).start, _year(2005).end),
    "2004-06..": DateSpan(dt.datetime(2004, 6, 1), dt.datetime.max),
    "May 15, 2025": _day(2025, 5, 15),
    "15.05.2025": _day(2025, 5, 15),
    "06/01/2004": REFUSED,
    "1.6.1987": REFUSED,
}


def _span_of(point: dt.datetime, period: str) -> DateSpan:
    if period == "year":
        return _year(point.year)
    if period == "month":
        import calendar

        return _month(point.year, point.month, calendar.monthrange(point.year, point.month)[1])
    return _day(point.year, point.month, point.day)


def _ranged(one: Callable[[str], DateSpan | None]) -> Callable[[str], DateSpan | None]:
    def read(text: str) -> DateSpan | None:
        if ".." not in text:
            return one(text)
        low, _, high = text.partition("..")
        start = one(low) if low else DateSpan(dt.datetime.min, dt.datetime.min)
        end = one(high) if high else DateSpan(dt.datetime.max, dt.datetime.max)
        return None if start is None or end is None else DateSpan(start.start, end.end)

    return read


def _newsgrep(text: str) -> DateSpan | None:
    return parse_date_span(text, today=TODAY)


def _dateparser(text: str) -> DateSpan | None:
    from dateparser.date import DateDataParser

    settings = {"RELATIVE_BASE": NOW, "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if data.date_obj is None:
        return None
    return _span_of(data.date_obj.replace(tzinfo=None), data.period or "day")


def _dateutil(text: str) -> DateSpan | None:
    from dateutil import parser

    point = parser.parse(text, default=dt.datetime(2025, 1, 1))
    period = "year" if text.strip().isdigit() else "month" if text.count("-") == 1 else "day"
    return _span_of(point, period)


READERS: dict[str, Callable[[str], DateSpan | None]] = {
    "newsgrep": _ranged(_newsgrep),
    "dateparser": _ranged(_dateparser),
    "dateutil": _ranged(_dateutil),
}
COLD = {
    "newsgrep": "from newsgrep.text.typed_dates import parse_date_span as p; p('June 2004')",
    "dateparser": "import dateparser; dateparser.parse('June 2004')",
    "dateutil": "from dateutil import parser; parser.parse('June 2004')",
}


def behaviour(name: str) -> tuple[int, list[str]]:
    """How many forms `name` reads as newsgrep means them, and those it gets wrong."""
    right, wrong = 0, []
    for text, wanted in FORMS.items():
        try:
            got = READERS[name](text)
        except (ValueError, OverflowError):
            got = None
        if got == wanted:
            right += 1
        else:
            wrong.append(text)
    return right, wrong


def cold_ms(code: str, runs: int = 7) -> float:
    """What `code` adds to a fresh interpreter that has loaded what a search loads first
    (newsgrep.model): the median wall time with it, less the median without."""

    def once(source: str) -> float:
        started = dt.datetime.now()
        subprocess.run([sys.executable, "-c", source], check=True, capture_output=True)
        return (dt.datetime.now() - started).total_seconds() * 1000

    first = "import newsgrep.model"
    base = statistics.median(once(first) for _ in range(runs))
    return statistics.median(once(f"{first}; {code}") for _ in range(runs)) - base


def main() -> None:
    print(f"{'reader':<11} {'right':>7}  {'cold ms':>8}  wrong")
    for name in READERS:
        right, wrong = behaviour(name)
        cold = cold_ms(COLD[name])
        print(f"{name:<11} {right:>3}/{len(FORMS):<3} {cold:>8.1f}  {', '.join(wrong) or '-'}")


if __name__ == "__main__":
    main()
