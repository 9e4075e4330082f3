"""Dates as articles write them (`parse_article_date`), as users type them
(`parse_date_span`), and as newsgrep shows them (`format_date`)."""

from __future__ import annotations

import datetime as dt

import pytest

from newsgrep.text.dates import format_date, parse_article_date
from newsgrep.text.typed_dates import DateSpan, parse_date_span

D = dt.datetime
TODAY = dt.date(2025, 5, 15)
LAST_TICK = dt.timedelta(microseconds=1)


def day_span(year: int, month: int, day: int) -> DateSpan:
    start = D(year, month, day)
    return DateSpan(start, start + dt.timedelta(days=1) - LAST_TICK)


# --- parse_article_date: the forms articles use --------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-05-15", D(2025, 5, 15)),
        ("2025-05-15T10:30", D(2025, 5, 15, 10, 30)),
        ("2025-05-15T10:30:45", D(2025, 5, 15, 10, 30, 45)),
        ("2025-05-15 10:30:45", D(2025, 5, 15, 10, 30, 45)),
        ("2025-05-15T10:30:45.123456", D(2025, 5, 15, 10, 30, 45, 123456)),
    ],
)
def test_iso_date_and_datetime(text: str, expected: dt.datetime) -> None:
    assert parse_article_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-05-15T10:30:00Z", D(2025, 5, 15, 10, 30)),
        ("2025-05-15T10:30:00z", D(2025, 5, 15, 10, 30)),
        ("2025-05-15T10:30:00+02:00", D(2025, 5, 15, 8, 30)),
        ("2025-05-15T10:30:00+0200", D(2025, 5, 15, 8, 30)),
        ("2025-05-15T10:30:00-04:00", D(2025, 5, 15, 14, 30)),
        ("2025-05-15T01:30:00+02:00", D(2025, 5, 14, 23, 30)),
        ("2025-12-31T23:30:00-05:00", D(2026, 1, 1, 4, 30)),
        ("2025-05-15T10:30:00.5Z", D(2025, 5, 15, 10, 30, 0, 500000)),
    ],
)
def test_iso_with_zone_becomes_naive_utc(text: str, expected: dt.datetime) -> None:
    parsed = parse_article_date(text)

    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025/05/15", D(2025, 5, 15)),
        ("2025.05.15", D(2025, 5, 15)),
        ("2025/5/6", D(2025, 5, 6)),
        ("20250515", D(2025, 5, 15)),
    ],
)
def test_year_first_numeric_dates(text: str, expected: dt.datetime) -> None:
    assert parse_article_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.05.2025", D(2025, 5, 15)),
        ("15-05-2025", D(2025, 5, 15)),
        ("01.02.2025", D(2025, 2, 1)),
        ("1.2.2025", D(2025, 2, 1)),
    ],
)
def test_dotted_and_dashed_dates_are_day_first(text: str, expected: dt.datetime) -> None:
    assert parse_article_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/15/2025", D(2025, 5, 15)),
        ("01/02/2025", D(2025, 1, 2)),
        ("5/6/2025", D(2025, 5, 6)),
        ("12/31/2025", D(2025, 12, 31)),
    ],
)
def test_slashed_dates_are_us_month_first(text: str, expected: dt.datetime) -> None:
    assert parse_article_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/05/2025", D(2025, 5, 15)),
        ("31/12/2025", D(2025, 12, 31)),
        ("13/1/2025", D(2025, 1, 13)),
    ],
)
def test_slashed_dates_are_day_first_when_the_first_cannot_be_a_month(
    text: str, expected: dt.datetime
) -> None:
    assert parse_article_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu, 15 May 2025 10:00:00 +0200", D(2025, 5, 15, 8, 0)),
        ("Thu, 15 May 2025 10:00:00 -0500", D(2025, 5, 15, 15, 0)),
        ("Thu, 15 May 2025 10:00:00 GMT", D(2025, 5, 15, 10, 0)),
        ("Thu, 15 May 2025 10:00:00 -0000", D(2025, 5, 15, 10, 0)),
        ("Thu, 15 May 2025 10:00 +0200", D(2025, 5, 15, 8, 0)),
        ("Thu, 15 May 2025 01:00:00 +0200", D(2025, 5, 14, 23, 0)),
    ],
)
def test_rfc2822_becomes_naive_utc(text: str, expected: dt.datetime) -> None:
    parsed = parse_article_date(text)

    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May 15, 2025", D(2025, 5, 15)),
        ("15 May 2025", D(2025, 5, 15)),
        # Month and weekday names in German, French, Spanish, Italian, Portuguese, Dutch.
        ("15 mai 2025", D(2025, 5, 15)),
        ("Seg, 24 Set 2018 19:42:40 -0300", D(2018, 9, 24, 22, 42, 40)),
        ("Donnerstag, 15. Mai 2025", D(2025, 5, 15)),
        ("jeudi 15 mai 2025", D(2025, 5, 15)),
        ("12 de octubre de 2024", D(2024, 10, 12)),
        ("15 févr. 2025", D(2025, 2, 15)),
        ("3 märz 2025", D(2025, 3, 3)),
        ("giovedì 15 maggio 2025", D(2025, 5, 15)),
        ("donderdag 15 mei 2025", D(2025, 5, 15)),
        ("may 15 2025", D(2025, 5, 15)),
        ("Thursday, May 15, 2025 3:30 PM", D(2025, 5, 15, 15, 30)),
        ("Thursday, May 15, 2025 12:05 AM", D(2025, 5, 15, 0, 5)),
        ("May 15, 2025, 12:00 PM", D(2025, 5, 15, 12, 0)),
        ("May 15, 2025 at 3:30 p.m.", D(2025, 5, 15, 15, 30)),
        ("May 15 2025 10:00 UTC", D(2025, 5, 15, 10, 0)),
        ("Thu May 15 2025", D(2025, 5, 15)),
        ("15th May 2025", D(2025, 5, 15)),
        ("the 15th of May 2025", D(2025, 5, 15)),
        ("21st Sept 2025", D(2025, 9, 21)),
        ("Sept. 5, 2025", D(2025, 9, 5)),
        ("Aug 15, 2025", D(2025, 8, 15)),
        ("December 1, 2024", D(2024, 12, 1)),
        ("1 January 2025", D(2025, 1, 1)),
    ],
)
def test_month_name_dates(text: str, expected: dt.datetime) -> None:
    assert parse_article_date(text) == expected


