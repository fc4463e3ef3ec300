"""The rules index.timeexpr resolves a question's time expression with: each a pattern, how it
resolves to a date range [start, end) against today, and whether that range is counted from
today (it restricts the articles) or named by the calendar (it is only preferred). First match
wins, in this order: explicit dates, then days, weeks, months and years counted from today (those
counted back, "vor einem Jahr", "a week ago", in index.timeago), then weekdays, months and years
named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from .timeago import NUMBER, count, days_reached
from .timeago import RULES as AGO_RULES

WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
MONTHS = {
    "januar": 1, "jänner": 1, "january": 1, "jan": 1, "februar": 2, "february": 2, "feb": 2,
    "märz": 3, "maerz": 3, "march": 3, "mär": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5,
    "may": 5, "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "october": 10, "okt": 10,
    "oct": 10, "november": 11, "nov": 11, "dezember": 12, "december": 12, "dez": 12, "dec": 12,
}  # fmt: skip
_DAY = "|".join(WEEKDAYS)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# A month name counts only with a preposition before it or a day or year next to it: "may",
# "march" and "mar" are ordinary English words too.
_MONTH_LEAD = r"(?:im|in|seit|since|during|until|bis|anfang|ende|mitte|early|late|mid|of|vom)"
Span = tuple[date | None, date | None]


def _month_span(year: int, month: int) -> Span:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def _past_month(month: int, today: date, year: str | None) -> int:
    """The year of the named month: given, else the latest one not after today's month."""
    if year:
        return int(year)
    return today.year if month <= today.month else today.year - 1


def _week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _last_weekday(day: int, today: date) -> date:
    """The latest such weekday up to today ("seit Montag" on a Monday means today)."""
    return today - timedelta(days=(today.weekday() - day) % 7)


def _year(value: str, today: date) -> int | None:
    year = int(value)
    return year if 1900 <= year <= today.year + 1 else None


def _days(match: re.Match[str], today: date) -> Span:
    n = count(match.group(1))
    unit = match.group(2)
    if unit.startswith(("stunde", "hour")):  # "in den letzten 24 Stunden"
        days = days_reached(n)
    else:
        per = (
            7
            if unit.startswith(("woche", "week"))
            else 30
            if unit.startswith(("monat", "month"))
            else 1
        )
        days = n * per
    return today - timedelta(days=min(days, 36500)), today + timedelta(days=1)


def _explicit_day(match: re.Match[str], today: date) -> Span | None:
    g = match.groupdict()
    month = int(g["mnum"]) if g.get("mnum") else MONTHS.get(g.get("mname") or "", 0)
    year = g.get("year")
    if year and len(year) == 2:  # "5.5.99": 1999; "5.5.24": 2024
        year = str((2000 if int(year) <= today.year % 100 + 1 else 1900) + int(year))
    y = _year(year, today) if year else None
    if year and y is None:  # a year given, out of range: no day is named
        return None
    for back in range(0 if y else 9):  # no year: the latest such day up to today
        try:
            day = date(today.year - back, month, int(g["day"]))
        except ValueError:  # 29 February of a common year, or no such day at all
            continue
        if day <= today:
            return day, day + timedelta(days=1)
    try:
        day = date(y or today.year, month, int(g["day"]))
    except ValueError:
        return None
    return day, day + timedelta(days=1)


