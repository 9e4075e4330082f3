"""Dates as people type them after `--since`, `--until`, `date:`, `since:` and `until:`,
read as the span of time they name.

    2004  2004-06  2004-06-01  2004-06-01T10:30      a year, month, day, hour or minute
    June 2004  jun 2004  15 June 2004  June 15, 2004  months by name (`june`: the last June)
    today  yesterday  this week  last week  last month  this year  last year
    3 days ago  2 weeks ago  a month ago                      that day
    7d  2w  3m  1y  7 days                           from then to the end of today
    2004..2005  2004-06..  ..2005  last_week..             ranges, as notmuch writes them

Numeric dates that name the day and month in an order only the writer knows (`06/01/2004`,
`1.6.1987`) are refused with a hint to write ISO dates, unless a date order is given (the
config's `date_order`); `25/12/2004` is not ambiguous and is read. In a query, `_` stands
for a space (`date:last_week..`). Weeks start on Monday. All datetimes are naive UTC; a span
with an open end starts at the first instant or ends at the last one Python can name.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from newsgrep.text.dates import MONTHS, parse_article_date

DATE_ORDERS = ("dmy", "mdy")
FORMS = (
    "try 2025-05-15, 2025-05, 2025, June 2025, today, yesterday, last week, 3 days ago, "
    "7d, 2w, 3m, 1y, or a range such as 2004..2005"
)
_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}
_RELATIVE = re.compile(r"(\d+)\s*(d|days?|w|weeks?|m|months?|y|years?)")
_AGO = re.compile(r"(\d+|an?|one)\s+(days?|weeks?|months?|years?)\s+ago")
_CALENDAR = re.compile(r"(this|last)\s+(week|month|year)")
_PARTIAL_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[t ](\d{1,2})(?::(\d{2}))?)?)?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})")
_MONTH_YEAR = re.compile(r"([a-z]+)\.?,?\s+(\d{4})|(\d{4}),?\s+([a-z]+)\.?|([a-z]+)\.?")
_TICK = dt.timedelta(microseconds=1)
_FIRST = dt.datetime.min
_LAST = dt.datetime.max


@dataclass(frozen=True, slots=True)
class DateSpan:
    """An inclusive span of time: `start` is its first instant, `end` its last."""

    start: dt.datetime
    end: dt.datetime


def parse_date_span(
    text: str, *, today: dt.date | None = None, order: str | None = None
) -> DateSpan:
    """The span a user's date names: `2025` is the whole year, `7d` the last seven days,
    `2004..2005` both years. `order` ("dmy" or "mdy") says how `06/01/2004` reads.

    Raises:
        ValueError: with a message that says which forms are understood, or why a date is
            ambiguous and how to write it.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    cleaned = " ".join(text.replace("_", " ").split()).lower()
    if ".." in cleaned:
        low, _, high = (part.strip() for part in cleaned.partition(".."))
        if not low and not high or ".." in high:
            raise ValueError(f"cannot read {text!r} as a date range ({FORMS})")
        start = _span(low, text, today, order).start if low else _FIRST
        end = _span(high, text, today, order).end if high else _LAST
        if start > end:
            raise ValueError(f"the range {text!r} ends before it starts")
        return DateSpan(start, end)
    return _span(cleaned, text, today, order)


def _span(cleaned: str, text: str, today: dt.date, order: str | None) -> DateSpan:
    for reader in (_named_day, _relative, _iso, _numeric, _month_name):
        span = reader(cleaned, today, order)
        if span is not None:
            return span
    article_date = parse_article_date(cleaned) if _has_year(cleaned) else None
    if article_date is not None:
        return _day_span(article_date.date())
    raise ValueError(f"cannot read {text!r} as a date ({FORMS})")


def _named_day(cleaned: str, today: dt.date, order: str | None) -> DateSpan | None:
    if cleaned in ("today", "now"):
        return _day_span(today)
    if cleaned == "yesterday":
        return _day_span(today - dt.timedelta(days=1))
    found = _CALENDAR.fullmatch(cleaned)
    if found is None:
        return None
    which, unit = found.groups()
    if unit == "week":
        monday = today - dt.timedelta(days=today.weekday())
        start = monday - dt.timedelta(weeks=1 if which == "last" else 0)
        return DateSpan(_midnight(start), _last_instant(_midnight(start), dt.timedelta(weeks=1)))
    if unit == "month":
        year, month = today.year, today.month
        if which == "last":
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return _partial_span([year, month])
    return _partial_span([today.year - (which == "last")])