@pytest.mark.parametrize(
    "text", ["  2025-05-15  ", "2025-05-15\n", "May  15,\n2025", "\t15 May 2025 "]
)
def test_surrounding_and_inner_whitespace_is_ignored(text: str) -> None:
    assert parse_article_date(text) is not None
    assert parse_article_date(text) == parse_article_date(" ".join(text.split()))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "garbage",
        "last Tuesday",
        "Thursday",
        "2025",
        "2025-05",
        "May 2025",
        "May 15",
        "1715760000",
        "15 травня 2025",  # Ukrainian: not read
        "May June 15 2025",
        "15 15 2025",
        "mid-May 2025",
    ],
)
def test_text_that_names_no_date_is_none(text: str) -> None:
    assert parse_article_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30",
        "2025-13-01",
        "2025-05-15T25:00",
        "31.02.2025",
        "13/13/2025",
        "32 May 2025",
        "February 29, 2025",
        "20251345",
        "Mon, 99 Foo 2025 10:00:00",
    ],
)
def test_impossible_calendar_dates_are_none(text: str) -> None:
    assert parse_article_date(text) is None


def test_leap_day_is_a_date_in_a_leap_year() -> None:
    assert parse_article_date("February 29, 2024") == D(2024, 2, 29)
    assert parse_article_date("2024-02-29") == D(2024, 2, 29)


@pytest.mark.parametrize("text", ["0999-01-01", "May 15, 99999", "15.05.0999"])
def test_years_outside_four_digits_are_none(text: str) -> None:
    assert parse_article_date(text) is None


@pytest.mark.parametrize(
    "text", ["August 15, 2025", "15 August 2025", "Friday, August 15, 2025 9:00 AM"]
)
def test_august_spelled_out(text: str) -> None:
    parsed = parse_article_date(text)

    assert parsed is not None and parsed.date() == dt.date(2025, 8, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2nd June 2025", D(2025, 6, 2)),
        ("3rd Jun 2025", D(2025, 6, 3)),
        ("May 15th, 2025", D(2025, 5, 15)),
        ("May 1st, 2025", D(2025, 5, 1)),
    ],
)
def test_ordinal_days(text: str, expected: dt.datetime) -> None:
    assert parse_article_date(text) == expected