def _r(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fixed(start: int, end: int) -> Callable[[re.Match[str], date], Span]:
    return lambda m, t: (t + timedelta(days=start), t + timedelta(days=end))


def _month_rule(m: re.Match[str], t: date) -> Span | None:
    g = m.groupdict()
    month, year = MONTHS[g["mname"]], g["year"]
    if year and _year(year, t) is None:
        return None
    start, end = _month_span(_past_month(month, t, year), month)
    return (start, t + timedelta(days=1)) if g.get("lead") in ("seit", "since") else (start, end)


# A four-digit number is no year where it is an amount ("2024 Euro", "2000 %") or a count after
# an article or an approximation ("der 2000 Einwohner", "rund 2000 Menschen").
_AMOUNT_AFTER = re.compile(r"\s?(?:€|\$|%|euro\b|dollar|prozent|percent|franken|pfund|pounds?\b)")
_COUNT_BEFORE = re.compile(
    r"\b(?:der|die|das|den|dem|des|the|rund|etwa|circa|ca\.|about|around|over|über|fast|"
    r"nearly|almost|mehr als|more than|knapp)\s$"
)


# A season, a school or a financial year ("Saison 2023/24", "Wintersemester 2021/22"): both its
# years, the second written with two digits (not a date's month: "2023/11/05").
_SEASON_AFTER = re.compile(r"/(\d\d)\b(?!/)")


def _year_rule(m: re.Match[str], t: date) -> Span | None:
    year = _year(m.group("year"), t)
    if year is None:
        return None
    text = m.string
    if not m.group("lead") and (
        _AMOUNT_AFTER.match(text, m.end()) or _COUNT_BEFORE.search(text, 0, m.start())
    ):
        return None
    if m.group("lead") in ("seit", "since"):
        return date(year, 1, 1), t + timedelta(days=1)
    season = _SEASON_AFTER.match(text, m.end())
    if season and int(season.group(1)) == (year + 1) % 100:
        return date(year, 1, 1), date(year + 2, 1, 1)
    return date(year, 1, 1), date(year + 1, 1, 1)


def _weekday_rule(m: re.Match[str], t: date) -> Span | None:
    lead, weekday = m.group("lead"), WEEKDAYS[m.group("day")]
    if lead in ("diesen", "this"):  # this week's: none yet where it is still to come
        day = _week_start(t) + timedelta(days=weekday)
        return None if day > t else (day, day + timedelta(days=1))
    day = _last_weekday(weekday, t)
    if lead in ("seit", "since"):
        return day, t + timedelta(days=1)
    if lead in ("last", "letzten", "vergangenen") and day == t:  # "last Monday" on a Monday
        day -= timedelta(days=7)
    return day, day + timedelta(days=1)


def _weekend_rule(m: re.Match[str], t: date) -> Span | None:
    """The weekend (Saturday and Sunday) the words mean: "last weekend" the latest one over
    before today (on a Sunday, the one before); "this weekend" this week's, and before it comes,
    this week up to it (the week's articles announce it); "am Wochenende", "over the weekend"
    the latest one up to today; "next weekend" none (its news is not out)."""
    lead = m.group("lead") or ""
    if lead.startswith(("komm", "näch", "next", "coming")):
        return None
    saturday = _week_start(t) + timedelta(days=5)
    if lead.startswith(("dies", "this")) and lead != "this past":
        return (saturday if t >= saturday else _week_start(t)), saturday + timedelta(days=2)
    if t < saturday or lead:  # a weekday, or "last weekend": the week before's
        saturday -= timedelta(days=7)
    return saturday, saturday + timedelta(days=2)


def _relative_month(offset: int) -> Callable[[re.Match[str], date], Span]:
    def resolve(m: re.Match[str], t: date) -> Span:
        month = t.month - 1 + offset
        return _month_span(t.year + month // 12, month % 12 + 1)

    return resolve


# Not a version number ("iOS 18.1.1"): no digit right after the month's dot but a year's.
_DATE_NUM = r"\b(?P<day>\d{1,2})\.\s?(?P<mnum>\d{1,2})\.(?:\s?(?P<year>\d{4}|\d{2})\b|(?!\d))"
# "am 3.10?": a day and month without the final dot, only after "am" (else "3.10" is a decimal)
_DATE_AM = r"\bam (?P<day>\d{1,2})\.(?P<mnum>\d{1,2})(?![\d.,])"
_DATE_ISO = r"\b(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})\b"
_DATE_DM = rf"\b(?P<day>\d{{1,2}})\.?\s(?P<mname>{_MONTH})\.?(?:\s(?P<year>\d{{4}}))?\b"
_DATE_MD = (
    rf"\b(?P<mname>{_MONTH})\.?\s(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(?P<year>\d{{4}}))?\b"
)
# Weekdays counted back from today ("seit Montag", "last Monday") restrict; "am Montag" is the
# weekday an article names as often as the one before today, so it is only preferred.
_COUNTED_BACK = {"seit", "since", "last", "letzten", "vergangenen", "diesen", "this"}
Anchored = bool | Callable[[re.Match[str]], bool]
RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], Span | None], Anchored]] = [
    (_r(_DATE_ISO), _explicit_day, False),
    (_r(_DATE_NUM), _explicit_day, False),
    (_r(_DATE_AM), _explicit_day, False),
    (_r(_DATE_DM), _explicit_day, False),
    (_r(_DATE_MD), _explicit_day, False),
    (_r(r"\b(vorgestern|day before yesterday)\b"), _fixed(-2, -1), True),
    (_r(r"\b(gestern|yesterday|last night|letzte nacht)\b"), _fixed(-1, 0), True),
    *AGO_RULES,  # before "heute": "heute vor einem Jahr" is a year ago
    (_r(r"\b(heute|today|tonight|this morning|heute morgen)\b"), _fixed(0, 1), True),
    (
        _r(
            r"\b(?:in den |in the |during the |over the )?(?:letzten|vergangenen|past|last) "
            rf"({NUMBER}) "
            r"(stunden|hours?|tag|tagen|days?|wochen|weeks?|monaten|months?)\b"
        ),
        _days,
        True,
    ),  # fmt: skip
    (
        _r(r"\b(?:(?:in )?(?:dieser |diese )woche|this week)\b"),  # "in der Woche": per week
        lambda m, t: (_week_start(t), _week_start(t) + timedelta(days=7)),
        True,
    ),
    # "in the last week" is the last seven days, "last week" the calendar week before this
    # one; "the last week of October" is neither. (German "in der letzten Woche" is both, read
    # as the calendar week.)
    (
        _r(
            r"\b(?:(?:in|during|over|within|throughout) the (?:past|last)|(?:the )?past) week\b"
            r"(?! of\b)"
        ),
        _fixed(-7, 1),
        True,
    ),
    (
        _r(
            r"\b(?:(?:in )?der )?(?:letzten|vergangenen|vorigen|letzte|vergangene|vorige|letzter"
            r"|vergangener|voriger) woche\b"
            r"|\blast week\b(?! of\b)"
        ),
        lambda m, t: (_week_start(t) - timedelta(days=7), _week_start(t)),
        True,
    ),  # fmt: skip
    (_r(r"\b(?:(?:in )?diesem monat|diesen monat|this month)\b"), _relative_month(0), True),
    (
        _r(r"\b(?:(?:im )?(?:letzten|vergangenen|vorigen) monat|last month)\b"),
        _relative_month(-1),
        True,
    ),
    (
        _r(r"\b(?:(?:in )?diesem jahr|dieses jahr|this year|heuer)\b"),
        lambda m, t: (date(t.year, 1, 1), date(t.year + 1, 1, 1)),
        True,
    ),
    (
        _r(
            r"\b(?:(?:im )?(?:letzten|vergangenen|vorigen) jahr|letztes jahr|voriges jahr"
            r"|last year)\b"
        ),
        lambda m, t: (date(t.year - 1, 1, 1), date(t.year, 1, 1)),
        True,
    ),
    # "letztes Wochenende", "last weekend" restrict; "am Wochenende", "over the weekend" name
    # when something happens as often as when it happened, so they are only preferred.
    (
        _r(
            r"\b(?:(?:am|an|in|über|übers|at|on|over|during)\s(?:the\s|dem\s)?)?"
            r"(?:(?P<lead>letzte[ns]?|vergangene[ns]?|vorige[ns]?|diese[mns]?|last|past|this past"
            r"|this|kommende[mns]?|nächste[ns]?|next|coming)\s)?(?:wochenende|weekend)\b"
        ),
        _weekend_rule,
        lambda m: m.group("lead") is not None,
    ),
    (
        _r(
            rf"\b(?P<lead>seit|since|am|on|last|letzten|vergangenen|diesen|this|vom)\s(?P<day>{_DAY})"
            r"(?:abend|morgen|nachmittag|vormittag|mittag|nacht)?\b"
        ),
        _weekday_rule,
        lambda m: m.group("lead") in _COUNTED_BACK,
    ),
    (
        _r(rf"\b(?P<lead>{_MONTH_LEAD})\s(?P<mname>{_MONTH})\b\.?(?:\s(?P<year>\d{{4}}))?"),
        _month_rule,
        False,
    ),
    (_r(rf"\b(?P<mname>{_MONTH})\s(?P<year>\d{{4}})\b"), _month_rule, False),
    (
        _r(
            r"\b(?:(?P<lead>seit|since|in|im|im jahr|in the year|during)\s)?"
            r"(?P<year>(?:19|20)\d\d)\b"
        ),
        _year_rule,
        False,
    ),
]
