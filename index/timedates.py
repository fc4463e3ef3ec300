"""Explicit dates in a question ("am 5. März 2024", "2023-11-05", "November 5, 2023",
"25/11/2023"), resolved to their day for index.timeexpr; the month names index.timerules reads
too."""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {
    "januar": 1, "jänner": 1, "january": 1, "jan": 1, "februar": 2, "february": 2, "feb": 2,
    "märz": 3, "maerz": 3, "march": 3, "mär": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5,
    "may": 5, "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "october": 10, "okt": 10,
    "oct": 10, "november": 11, "nov": 11, "dezember": 12, "december": 12, "dez": 12, "dec": 12,
}  # fmt: skip
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
Span = tuple[date | None, date | None]
# A season, a school or a financial year ("Saison 2023/24", "Wintersemester 2021/22", "the 2019/20
# financial year"): a year and, after a slash, the next one's last two digits (not a date's
# month: "2023/11/05"). index.timerules prefers both its years, index.timeclash reads both.
SEASON_SECOND = r"/(\d\d)\b(?!/)"


def is_season(first: int, second: str) -> bool:
    """Whether `second` (two digits after `first` and a slash) is the year after `first`."""
    return int(second) == (first + 1) % 100


def year_named(value: str, today: date) -> int | None:
    year = int(value)
    return year if 1900 <= year <= today.year + 1 else None


def _explicit_day(match: re.Match[str], today: date) -> Span | None:
    g = match.groupdict()
    month = int(g["mnum"]) if g.get("mnum") else MONTHS.get(g.get("mname") or "", 0)
    year = g.get("year")
    if year and len(year) == 2:  # "5.5.99": 1999; "5.5.24": 2024
        year = str((2000 if int(year) <= today.year % 100 + 1 else 1900) + int(year))
    y = year_named(year, today) if year else None
    if year and y is None:  # a year given, out of range: no day is named
        return None
    for back in range(0 if y else 9):  # no year: the latest such day up to today
        try:
            day = date(today.year - back, month, int(g["day"]))
        except ValueError:  # 29 February of a common year, or no such day at all
            continue
        if day <= today:
            return day, day + timedelta(days=1)
    return _the_day(y or today.year, month, int(g["day"]))


def _the_day(year: int, month: int, day: int) -> Span | None:
    """That day as a range; None where there is no such day."""
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found, found + timedelta(days=1)


# Not a version number ("iOS 18.1.1"): no digit right after the month's dot but a year's.
_DATE_NUM = r"\b(?P<day>\d{1,2})\.\s?(?P<mnum>\d{1,2})\.(?:\s?(?P<year>\d{4}|\d{2})\b|(?!\d))"
# "am 3.10?": a day and month without the final dot, only after "am" (else "3.10" is a decimal)
_DATE_AM = r"\bam (?P<day>\d{1,2})\.(?P<mnum>\d{1,2})(?![\d.,])"
_DATE_ISO = r"\b(?P<year>\d{4})[-/](?P<mnum>\d{1,2})[-/](?P<day>\d{1,2})\b"
# "11/25/2023" (American) and "25/11/2023" (British): a day only where one of the two numbers
# cannot be a month; "5/11/2023" is either, and names its year alone (index.timerules).
_DATE_SLASH = r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})\b"


def _slashed_day(match: re.Match[str], today: date) -> Span | None:
    a, b = int(match.group("a")), int(match.group("b"))
    if (a > 12) == (b > 12):
        return None
    day, month = (a, b) if a > 12 else (b, a)
    year = year_named(match.group("year"), today)
    return None if year is None else _the_day(year, month, day)


_DATE_DM = rf"\b(?P<day>\d{{1,2}})\.?\s(?P<mname>{MONTH})\.?(?:\s(?P<year>\d{{4}}))?\b"
_DATE_MD = (
    rf"\b(?P<mname>{MONTH})\.?\s(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(?P<year>\d{{4}}))?\b"
)
# Each a pattern and how it resolves (a day, or None: no day named); a date is named by the
# calendar, so it is only preferred (index.timeexpr.TimeQuery).
RULES = [
    (re.compile(_DATE_ISO), _explicit_day),
    (re.compile(_DATE_SLASH), _slashed_day),
    (re.compile(_DATE_NUM), _explicit_day),
    (re.compile(_DATE_AM), _explicit_day),
    (re.compile(_DATE_DM), _explicit_day),
    (re.compile(_DATE_MD), _explicit_day),
]