@pytest.mark.parametrize(
    "text", ["May 15, 2025 10:00 +0200", "Thursday, 15 May 2025 10:00:00 +0200"]
)
def test_month_name_date_with_offset_becomes_utc(text: str) -> None:
    assert parse_article_date(text) == D(2025, 5, 15, 8, 0)


# --- parse_date_span: what a user types ----------------------------------------------------


def test_year_is_the_whole_year() -> None:
    assert parse_date_span("2025", today=TODAY) == DateSpan(
        D(2025, 1, 1), D(2025, 12, 31, 23, 59, 59, 999999)
    )


@pytest.mark.parametrize(
    ("text", "last_day"),
    [
        ("2025-05", D(2025, 5, 31)),
        ("2025-04", D(2025, 4, 30)),
        ("2025-02", D(2025, 2, 28)),
        ("2024-02", D(2024, 2, 29)),
        ("2000-02", D(2000, 2, 29)),
        ("1900-02", D(1900, 2, 28)),
        ("2025-12", D(2025, 12, 31)),
        ("2025-5", D(2025, 5, 31)),
    ],
)
def test_month_is_the_whole_month(text: str, last_day: dt.datetime) -> None:
    span = parse_date_span(text, today=TODAY)

    assert span.start == last_day.replace(day=1)
    assert span.end == last_day + dt.timedelta(days=1) - LAST_TICK


@pytest.mark.parametrize("text", ["2025-05-15", "20250515", " 2025-05-15 ", "2025-5-15"])
def test_day_is_the_whole_day(text: str) -> None:
    assert parse_date_span(text, today=TODAY) == day_span(2025, 5, 15)


def test_date_with_hour_and_minute_is_that_minute() -> None:
    assert parse_date_span("2025-05-15 10:30", today=TODAY) == DateSpan(
        D(2025, 5, 15, 10, 30), D(2025, 5, 15, 10, 30, 59, 999999)
    )


def test_date_with_hour_is_that_hour() -> None:
    assert parse_date_span("2025-05-15 10", today=TODAY) == DateSpan(
        D(2025, 5, 15, 10), D(2025, 5, 15, 10, 59, 59, 999999)
    )


@pytest.mark.parametrize(
    ("text", "same_as"),
    [("2025-05-15T10:30", "2025-05-15 10:30"), ("2025-05-15T10", "2025-05-15 10")],
)
def test_iso_t_separator_gives_the_same_span_as_a_space(text: str, same_as: str) -> None:
    try:
        span = parse_date_span(text, today=TODAY)
    except ValueError as error:
        raise AssertionError(f"{text!r} refused: {error}") from None
    assert span == parse_date_span(same_as, today=TODAY)


@pytest.mark.parametrize("text", ["today", "TODAY", " Today ", "now"])
def test_today(text: str) -> None:
    assert parse_date_span(text, today=TODAY) == day_span(2025, 5, 15)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (TODAY, day_span(2025, 5, 14)),
        (dt.date(2025, 1, 1), day_span(2024, 12, 31)),
        (dt.date(2024, 3, 1), day_span(2024, 2, 29)),
    ],
)
def test_yesterday(today: dt.date, expected: DateSpan) -> None:
    assert parse_date_span("yesterday", today=today) == expected
    assert parse_date_span("Yesterday", today=today) == expected


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("7d", D(2025, 5, 8)),
        ("1d", D(2025, 5, 14)),
        ("0d", D(2025, 5, 15)),
        ("2w", D(2025, 5, 1)),
        ("3m", D(2025, 2, 15)),
        ("1y", D(2024, 5, 15)),
        ("7 days", D(2025, 5, 8)),
        ("1 day", D(2025, 5, 14)),
        ("1 week", D(2025, 5, 8)),
        ("12 months", D(2024, 5, 15)),
        ("2 years", D(2023, 5, 15)),
        ("7D", D(2025, 5, 8)),
        ("100d", D(2025, 2, 4)),
    ],
)
def test_relative_span_runs_from_then_to_the_end_of_today(text: str, start: dt.datetime) -> None:
    span = parse_date_span(text, today=TODAY)

    assert span == DateSpan(start, D(2025, 5, 15, 23, 59, 59, 999999))


