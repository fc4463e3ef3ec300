"""Whether a sentence names another time than the question: a year, a month or a weekday of the
kind the question names, none of them the question's. The reader (index.reread) reads a
sentence's words, not whether its facts are the question's: it read "… übernahm sie das Amt am
1. November 2011" as the answer to "Wer übernimmt ab dem 1. November 2023 das Amt …?", and
"The first rolling blackouts this time occurred on Friday" as the answer to "What time did the
rolling blackouts start on Saturday?". Dates are read with regular expressions, not
dateparser: only the names themselves are compared, no date is resolved (index.timeexpr resolves
a question's time expressions for recency)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .qtype import YEAR
from .timedates import SEASON_SECOND, is_season

if TYPE_CHECKING:
    from .sentences import ArticleSentences

_YEAR = re.compile(rf"\b({YEAR})\b")
# A span of years ("Periode 1961 bis 1990", "1991-2020", "between 2010 and 2015") is a reference
# or a duration, not the time of the sentence's fact: it names the years it spans where the
# question names one of them, else none ("Mit etwa 100 Stunden blieb die Sonnenscheindauer im
# Oktober … unter dem Sollwert von 109 Stunden (Periode 1961 bis 1990)" answers a question about
# October 2023).
_SPAN = re.compile(
    rf"\b(?:(?:zwischen|between)\s+({YEAR})\s+(?:und|and)\s+({YEAR})"
    rf"|({YEAR})\s*(?:-|–|bis|to|until)\s*({YEAR}))\b",
    re.IGNORECASE,
)
# A season, a school or a financial year (index.timedates.SEASON_SECOND) names both its years:
# unlike a span, it is the time of the sentence's fact ("2023/24" answers a question about 2024,
# not one about 2022). Only of consecutive years, and not a date's year and month ("2023/11/05").
_SEASON = re.compile(rf"\b({YEAR}){SEASON_SECOND}")
# Weekdays, each language's names of one day the same: English and German ones in any case (at a
# word's start: "Samstagabend", but not "Montage", an assembly), French, Spanish and Italian ones
# in lower case, as they are written (capitalized, "Domingo" is a name).
_WEEKDAYS = (
    "monday montag lundi lunes lunedì",
    "tuesday dienstag mardi martes martedì",
    "wednesday mittwoch mercredi miércoles mercoledì",
    "thursday donnerstag jeudi jueves giovedì",
    "friday freitag vendredi viernes venerdì",
    "saturday samstag sonnabend samedi sábado sabato",
    "sunday sonntag dimanche domingo domenica",
)
_DAY_OF = {name: day for day, names in enumerate(_WEEKDAYS) for name in names.split()}
_ANY_CASE = [name for names in _WEEKDAYS for name in names.split()[:2]] + ["sonnabend"]
_WEEKDAY = re.compile(
    rf"\b(?i:({'|'.join(_ANY_CASE)})(?!e\b|en\b))"
    rf"|\b({'|'.join(n for n in _DAY_OF if n not in _ANY_CASE)})\b"
)
# Months: English and German names capitalized, as they are written ("May" and "March" only next
# to a number: else a verb; "August", "April" and "June" not before a capitalized word: else a
# first name, "August Diehl", "June Carter"), French, Spanish and Italian ones in lower case.
_MONTHS = (
    "January Januar Jänner janvier enero gennaio",
    "February Februar Feber février febrero febbraio",
    "März mars marzo",
    "April avril abril aprile",
    "Mai mai mayo maggio",
    "June Juni juin junio giugno",
    "July Juli juillet julio luglio",
    "August août agosto",
    "September septembre septiembre settembre",
    "October Oktober octobre octubre ottobre",
    "November novembre noviembre",
    "December Dezember décembre diciembre dicembre",
)
_MONTH_OF = {name: m for m, names in enumerate(_MONTHS) for name in names.split()}
_MONTH_OF |= {"March": 2, "May": 4}
_NAMES = ("March", "May", "August", "April", "June")
_MONTH = re.compile(
    rf"\b({'|'.join(n for n in _MONTH_OF if n not in _NAMES)})\b"
    r"|\b(March|May)(?=\s+\d)|(?<=\d\s)(March|May)\b"
    r"|\b(August|April|June)\b(?!\s+[A-ZÄÖÜ][a-zäöüß])"
    r"|(?:(?<=\d\.\s)|(?<=\d\s))(August|April|June)\b"
)


def _named(text: str, asked: set[str] | None = None) -> tuple[set[str], set[int], set[int]]:
    """The years, the weekdays and the months `text` names; a span of years names those of
    `asked` it spans (_SPAN), a season both its years (_SEASON)."""
    days = {_DAY_OF[(a or b).casefold()] for a, b in _WEEKDAY.findall(text)}
    months = {_MONTH_OF[next(filter(None, found))] for found in _MONTH.findall(text)}
    years: set[str] = set()
    for span in _SPAN.finditer(text):
        first, last = sorted(int(year) for year in span.groups() if year)
        years |= {year for year in asked or () if first <= int(year) <= last}
    rest = _SPAN.sub(" ", text)
    for season in _SEASON.finditer(rest):
        first = int(season.group(1))
        if is_season(first, season.group(2)):  # "2023/24", "1999/00"
            years |= {str(first), str(first + 1)}  # the time of the fact: both its years
    years |= set(_YEAR.findall(rest))
    return years, days, months


def time_clash(
    question: str, articles: dict[int, ArticleSentences], lines: Iterable[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The (article id, sentence) `lines` whose sentence names a year and none of the years
    `question` names, where it names one; or likewise a weekday, or a month."""
    asked = _named(question)
    if not any(asked):
        return set()
    clashing = set()
    for a, i in lines:
        named = _named(articles[a].sentence(i), asked[0])
        if any(n and q and not n & q for n, q in zip(named, asked, strict=True)):
            clashing.add((a, i))
    return clashing
