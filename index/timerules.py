"""The rules index.timeexpr resolves a question's time expression with: each a pattern, how it
resolves to a date range [start, end) against today, and whether that range is counted from
today (it restricts the articles) or named by the calendar (it is only preferred). First match
wins, in this order: explicit dates (index.timedates), then days, weeks, months and years
counted from today (those counted back, "vor einem Jahr", "a week ago", in index.timeago), then
weekdays, months and years named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from .timeago import NUMBER, count, days_reached
from .timeago import RULES as AGO_RULES
from .timedates import MONTH, MONTHS, SEASON_SECOND, Span, is_season, year_named
from .timedates import RULES as DATE_RULES

WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_DAY = "|".join(WEEKDAYS)
# A month name counts only with a preposition before it or a day or year next to it: "may",
# "march" and "mar" are ordinary English words too.
_MONTH_LEAD = r"(?:im|in|seit|since|during|until|bis|anfang|ende|mitte|early|late|mid|of|vom)"


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


def _r(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fixed(start: int, end: int) -> Callable[[re.Match[str], date], Span]:
    return lambda m, t: (t + timedelta(days=start), t + timedelta(days=end))


def _month_rule(m: re.Match[str], t: date) -> Span | None:
    g = m.groupdict()
    month, year = MONTHS[g["mname"]], g["year"]
    if year and year_named(year, t) is None:
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


_SEASON_AFTER = re.compile(SEASON_SECOND)  # "Saison 2023/24" names both its years


def _year_rule(m: re.Match[str], t: date) -> Span | None:
    year = year_named(m.group("year"), t)
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
    if season and is_season(year, season.group(1)):
        return date(year, 1, 1), date(year + 2, 1, 1)
    return date(year, 1, 1), date(year + 1, 1, 1)


def _weekday_rule(m: re.Match[str], t: date) -> Span | None:
    lead, weekday = m.group("lead"), WEEKDAYS[m.group("day")]
    if lead in ("diesen", "this"):  # this week's: none yet where it is still to come
        day = _week_start(t) + timedelta(days=weekday)
        return None if day > t else (day, day + timedelta(days=1))
    day = _last_weekday(weekday, t)
    if "nacht" in lead:  # "in der Nacht zu Sonntag": the night that ends on that day
        return day - timedelta(days=1), day + timedelta(days=1)
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


# Weekdays counted back from today ("seit Montag", "last Monday") restrict; "am Montag" is the
# weekday an article names as often as the one before today, so it is only preferred.
_COUNTED_BACK = {"seit", "since", "last", "letzten", "vergangenen", "diesen", "this"}
Anchored = bool | Callable[[re.Match[str]], bool]
RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], Span | None], Anchored]] = [
    *((pattern, resolve, False) for pattern, resolve in DATE_RULES),  # named: preferred
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
            r"\b(?P<lead>seit|since|am|on|last|letzten|vergangenen|diesen|this|vom"
            rf"|(?:in der )?nacht (?:zu|zum|auf))\s(?P<day>{_DAY})"
            r"(?:abend|morgen|nachmittag|vormittag|mittag|nacht)?\b"
        ),
        _weekday_rule,
        lambda m: m.group("lead") in _COUNTED_BACK,
    ),
    (
        _r(rf"\b(?P<lead>{_MONTH_LEAD})\s(?P<mname>{MONTH})\b\.?(?:\s(?P<year>\d{{4}}))?"),
        _month_rule,
        False,
    ),
    (_r(rf"\b(?P<mname>{MONTH})\s(?P<year>\d{{4}})\b"), _month_rule, False),
    (
        _r(
            r"\b(?:(?P<lead>seit|since|in|im|im jahr|in the year|during)\s)?"
            r"(?P<year>(?:19|20)\d\d)\b"
        ),
        _year_rule,
        False,
    ),
]
