"""Dates people type (newsgrep.text.typed_dates), with the forms notmuch and mu users bring:
months by name, calendar words, `N days ago`, ranges, and numeric dates whose order only
the writer knows, refused unless the config names it."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import newsgrep

from newsgrep.text.typed_dates import DateSpan, parse_date_span

TODAY = dt.date(2025, 5, 15)  # a Thursday
D = dt.datetime
END = dt.time.max


def day(year: int, month: int, number: int) -> DateSpan:
    return DateSpan(D(year, month, number), D.combine(dt.date(year, month, number), END))


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("June 2004", DateSpan(D(2004, 6, 1), D.combine(dt.date(2004, 6, 30), END))),
        ("jun 2004", DateSpan(D(2004, 6, 1), D.combine(dt.date(2004, 6, 30), END))),
        ("2004 June", DateSpan(D(2004, 6, 1), D.combine(dt.date(2004, 6, 30), END))),
        ("June_2004", DateSpan(D(2004, 6, 1), D.combine(dt.date(2004, 6, 30), END))),
        ("2004-06", DateSpan(D(2004, 6, 1), D.combine(dt.date(2004, 6, 30), END))),
        ("june", DateSpan(D(2024, 6, 1), D.combine(dt.date(2024, 6, 30), END))),  # the last
        ("may", DateSpan(D(2025, 5, 1), D.combine(dt.date(2025, 5, 31), END))),
        ("2004", DateSpan(D(2004, 1, 1), D.combine(dt.date(2004, 12, 31), END))),
        ("15 June 2004", day(2004, 6, 15)),
        ("June 15, 2004", day(2004, 6, 15)),
        ("yesterday", day(2025, 5, 14)),
        ("3 days ago", day(2025, 5, 12)),
        ("a week ago", day(2025, 5, 8)),
        ("2 months ago", day(2025, 3, 15)),
        ("last week", DateSpan(D(2025, 5, 5), D.combine(dt.date(2025, 5, 11), END))),
        ("this week", DateSpan(D(2025, 5, 12), D.combine(dt.date(2025, 5, 18), END))),
        ("last month", DateSpan(D(2025, 4, 1), D.combine(dt.date(2025, 4, 30), END))),
        ("this year", DateSpan(D(2025, 1, 1), D.combine(dt.date(2025, 12, 31), END))),
        ("last year", DateSpan(D(2024, 1, 1), D.combine(dt.date(2024, 12, 31), END))),
        ("7d", DateSpan(D(2025, 5, 8), D.combine(TODAY, END))),
        ("25/12/2004", day(2004, 12, 25)),
        ("12/25/2004", day(2004, 12, 25)),
        ("05/05/2004", day(2004, 5, 5)),
        ("2004/06/01", day(2004, 6, 1)),
    ],
)
def test_what_people_type_names_the_span_they_mean(text: str, span: DateSpan) -> None:
    assert parse_date_span(text, today=TODAY) == span


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2004..2005", D(2004, 1, 1), D.combine(dt.date(2005, 12, 31), END)),
        ("2004-06..", D(2004, 6, 1), D.max),
        ("..2005", D.min, D.combine(dt.date(2005, 12, 31), END)),
        ("last_week..", D(2025, 5, 5), D.max),
        ("June 2004..July 2004", D(2004, 6, 1), D.combine(dt.date(2004, 7, 31), END)),
    ],
)
def test_ranges_as_notmuch_writes_them(text: str, start: dt.datetime, end: dt.datetime) -> None:
    assert parse_date_span(text, today=TODAY) == DateSpan(start, end)


@pytest.mark.parametrize("text", ["06/01/2004", "1.6.1987", "01-06-1987"])
def test_a_numeric_date_of_unknown_order_is_refused_with_iso_as_the_hint(text: str) -> None:
    with pytest.raises(
        ValueError, match=r"could be \w+ \d+ or \w+ \d+: write \d{4}-\d\d-\d\d or"
    ) as caught:
        parse_date_span(text, today=TODAY)
    assert "date_order" in str(caught.value)


def test_a_date_order_reads_them() -> None:
    assert parse_date_span("06/01/2004", order="mdy") == day(2004, 6, 1)
    assert parse_date_span("06/01/2004", order="dmy") == day(2004, 1, 6)
    assert parse_date_span("1.6.1987", order="dmy") == day(1987, 6, 1)


@pytest.mark.parametrize("text", ["2005..2004", "..", "2004..2005..2006", "06/01/04"])
def test_ranges_and_dates_that_cannot_be_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date_span(text, today=TODAY)


# --- in the command line ----------------------------------------------------------------


def test_the_forms_work_in_flags_and_in_the_query(built_index, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def count(*args: str) -> str:
        return newsgrep("search", *args, "-c", "--index", built_index).stdout

    assert count("istanbul", "--since", "May 2025") == "2\n"
    assert count("istanbul", "--until", "April 2025") == "0\n"
    assert count("istanbul date:2025-05..") == "2\n"
    assert count("istanbul date:..2025-05-16") == "1\n"
    assert count("istanbul date:2025..2026") == "2\n"
    assert count("istanbul since:2025-05-16") == "1\n"
    assert count("istanbul until:2025-05-16") == "1\n"
    assert count('istanbul date:"May 2025"') == "2\n"
    assert count("istanbul since:May_20,_2025") == "1\n"
    refused = newsgrep("search", "istanbul", "--since", "06/01/2004", "--index", built_index)
    assert refused.exit_code == 2 and "2004-06-01 or 2004-01-06" in refused.stderr
    config = tmp_path / "config.toml"
    config.write_text('date_order = "mdy"\n', encoding="utf-8")
    ordered = newsgrep("--config", config, "search", "istanbul", "--since", "05/16/2025",
                       "-c", "--index", built_index)  # fmt: skip
    assert (ordered.exit_code, ordered.stdout) == (0, "1\n")
