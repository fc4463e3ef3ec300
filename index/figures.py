"""The figure a news sentence states: the first number with its scale and kind (a share, an
amount of money, a count), and whether two figures can be one claim's reported twice
(index.claims)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from .counted import Counted, counted
from .timerules import MONTHS, WEEKDAYS
from .units import expected

Kind = Literal["share", "money", "count"]

# How far apart two reports' figures of one claim may be, at most: the largest update in the
# tests' dated pairs is 27-fold (1,500 killed, two weeks later 41,000).
FIGURE_RATIO = 30.0

# Digits grouped by thousands ("1.000", "1,351", "10 000"), with decimals ("2,96", "83.9"), or
# with a scale's letter ("£5m", "$2bn"); not part of a word ("E10") or a span ("2021/22").
_NUMBER = re.compile(
    r"(?<![\w.,/])\d+(?:[.,' ]\d{3}(?!\d))*(?:[.,]\d+)?(?=(?:m|bn|k)\b|[^\w/]|$)", re.I
)
_SCALES = (
    (re.compile(r"^(?:\s*(?:mrd\.?|milliarden?|billions?)|bn)\b", re.I), 1e9),
    # "m" glued to the number is millions ("£5m"), but not a length: "a 10m-high wave"
    (re.compile(r"^(?:\s*(?:mio\.?|millionen|millions?)|m(?!-))\b", re.I), 1e6),
    (re.compile(r"^(?:\s*(?:tausend|thousand|tsd\.?)|k)(?!\w)", re.I), 1e3),
)
# A number written as a date or a time of day, not a figure: "28.02.", "1.3.2024", "2024-03-05",
# "15:30". A day and month without a year only outside English ("rose to 3.5." is a decimal).
_DAY_MONTH = r"(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\."
_DATE = re.compile(
    rf"(?<![\w.,]){_DAY_MONTH}(?:\d{{4}}|\d{{2}})(?!\d)|(?<![\w.,])\d{{4}}-\d{{1,2}}-\d{{1,2}}(?!\d)"
    r"|(?<![\w.,:])\d{1,2}:\d{2}(?::\d{2})?(?!\d)"
)
_DAY_MONTH_ONLY = re.compile(rf"(?<![\w.,]){_DAY_MONTH}(?![\w.,])")
# "von 3,2 auf 3,5 Millionen", "between 2 and 3 percent": the unit after the second number of a
# range is the first's too (matched at the first number's end).
_RANGE = re.compile(r"\s*(?:auf|bis|und|to|and|[-–])\s*\d+(?:[.,' ]\d{3}(?!\d))*(?:[.,]\d+)?", re.I)
_SHARE = re.compile(r"^\s*(?:%|prozent|percent|per cent|pour cent|por ciento|per cento)", re.I)
# Month names (index.timerules') as written, capitalized: "15 may have died" holds no date.
_MONTHS = "(?-i:" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + ")"
# A number that measures or dates rather than counts: a time of day, an age, a length, a
# weight, a temperature, a magnitude, a day of a month ("28. Februar", "Nov. 12"). The figure a
# report states is not one of those unless the question asks for that measure
# ("Wasserstand ... 33 Zentimeter").
_MEASURE_AFTER = re.compile(
    r"^\.?\s*-?\s*(?:uhr|a\.m\.|p\.m\.|jahre alt|years? old|year-old|jährige?[rn]?\b|m-[a-z]|"
    r"meter\w*|metres?|km\b|kilomet\w*|zentimeter\w*|cm\b|mm\b|grad\b|°|degrees?\b|kg\b|"
    r"kilogramm|tonnen\b|tonnes?\b|tons?\b|liter\w*|litres?\b|watt\b|kwh\b|magnitude\b|"
    rf"(?:{_MONTHS})\b)",
    re.I,
)
_MEASURE_BEFORE = re.compile(r"\b(?:stärke|magnitude|nr\.|no\.)\s*$", re.I)
# A person's age beside the name, as news writes it: "Montoya-Lewis, 51, was appointed",
# "Karola Wille (64)". Read as a measure (an age), not a count: a later article's age had passed
# for a retirement's "30 hours" before a deadline (recency's newer reports, index.claims).
_AGE_BEFORE = re.compile(r"[A-ZÄÖÜ][\w'’.-]+(?:,\s*|\s*\()$")
_AGE_AFTER = re.compile(r"^\s*[,)]")
OLDEST = 120
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s*$", re.I)  # English dates: "Nov. 12"
# A number that names rather than counts: "Section 9", "Level 3", "Artikel 13", "Warnstufe 2",
# "Category 5 hurricane". Counted as a figure, "Section 8 vouchers" in a newer report on public
# housing had passed for the 28 questions a transit trust sent (its subject, "trust", held by
# "Preservation Trust"; index.claims), and the unrelated report was quoted for the older
# answer. Words that label in any language, German compounds ending in them too; in English a
# capitalized word inside a noun phrase (_CAPITALIZED_BEFORE: "Route 66", "the Boeing 737"), as
# English capitalizes nouns only in names. Not in German, which capitalizes every noun ("laut
# Polizei 500 Menschen").
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:section|article|paragraph|chapter|level|phase|stage|category|tier|route|gate|"
    r"platform|terminal|flight|episode|season|staffel|folge)|"
    r"(?:stufe|paragraf|paragraph|artikel|kapitel|abschnitt|gleis|linie|kategorie|bahnsteig))"
    r"[ \u00a0]+$",
    re.I,
)
# The English capitalized word before a number, within a noun phrase: after a word in lower case
# that is no preposition ("the traditional Section 9", "a Category 5 storm"; not "in London 500
# people", nor a sentence's first word), and no weekday or month ("said Tuesday 500 people").
_CAPITALIZED_BEFORE = re.compile(
    r"(?:^|\s)([a-z][\w'’-]*|The|A|An)[ \u00a0]+([A-Z][a-z][\w'’-]*)[ \u00a0]+$"
)
_PREPOSITIONS = frozenset({
    "in", "on", "at", "of", "to", "from", "for", "by", "with", "into", "onto", "across", "over",
    "under", "near", "around", "since", "after", "before", "during", "through", "throughout",
    "within", "without", "between", "among", "against", "about", "than", "as", "via", "per",
    "past", "toward", "towards", "until",
})  # fmt: skip
_CALENDAR = frozenset(WEEKDAYS) | frozenset(MONTHS)
_MONEY_AFTER = re.compile(
    r"^\s*(?:(?:mio\.?|mrd\.?|millionen|milliarden|millions?|billions?|bn|m)\s+)?"
    r"(?:€|\$|£|euro|euros|eur|cent|cents|dollars?|pfund|pounds?|franken|yen)(?!\w)",
    re.I,
)
_MONEY_BEFORE = re.compile(r"(?:[€$£¥]|eur|usd|gbp)\s?$", re.I)
# A number that states a change rather than the level it reached: "um mehr als 1.400 auf 2.205",
# "rose by 26 to 1,391", "Another 26 deaths", "weitere 300 Tote", "26 more", "20 Cent mehr".
_HEDGE = (
    r"(?:mehr als|more than|rund|etwa|fast|knapp|gut|nearly|almost|about|around|some|over|über)"
)
_CHANGE_BEFORE = re.compile(
    rf"\b(?:um|by|another|further|additional|weitere[nrs]?|zusätzliche[nrs]?)"
    rf"\s+(?:{_HEDGE}\s+)?[€$£]?\s?$",
    re.I,
)
_CHANGE_AFTER = re.compile(r"^\s*(?:[\w€$£%]+\s+)?(?:more|mehr|fewer|weniger)\b", re.I)


@dataclass(frozen=True)
class Figure:
    value: float
    kind: Kind
    counts: Counted = field(default=(frozenset(), frozenset()), compare=False)  # index.counted
    change: bool = field(default=False, compare=False)  # _CHANGE_BEFORE, _CHANGE_AFTER


def _value(digits: str, language: str) -> float | None:
    """The number written `digits`: "2,96" in German, "1,400" in English; None if none. A
    thousands separator is one followed by three digits ("1.500"), else a decimal point
    ("83.9" in a German text)."""
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    text = digits.replace(" ", "").replace("'", "")
    text = re.sub(rf"{re.escape(thousands)}(?=\d{{3}}(?!\d))", "", text)
    if decimal not in text:
        text = text.replace(thousands, decimal)
    try:
        return float(text.replace(decimal, "."))
    except ValueError:
        return None


def _dates(text: str, language: str) -> list[tuple[int, int]]:
    """Where `text` writes a date or a time of day in digits (_DATE)."""
    found = list(_DATE.finditer(text))
    if language != "en":
        found += _DAY_MONTH_ONLY.finditer(text)
    return [m.span() for m in found]


def figure(text: str, language: str, asked: str = "") -> Figure | None:
    """The first figure `text` states: a number with its scale ("2,96 Millionen") and its kind;
    not a year (1900-2099 as written alone), a number the question `asked` holds, nor a measure
    or a date it does not ask for ("Stärke 7,7", "12.30 Uhr", "140-year-old", "Nov. 12")."""
    return next(figures(text, language, asked), None)


def figure_like(text: str, language: str, like: Figure | None, asked: str = "") -> Figure | None:
    """The first figure `text` states of `like`'s kind (a count, a share, an amount of money),
    else its first. A report of a change states the change before the level it reached
    ("dropped by nearly 27 percent in 2024 to 80,391", "stieg die Zahl der Getöteten um 1,8
    Prozent auf 2.839"): its first figure, a share, is not what an earlier report's count is
    compared with. Only the kind is looked for, not the figure nearest in size: of several
    counts, the nearest to the older one is often another thing counted ("50 new trains ...
    30 million passengers a year by the 2030s" for 18.6 million carried; EXPERIMENTS.md)."""
    found = list(figures(text, language, asked))
    if like is None or not found:
        return found[0] if found else None
    kind = [f for f in found if f.kind == like.kind]
    # Nor is a change its level where the level follows ("Another 26 deaths …, bringing the
    # number killed … to 1,391"; "um mehr als 1.400 auf 2.205").
    return next((f for f in kind if not f.change), kind[0] if kind else found[0])


def figures(text: str, language: str, asked: str = "") -> Iterator[Figure]:
    """Every figure `text` states, in order (`figure`'s rules)."""
    named = {m.group(0) for m in _NUMBER.finditer(asked)}
    dates = _dates(text, language)
    for m in _NUMBER.finditer(text):
        digits = m.group(0).strip()
        value = _value(digits, language)
        if value is None or digits in named or any(a <= m.start() < b for a, b in dates):
            continue
        ranged = _RANGE.match(text, m.end())  # the unit after a range's second number
        end = ranged.end() if ranged else m.end()
        after, before = text[end : end + 30], text[max(0, m.start() - 4) : m.start()]
        if _measures(text, m.start(), digits, after, asked, language):
            continue
        if _labels(text, m.start(), language):
            continue
        scale = next((factor for pattern, factor in _SCALES if pattern.search(after)), 1.0)
        share = _SHARE.search(after) is not None
        if scale == 1.0 and not share and digits.isdigit() and 1900 <= value <= 2099:
            continue  # a year
        money = _MONEY_BEFORE.search(before) is not None or _MONEY_AFTER.search(after)
        kind: Kind = "share" if share else "money" if money else "count"
        counts = counted(text, m.start(), end, language) if kind == "count" else None
        change = bool(
            _CHANGE_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
            or _CHANGE_AFTER.search(text[end : end + 30])
        )
        yield Figure(value * scale, kind, counts or (frozenset(), frozenset()), change)


def _measures(text: str, start: int, digits: str, after: str, asked: str, language: str) -> bool:
    """Whether the number `digits` at `start` (followed by `after`) measures or dates something
    the question `asked` does not ask for (_MEASURE_AFTER)."""
    before = text[max(0, start - 12) : start]
    dated = language == "en" and digits.isdigit() and int(digits) <= 31
    aged = digits.isdigit() and int(digits) <= OLDEST and _AGE_AFTER.match(after) is not None
    if not (
        (aged and _AGE_BEFORE.search(before))
        or _MEASURE_AFTER.search(after)
        or _MEASURE_BEFORE.search(before)
        or (dated and _MONTH_BEFORE.search(before))
    ):
        return False
    wanted = expected(asked)[0] if asked else None
    return wanted is None or wanted.search(after) is None


def _labels(text: str, start: int, language: str) -> bool:
    """Whether the number at `start` names a thing (a section, a level, a route) rather than
    counting or measuring one (_LABEL_BEFORE, _CAPITALIZED_BEFORE)."""
    before = text[max(0, start - 40) : start]
    if _LABEL_BEFORE.search(before):
        return True
    if language != "en" or _MONEY_BEFORE.search(before):
        return False
    phrase = _CAPITALIZED_BEFORE.search(before)
    return (
        phrase is not None
        and phrase.group(1) not in _PREPOSITIONS
        and phrase.group(2).casefold() not in _CALENDAR
    )


def comparable(first: Figure | None, other: Figure | None, ratio: float = FIGURE_RATIO) -> bool:
    """Whether two figures can be one claim reported twice: of one kind, at most `ratio`
    apart (True when either has none)."""
    if first is None or other is None:
        return True
    if first.kind != other.kind:
        return False
    low, high = sorted((abs(first.value), abs(other.value)))
    return low == high or (low > 0 and high / low <= ratio)