@pytest.mark.parametrize(
    ("today", "text", "start"),
    [
        (dt.date(2025, 3, 31), "1m", D(2025, 2, 28)),
        (dt.date(2024, 3, 31), "1m", D(2024, 2, 29)),
        (dt.date(2025, 5, 31), "1m", D(2025, 4, 30)),
        (dt.date(2025, 1, 15), "1m", D(2024, 12, 15)),
        (dt.date(2025, 2, 15), "14m", D(2023, 12, 15)),
        (dt.date(2024, 2, 29), "1y", D(2023, 2, 28)),
        (dt.date(2025, 1, 3), "1w", D(2024, 12, 27)),
    ],
)
def test_relative_span_month_and_year_arithmetic(
    today: dt.date, text: str, start: dt.datetime
) -> None:
    assert parse_date_span(text, today=today).start == start


def test_relative_span_uses_the_given_today_not_the_clock() -> None:
    a = parse_date_span("7d", today=dt.date(2020, 1, 10))
    b = parse_date_span("7d", today=dt.date(2030, 1, 10))

    assert (a.start, b.start) == (D(2020, 1, 3), D(2030, 1, 3))


def test_without_today_the_current_utc_date_is_used() -> None:
    before = dt.datetime.now(dt.UTC).date()
    span = parse_date_span("today")
    after = dt.datetime.now(dt.UTC).date()

    assert span.start.date() in (before, after)
    assert span == day_span(span.start.year, span.start.month, span.start.day)


@pytest.mark.parametrize(
    "text", ["May 15, 2025", "15.05.2025", "05/15/2025", "Thu, 15 May 2025 10:00:00 +0000"]
)
def test_article_date_forms_name_their_whole_day(text: str) -> None:
    assert parse_date_span(text, today=TODAY) == day_span(2025, 5, 15)


@pytest.mark.parametrize(
    "text",
    [
        "2025-13",
        "2025-00",
        "2025-02-30",
        "2025-05-32",
        "banana",
        "",
        "  ",
        "-7d",
        "7x",
        "d7",
        "1.5y",
    ],
)
def test_invalid_span_is_a_value_error_listing_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date_span(text, today=TODAY)

    message = str(caught.value)
    assert repr(text) in message
    for form in ("2025-05-15", "2025-05", "2025", "7d", "2w", "3m", "1y", "today", "yesterday"):
        assert form in message


@pytest.mark.parametrize("text", ["2025", "2025-02", "2024-02", "2025-05-15", "7d", "yesterday"])
def test_span_end_is_the_last_microsecond_before_the_next_span(text: str) -> None:
    span = parse_date_span(text, today=TODAY)

    assert span.start <= span.end
    following = span.end + LAST_TICK
    assert following.time() == dt.time(0, 0)


def test_consecutive_months_meet_without_gap_or_overlap() -> None:
    for month in range(1, 12):
        this = parse_date_span(f"2024-{month:02d}", today=TODAY)
        following = parse_date_span(f"2024-{month + 1:02d}", today=TODAY)
        assert this.end + LAST_TICK == following.start


# --- format_date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, None),
        (D(2025, 5, 15), "2025-05-15"),
        (D(2025, 5, 15, 10, 30), "2025-05-15T10:30:00"),
        (D(2025, 5, 15, 0, 0, 1), "2025-05-15T00:00:01"),
        (D(2025, 5, 15, 10, 30, 5, 123456), "2025-05-15T10:30:05"),
        (D(2025, 5, 15, 23, 59, 59), "2025-05-15T23:59:59"),
    ],
)
def test_format_date(value: dt.datetime | None, shown: str | None) -> None:
    assert format_date(value) == shown


@pytest.mark.parametrize(
    "text", ["2025-05-15", "Thu, 15 May 2025 10:00:00 +0200", "May 15, 2025 3:30 PM"]
)
def test_formatted_article_date_reads_back_the_same(text: str) -> None:
    parsed = parse_article_date(text)
    shown = format_date(parsed)

    assert shown is not None
    assert parse_article_date(shown) == parsed