def _relative(cleaned: str, today: dt.date, order: str | None) -> DateSpan | None:
    ago = _AGO.fullmatch(cleaned)
    if ago is not None:
        count = int(ago.group(1)) if ago.group(1).isdigit() else 1
        return _day_span(_back(today, count, ago.group(2)[0], cleaned))
    found = _RELATIVE.fullmatch(cleaned)
    if found is None:
        return None
    start = _back(today, int(found.group(1)), found.group(2)[0], cleaned)
    return DateSpan(_midnight(start), _midnight(today + dt.timedelta(days=1)) - _TICK)


def _back(today: dt.date, count: int, unit: str, text: str) -> dt.date:
    """The day `count` days, weeks, months or years before `today` (a month back from
    March 31 is February's last day)."""
    try:
        if unit == "d":
            return today - dt.timedelta(days=count)
        if unit == "w":
            return today - dt.timedelta(weeks=count)
        months = count * (12 if unit == "y" else 1)
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        month += 1
        return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    except (ValueError, OverflowError):
        raise ValueError(f"cannot read {text!r} as a date: that is before the year 1") from None


def _iso(cleaned: str, today: dt.date, order: str | None) -> DateSpan | None:
    found = _PARTIAL_ISO.fullmatch(cleaned) or _COMPACT.fullmatch(cleaned)
    if found is None:
        return None
    try:
        return _partial_span([int(g) if g else None for g in found.groups()])
    except ValueError:
        return None  # 2025-13: the message that lists the forms


def _numeric(cleaned: str, today: dt.date, order: str | None) -> DateSpan | None:
    """`25/12/2004`, `12/25/2004`; `06/01/2004` only with a date order."""
    found = _NUMERIC.fullmatch(cleaned)
    if found is None:
        return None
    first, second, year = int(found.group(1)), int(found.group(3)), found.group(4)
    if len(year) != 4:
        raise ValueError(f"cannot read {cleaned!r} as a date: write the year in full")
    if first > 12 or (order == "dmy" and second <= 12):
        day, month = first, second
    elif second > 12 or order == "mdy" or first == second:
        day, month = second, first
    else:
        month_first = f"{calendar.month_name[first]} {second}"
        day_first = f"{calendar.month_name[second]} {first}"
        iso = f"{year}-{first:02d}-{second:02d} or {year}-{second:02d}-{first:02d}"
        raise ValueError(
            f"{cleaned!r} could be {month_first} or {day_first}: write {iso} "
            '(or set date_order = "mdy" or "dmy" in the config)'
        )
    try:
        return _day_span(dt.date(int(year), month, day))
    except ValueError:
        raise ValueError(f"cannot read {cleaned!r} as a date: there is no such day") from None


def _month_name(cleaned: str, today: dt.date, order: str | None) -> DateSpan | None:
    """`June 2004`, `2004 june`, `jun. 2004`; `june` alone: the last June up to today."""
    found = _MONTH_YEAR.fullmatch(cleaned)
    if found is None:
        return None
    name = found.group(1) or found.group(4) or found.group(5)
    month = MONTHS.get(name)
    if month is None:
        return None
    year_text = found.group(2) or found.group(3)
    year = int(year_text) if year_text else today.year - (month > today.month)
    return _partial_span([year, month])


def _has_year(cleaned: str) -> bool:
    return re.search(r"\d{4}", cleaned) is not None


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _day_span(day: dt.date) -> DateSpan:
    start = _midnight(day)
    return DateSpan(start, _last_instant(start, dt.timedelta(days=1)))


def _last_instant(start: dt.datetime, length: dt.timedelta) -> dt.datetime:
    """The last instant of the span of `length` from `start`; the last day of 9999 ends
    at the last instant Python can name."""
    try:
        return start + length - _TICK
    except OverflowError:
        return dt.datetime.max


def _partial_span(parts: list[int | None]) -> DateSpan:
    year, month, day, hour, minute = (parts + [None] * 5)[:5]
    assert year is not None
    if month is None:
        start = dt.datetime(year, 1, 1)
        return DateSpan(start, dt.datetime.combine(dt.date(year, 12, 31), dt.time.max))
    if day is None:
        start = dt.datetime(year, month, 1)
        days = calendar.monthrange(year, month)[1]
        return DateSpan(start, _last_instant(start, dt.timedelta(days=days)))
    if hour is None:
        return _day_span(dt.date(year, month, day))
    if minute is None:
        start = dt.datetime(year, month, day, hour)
        return DateSpan(start, _last_instant(start, dt.timedelta(hours=1)))
    start = dt.datetime(year, month, day, hour, minute)
    return DateSpan(start, _last_instant(start, dt.timedelta(minutes=1)))
