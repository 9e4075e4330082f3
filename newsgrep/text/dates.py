"""Dates as news articles write them, and as newsgrep shows them.

`parse_article_date` reads the date an article carries (ISO dates and datetimes, RFC 2822,
"May 15, 2025", "15 May 2025", "2025/05/15", "15.05.2025", ...); `format_date` shows one;
`time_buckets` counts them by month or year. What users type after `--since`, `--until` or
`date:` is `text.typed_dates`, which shares the month names. All datetimes are naive UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator

from newsgrep.model import Facet

# Month names and their usual abbreviations in English, German, French, Spanish, Italian,
# Portuguese and Dutch (feeds write `Seg, 24 Set 2018`; feedparser reads none of them).
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "jan january januar janv janvier ene enero gen gennaio janeiro januari",
            "feb february februar fév févr février febrero febbraio fev fevereiro februari",
            "mar march mär märz mars marzo março maart mrt",
            "apr april avr avril abr abril aprile",
            "may mai maj mayo mag maggio maio mei",
            "jun june juni juin junio giu giugno junho",
            "jul july juli juil juillet julio lug luglio julho",
            "aug august août ago agosto augustus",
            "sep sept september septembre septiembre set settembre setembro",
            "oct october okt oktober octobre octubre ott ottobre out outubro",
            "nov november novembre noviembre novembro",
            "dec december dez dezember déc décembre dic diciembre dicembre dezembro",
        ],
        start=1,
    )
    for name in names.split()
}
# Weekday names a date may start with, in those languages (English ones are taken off by
# `_WEEKDAYS`); a name that is also a month's (`mar`, Spanish Tuesday) counts as the month.
_OTHER_WEEKDAYS = frozenset(
    (  # noqa: SIM905 - names, kept as one readable string
        "montag dienstag mittwoch donnerstag freitag samstag sonntag mo di mi do fr sa so "
        "lundi mardi mercredi jeudi vendredi samedi dimanche lun mer jeu ven sam dim "
        "lunes martes miércoles jueves viernes sábado domingo mié jue vie sáb dom "
        "lunedì martedì mercoledì giovedì venerdì sabato domenica gio sab "
        "segunda terça quarta quinta sexta seg ter qua qui sex feira "
        "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag ma wo vr za zo"
    ).split()
)
# Words a written date may hold besides its day, month and year (`12 de octubre de 2024`).
_FILLER_WORDS = _OTHER_WEEKDAYS | {"of", "the", "at", "on", "de", "del", "er"}
MONTHS = _MONTHS  # month names (lower case, English) to numbers, for text.typed_dates too
# The patterns of dates as articles write them, compiled (by `re`, which keeps them) when an
# article's date is first read: a search, which only shows dates, does not pay for them.
_WEEKDAYS = r"(?i)\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|urday|sday)?\b\.?,?"
_ISO = r"(?i)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
_YMD = r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})|(\d{4})(\d{2})(\d{2})"
_DMY = r"(\d{1,2})([.-])(\d{1,2})\2(\d{4})"
_TIME = r"(?i)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?"
_ZONE = r"(?i)\b(?:utc|gmt|z)\b|[+-]\d{2}:?\d{2}\b"
_OFFSET = r"([+-])(\d{2}):?(\d{2})\b"
_ORDINAL = r"(?i)\b(\d{1,2})(?:st|nd|rd|th)\b"
_WORD = r"[^\W\d_]+|\d+"


def parse_article_date(text: str) -> dt.datetime | None:
    """The datetime an article's date field names, or None when it names none we know."""
    text = " ".join(text.split())
    if not text:
        return None
    for parse in (_parse_iso, _parse_ymd, _parse_dmy, _parse_rfc2822, _parse_month_name):
        try:
            found = parse(text)
        except (ValueError, OverflowError):
            found = None
        if found is not None and 1000 <= found.year <= 9999:
            return found
    return None


def _as_naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _parse_iso(text: str) -> dt.datetime | None:
    if not re.fullmatch(_ISO, text):
        return None
    return _as_naive_utc(dt.datetime.fromisoformat(text.replace("z", "Z")))


def _parse_ymd(text: str) -> dt.datetime | None:
    match = re.fullmatch(_YMD, text)
    if not match:
        return None
    parts = [int(g) for g in match.groups() if g is not None]
    return dt.datetime(parts[0], parts[1], parts[2])


def _parse_dmy(text: str) -> dt.datetime | None:
    # Dotted and dashed dates are day-first (European use); slashed dates are month-first
    # as US wires write them, unless the first number cannot be a month.
    match = re.fullmatch(_DMY, text)
    slashed = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        return dt.datetime(year, month, day)
    if slashed:
        first, second, year = (int(g) for g in slashed.groups())
        month, day = (second, first) if first > 12 else (first, second)
        return dt.datetime(year, month, day)
    return None


def _parse_rfc2822(text: str) -> dt.datetime | None:
    if not re.search(r"\d{1,2}:\d{2}", text) or "," not in text[:5]:
        return None
    from email.utils import parsedate_to_datetime  # only dated e-mail style headers pay for it

    try:
        return _as_naive_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _parse_month_name(text: str) -> dt.datetime | None:
    rest = re.sub(_WEEKDAYS, " ", text)
    hour = minute = second = 0
    time = re.search(_TIME, rest)
    if time:
        hour, minute, second = int(time.group(1)), int(time.group(2)), int(time.group(3) or 0)
        meridiem = (time.group(4) or "").lower().replace(".", "")
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        rest = rest[: time.start()] + " " + rest[time.end() :]
    offset = re.search(_OFFSET, rest)
    rest = re.sub(_ZONE, " ", rest)
    day_month_year = _day_month_year(re.sub(_ORDINAL, r"\1", rest))
    if day_month_year is None:
        return None
    year, month, day = day_month_year
    moment = dt.datetime(year, month, day, hour, minute, second)
    if offset:  # "10:00 +0200" is 08:00 UTC
        sign = -1 if offset.group(1) == "-" else 1
        moment -= sign * dt.timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3)))
    return moment


def _day_month_year(text: str) -> tuple[int, int, int] | None:
    month = day = year = None
    for word in re.findall(_WORD, text):
        lowered = word.lower()
        if lowered in _MONTHS and month is None:
            month = _MONTHS[lowered]
        elif word.isdigit() and len(word) == 4 and year is None:
            year = int(word)
        elif word.isdigit() and len(word) <= 2 and day is None:
            day = int(word)
        elif lowered not in _FILLER_WORDS:
            return None
    if month is None or day is None or year is None:
        return None
    return year, month, day


def format_date(value: dt.datetime | None) -> str | None:
    """The article date as shown to users and scripts: ISO date, plus time when it has one."""
    if value is None:
        return None
    if value.time() == dt.time(0, 0):
        return value.date().isoformat()
    return value.isoformat(timespec="seconds")


def time_buckets(values: list[dt.datetime], facet: Facet) -> list[tuple[str, int]]:
    """How many of `values` fall in each month or year (`facet`), from the first to the
    last, empty ones included, as ("2025-05", count) or ("2025", count)."""
    width = 4 if facet is Facet.YEAR else 7  # "2025" or "2025-05"
    counts = Counter(value.isoformat()[:width] for value in values)
    if not counts:
        return []
    buckets = _all_buckets(min(counts), max(counts), facet)
    return [(bucket, counts.get(bucket, 0)) for bucket in buckets]


def _all_buckets(first: str, last: str, facet: Facet) -> Iterator[str]:
    if facet is Facet.YEAR:
        yield from (f"{year:04d}" for year in range(int(first), int(last) + 1))
        return
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
