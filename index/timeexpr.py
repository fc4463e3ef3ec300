"""Time expressions in a German or English question, resolved to a date range or "newest".

`when("Was ist gestern passiert?", now)` -> TimeQuery(start=<yesterday>, end=<today>, ...).

A small rule set rather than dateparser's `search_dates`, measured on 20 short questions of the
kinds the bot gets (dateparser 1.2, warm): 1-21 ms per question (the budget here is < 1 ms);
it finds dates in ordinary words ("die" -> yesterday, "may", "the march"); it returns points,
not ranges ("letzte Woche" -> one day seven days ago, "im März" -> 29 March); and it knows no
"latest"/"neueste". The rules (index.timerules) resolve each expression to the range a reader
means, against `now` in the bot's time zone, and never raise: odd input gives TimeQuery() (no
time named).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .timerules import RULES

MAX_CHARS = 1000  # questions are short; longer input is cut before matching
# News of a day is published that day or the next: "gestern" also takes today's articles.
REPORTING_LAG = timedelta(days=1)
# An article that is part of a time expression's words ("der Oktober 2023", "the last week").
_ARTICLE = r"(?:der|die|das|dem|den|des|the)"
_PREPOSITION = re.compile(
    r"(?:in|im|am|an|um|seit|vor|nach|bis|ab|von|vom|zum|zur|während|innerhalb|"
    r"on|at|during|since|for|from|of|by|before|after|until|within)\s",
    re.IGNORECASE,
)
_NEWEST = re.compile(
    r"\b(neueste[nrs]?|neusten?|jüngste[nrs]?|aktuell(?:e[nrs]?)?|zuletzt|derzeit|momentan|"
    r"kürzlich|neulich|neuerdings|vor kurzem|in letzter zeit|"
    r"latest|newest|most recent|recent(?:ly)?|current(?:ly)?|now|nowadays|lately|these days)\b"
)
# "heute"/"today" meaning "nowadays", not the day: "bis heute", "even today", "than it is
# today", "known as today" ask how things are now (the newest articles), they do not restrict
# to today's. Masked before the rules run; they count as asking for the newest. ("noch heute",
# "heute noch" stay the day: "Fällt die Entscheidung noch heute?") So does "today" beside a
# verb of a state that lasts (who runs, leads or owns something, where people live, what a
# thing costs): "Who runs Aisha's Salon and Spa today?" asks who runs it now, and restricted to
# the articles published today it was not found. An event's verb keeps the day ("Was hat der
# Bundestag heute beschlossen?", "Which trains run today?": only the -s form, "who runs", is
# read as the state; "live" and "leben" are one whatever their person).
_STATE_VERB = (
    r"(?:runs|leads|heads|owns|manages|chairs|coaches|governs|rules|employs|lives|live|costs|"
    r"(?:does|do) [^.?!]{0,40}\b(?:cost|earn|own|employ)|leitet|leiten|führt|regiert|besitzt|"
    r"gehört|gehören|trainiert|lebt|leben|wohnt|wohnen|kostet|kosten|beschäftigt|verdient)"
)
_NOWADAYS = re.compile(
    rf"\b{_STATE_VERB}\b[^.?!]{{0,60}}\b(?:today|heute)\b"
    rf"|\b(?:today|heute)\b[^.?!]{{0,40}}\b{_STATE_VERB}\b"
    r"|\bbis (?:zum )?heute\b|\bbis zum heutigen tag\b"
    r"|\b(?:even|still|until|till|up to|up until)\s+today\b|\bas today\b|\bto this day\b"
    r"|\bthan\b[^.?!]{0,40}\btoday\b|\btoday\b[^.?!]{0,40}\bthan\b"
    r"|\bheute\b[^.?!]{0,40}\b(?:als|im vergleich|verglichen|gegenüber)\b"
    r"|\b(?:als|im vergleich zu|verglichen mit|gegenüber)\b[^.?!]{0,40}\bheute\b"
)
# "seit"/"since" before a range counted from today or named by the calendar ("seit vorgestern",
# "since last month", "seit dem 1. Oktober"): from its start up to today.
_SINCE = re.compile(r"\b(?:seit|since)(?:\s(?:dem|der|den))?\s$")
# English month names that are ordinary words too: a month only where the question capitalizes
# it ("15 may have died" names no day).
_WORD_MONTHS = frozenset({"may", "march", "mar"})
# Words that begin a time expression and are written in lower case inside a sentence, in German
# as in English: capitalized there, they begin a name ("CBS This Morning", "Last Week Tonight",
# the "Today" show, "ZDF Heute"), which names no time.
_LOWER_CASE_WORDS = frozenset(
    [
        "this",
        "last",
        "past",
        "next",
        "today",
        "tonight",
        "tomorrow",
        "yesterday",
        "heute",
        "gestern",
        "morgen",
        "vorgestern",
        "übermorgen",
        "diese",
        "diesen",
        "dieser",
        "dieses",
        "letzte",
        "letzten",
        "letzter",
        "letztes",
        "vergangene",
        "vergangenen",
        "vergangener",
        "vergangenes",
        "kommende",
        "kommenden",
        "nächste",
        "nächsten",
    ]
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"„“«»(]\s*)$")


@dataclass(frozen=True)
class TimeQuery:
    """What a question says about time: a date range [start, end) and/or "newest first".

    A range counted from today ("heute", "gestern", "letzte Woche", "seit Montag", "this
    month") restricts the articles to those published in it: no article from 2019 reports on
    yesterday. A range named by the calendar ("2019", "im März", "am 5. März", "am Montag")
    is only preferred: it names when something happened, and articles report on that before
    and long after ("Wie stark werden die Preise 2024 steigen?" is answered by an article of
    2023; "Was geschah am Montag?" by one of the week the article was written)."""

    start: date | None = None
    end: date | None = None  # exclusive
    newest: bool = False  # "latest", "neueste", "aktuell", ...
    expression: str = ""  # the words that named the range
    anchored: bool = False  # the range is counted from today: it restricts (see above)

    @property
    def named(self) -> bool:
        """The question names a range (restricting or preferred)."""
        return self.start is not None or self.end is not None

    @property
    def restricts(self) -> bool:
        return self.anchored and self.named

    def within(self, day: date | None) -> bool:
        """Whether an article published on `day` may report on the range (up to REPORTING_LAG
        after it); False for an unknown date or when no range is named."""
        if not self.named or day is None:
            return False
        after_start = self.start is None or day >= self.start
        return after_start and (self.end is None or day < self.end + REPORTING_LAG)

    def without(self, question: str) -> str:
        """`question` without the words that named the range (`expression`), and the article
        before them: what it asks about, not when ("How many bear cubs were born in 2019?" is
        not about "2019"; "Wie viele Sonnenstunden hatte der Oktober 2023?" is no "… hatte
        der?", whose last word would point back at something said before: index.followup)."""
        if not self.expression:
            return question
        flat = " ".join(str(question).split())  # whole: only finding the range reads MAX_CHARS
        # "2019", not in "12019"; the article before it only where the expression is a noun
        # phrase ("der Oktober 2023"), not one of a preposition ("… kostet das in dieser Woche?")
        own = "" if _PREPOSITION.match(self.expression) else rf"(?:{_ARTICLE}\s+)?"
        # a season's second year with its first ("Saison 2023/24": index.timerules._year_rule)
        pattern = rf"(?<!\w){own}{re.escape(self.expression)}(?:/\d\d(?![\d/]))?(?!\w)"
        return " ".join(re.sub(pattern, " ", flat, flags=re.IGNORECASE).split())

    def covers(self, day: date | None) -> bool:
        """Whether an article published on `day` may answer: every one unless the range
        restricts, then those `within` it."""
        return not self.restricts or self.within(day)


def when(question: str, now: datetime) -> TimeQuery:
    """The time `question` names, resolved against `now` (aware, in the bot's time zone)."""
    try:
        text = " ".join(str(question)[:MAX_CHARS].casefold().split())
        nowadays = _NOWADAYS.search(text) is not None
        text = _NOWADAYS.sub(lambda m: " " * len(m.group(0)), text)  # offsets stay
        newest = nowadays or _NEWEST.search(text) is not None
        today = now.date()
        for pattern, resolve, anchored in RULES:
            for match in pattern.finditer(text):
                span = resolve(match, today)
                words = _as_written(question, match.group(0))
                if span is None or not _month_as_written(match, words):
                    continue
                if _in_a_name(question, words):
                    continue
                if _SINCE.search(text, 0, match.start()) and span[0] and span[0] <= today:
                    span = (span[0], today + timedelta(days=1))
                # Beside "today" as nowadays, a range is what now is compared with ("today
                # than last year"): the newest articles answer, the range does not restrict.
                fixed = not nowadays and (anchored(match) if callable(anchored) else anchored)
                return TimeQuery(span[0], span[1], newest, words, fixed)
        return TimeQuery(newest=newest)
    except Exception:  # a rule meeting input it was not written for must not break answering
        return TimeQuery()


def _month_as_written(match: re.Match[str], words: str) -> bool:
    """Whether a month the match names by a word that is an ordinary English word too ("may")
    is written capitalized, as a month is."""
    month = match.groupdict().get("mname")
    if month not in _WORD_MONTHS:
        return True
    return re.search(rf"\b{month.capitalize()}\b", words) is not None


def _in_a_name(question: str, words: str) -> bool:
    """Whether the expression, as the question writes it, begins with a word written in lower
    case inside a sentence (_LOWER_CASE_WORDS) but capitalized, and not at a sentence's start:
    a name such as "CBS This Morning" (restricted to this morning's articles, that question found
    none). Not in a question written without lower case words ("What Happened Yesterday?")."""
    first = words.split(" ", 1)[0]
    if not first[:1].isupper() or first.casefold() not in _LOWER_CASE_WORDS:
        return False
    flat = _flat(question)
    if not any(word[:1].islower() for word in flat.split()[1:]):
        return False
    at = flat.find(words)
    return at > 0 and _SENTENCE_START.search(flat, 0, at) is None


def _as_written(question: str, expression: str) -> str:
    """The expression as the question writes it ("Letzte Woche", not "letzte woche")."""
    found = re.search(re.escape(expression), _flat(question), re.IGNORECASE)
    return found.group(0) if found else expression


def _flat(question: str) -> str:
    """The question as `when` reads it, case kept: cut to MAX_CHARS, runs of space as one."""
    return " ".join(str(question)[:MAX_CHARS].split())
