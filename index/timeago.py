"""Time counted back from today: "vor einem Jahr", "vor 5 Tagen", "a week ago", "heute vor
einem Jahr", "this day last year" (rules for index.timerules), and the number words up to twelve
that these and "in den letzten zwei Wochen" count with.

What each names, asked on Wednesday 29 October 2025:
- days ("vor 5 Tagen", "5 days ago"): that day, 24 October. Counting days names one day:
  "vor zwei Tagen" is "vorgestern".
- weeks ("vor einer Woche", "a week ago"): the seven days around that day, 19-25 October. Not
  the calendar week of the day: that is "letzte Woche" for "vor einer Woche" on every weekday,
  and on a Sunday or a Monday the day would lie at one end of it; the reader means about then.
- months and years ("vor drei Monaten", "vor einem Jahr", "a year ago"): the calendar month of
  that day, July 2025, October 2024. "Wie hoch war die Inflation vor einem Jahr?" asks about
  then, not the whole year (figures are reported per month), and "vor zwölf Monaten" is the
  same month as "vor einem Jahr" ("this time last year" too).
- with "heute", "today", "genau", "exactly" or as "this day last year": that day itself, 29
  October 2024 ("heute vor einem Jahr" is not today).
- hours ("vor 3 Stunden"): the days they reach into, like "in den letzten 24 Stunden".

Days, weeks and hours restrict the articles, as "gestern" and "letzte Woche" do: news of them is
published then. Months and years are only preferred, as a month named by the calendar is: an
article of today reports on them too ("2,3 Prozent höher als vor einem Jahr", "Heute vor einem
Jahr ..."). A count reaching back before 1900 ("vor 999999999 Jahren") names no range; it is
checked before any date arithmetic, which would overflow.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from datetime import date, timedelta

Span = tuple[date | None, date | None]
Rule = tuple[
    re.Pattern[str], Callable[[re.Match[str], date], Span | None], Callable[[re.Match[str]], bool]
]

NUMBERS = {
    "a": 1, "an": 1, "one": 1, "ein": 1, "eine": 1, "einem": 1, "einen": 1, "einer": 1,
    "eins": 1, "two": 2, "zwei": 2, "three": 3, "drei": 3, "four": 4, "vier": 4, "five": 5,
    "fünf": 5, "six": 6, "sechs": 6, "seven": 7, "sieben": 7, "eight": 8, "acht": 8, "nine": 9,
    "neun": 9, "ten": 10, "zehn": 10, "eleven": 11, "elf": 11, "twelve": 12, "zwölf": 12,
}  # fmt: skip
NUMBER = "|".join(sorted(NUMBERS, key=len, reverse=True)) + r"|\d+"
EARLIEST = date(1900, 1, 1)  # as for a year named (index.timerules._year)
_EXACT = frozenset({"heute", "genau", "exakt", "today", "exactly", "precisely"})
_APPROX_DE = r"genau|exakt|gut|rund|etwa|ungefähr|knapp|fast|circa|zirka"
_APPROX_EN = r"exactly|precisely|about|around|roughly|nearly|almost|some|just"
_AGO_DE = (
    rf"\b(?:(?P<lead>heute|genau|exakt) )?vor (?:(?P<approx>{_APPROX_DE}) )?(?P<n>{NUMBER}) "
    r"(?P<unit>stunden?|tage?n?|wochen?|monate?n?|jahre?n?)\b"
)
_AGO_EN = (
    rf"\b(?:(?P<lead>today),? )?(?:(?:on )?this day,? )?(?:(?P<approx>{_APPROX_EN}) )?"
    rf"(?<![.,\d])(?P<n>{NUMBER}) (?P<unit>hours?|days?|weeks?|months?|years?) ago\b"
    r"(?:,? (?P<tail>today)\b)?"  # "a year ago today"
)
_THIS_DAY = r"\b(?:on )?this (?P<unit>day|date|time) last year\b"


def count(words: str) -> int:
    """The number `words` (a word of NUMBERS or digits) says."""
    return NUMBERS[words] if words in NUMBERS else int(words)


def _kind(unit: str) -> str:
    """The unit as one word: hour, day, week, month or year ("tagen" -> day)."""
    for kind, stems in (
        ("hour", ("stunde", "hour")),
        ("day", ("tag", "day")),
        ("week", ("woche", "week")),
        ("month", ("monat", "month")),
    ):
        if unit.startswith(stems):
            return kind
    return "year"


def _months_back(today: date, months: int) -> date | None:
    """The day `months` calendar months before `today` (the month's last day where it is
    shorter: a year before 29 February is 28 February); None before EARLIEST."""
    if months > (today.year - EARLIEST.year) * 12:  # compared before any arithmetic
        return None
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, monthrange(year, month + 1)[1]))


def _days_back(today: date, days: int) -> date | None:
    return None if days > (today - EARLIEST).days else today - timedelta(days=days)


def days_reached(hours: int) -> int:
    """The days `hours` back reach into, counting today: 3 hours before 1 am are yesterday's, so
    "vor 3 Stunden" and "in den letzten 24 Stunden" (index.timerules) take whole days."""
    return -(-hours // 24)


def _month_of(day: date) -> Span:
    start = day.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1)


def _ago(m: re.Match[str], today: date) -> Span | None:
    g = m.groupdict()
    n, kind = count(g["n"]), _kind(g["unit"])
    if n < 1:  # "vor 0 Tagen" counts back nothing
        return None
    if kind == "hour":
        start = _days_back(today, days_reached(n))
        return None if start is None else (start, today + timedelta(days=1))
    if kind in ("day", "week"):
        day = _days_back(today, n * (7 if kind == "week" else 1))
    else:
        day = _months_back(today, n * (12 if kind == "year" else 1))
    if day is None:
        return None
    exact = bool({g.get("lead"), g.get("approx"), g.get("tail")} & _EXACT)
    if kind == "day" or exact or "this day" in m.group(0):
        return day, day + timedelta(days=1)
    if kind == "week":
        return day - timedelta(days=3), day + timedelta(days=4)
    return _month_of(day)


def _this_day_last_year(m: re.Match[str], today: date) -> Span | None:
    day = _months_back(today, 12)
    if day is None:
        return None
    return _month_of(day) if m.group("unit") == "time" else (day, day + timedelta(days=1))


def _restricts(m: re.Match[str]) -> bool:
    """Days, weeks and hours back restrict; months and years are only preferred (see above)."""
    return _kind(m.group("unit")) in ("hour", "day", "week")


RULES: list[Rule] = [
    (re.compile(_AGO_DE), _ago, _restricts),
    (re.compile(_AGO_EN), _ago, _restricts),
    (re.compile(_THIS_DAY), _this_day_last_year, lambda m: False),
]
