"""index.timeexpr: time expressions in German and English questions, resolved to date ranges."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.timeexpr import TimeQuery, when

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 10, 29, 12, 0, tzinfo=BERLIN)  # a Wednesday
D = date


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("Was hat der Bundestag heute beschlossen?", D(2025, 10, 29), D(2025, 10, 30)),
        ("Was ist gestern in Berlin passiert?", D(2025, 10, 28), D(2025, 10, 29)),
        ("Was war vorgestern los?", D(2025, 10, 27), D(2025, 10, 28)),
        ("Wie viele Tote gab es letzte Woche?", D(2025, 10, 20), D(2025, 10, 27)),
        ("Was geschah in der vergangenen Woche?", D(2025, 10, 20), D(2025, 10, 27)),
        ("Was ist diese Woche passiert?", D(2025, 10, 27), D(2025, 11, 3)),
        ("Was ist seit Montag passiert?", D(2025, 10, 27), D(2025, 10, 30)),
        ("Was hat Merz am Dienstag gesagt?", D(2025, 10, 28), D(2025, 10, 29)),
        ("Was geschah im März?", D(2025, 3, 1), D(2025, 4, 1)),
        ("Was geschah im Dezember?", D(2024, 12, 1), D(2025, 1, 1)),  # the last December
        ("Wie hoch war die Inflation 2019?", D(2019, 1, 1), D(2020, 1, 1)),
        ("Wer gewann die Wahl in 2019?", D(2019, 1, 1), D(2020, 1, 1)),
        ("Was hat sich seit 2020 verändert?", D(2020, 1, 1), D(2025, 10, 30)),
        ("Was passierte seit März 2024?", D(2024, 3, 1), D(2025, 10, 30)),
        ("Wie waren die Zahlen im Mai 2019?", D(2019, 5, 1), D(2019, 6, 1)),
        ("Was sagte Merz am 27.10.2025?", D(2025, 10, 27), D(2025, 10, 28)),
        ("Was geschah am 5. März?", D(2025, 3, 5), D(2025, 3, 6)),
        ("Was geschah in den letzten 3 Tagen?", D(2025, 10, 26), D(2025, 10, 30)),
        ("Was passierte im vergangenen Monat?", D(2025, 9, 1), D(2025, 10, 1)),
        ("Was ist in diesem Jahr passiert?", D(2025, 1, 1), D(2026, 1, 1)),
        ("Was war letztes Jahr?", D(2024, 1, 1), D(2025, 1, 1)),
        ("What happened yesterday in London?", D(2025, 10, 28), D(2025, 10, 29)),
        ("What happened today?", D(2025, 10, 29), D(2025, 10, 30)),
        ("How many people died last week?", D(2025, 10, 20), D(2025, 10, 27)),
        ("What did the bank decide this month?", D(2025, 10, 1), D(2025, 11, 1)),
        ("What has happened since Monday?", D(2025, 10, 27), D(2025, 10, 30)),
        ("Who won the election in 2019?", D(2019, 1, 1), D(2020, 1, 1)),
        ("What happened on October 3?", D(2025, 10, 3), D(2025, 10, 4)),
        ("What happened on March 5, 2024?", D(2024, 3, 5), D(2024, 3, 6)),
        ("What happened on 2024-03-05?", D(2024, 3, 5), D(2024, 3, 6)),
        ("What happened in the past week?", D(2025, 10, 22), D(2025, 10, 30)),
        ("What did they say last year?", D(2024, 1, 1), D(2025, 1, 1)),
        ("What happened in the last 2 weeks?", D(2025, 10, 15), D(2025, 10, 30)),
        # a season, a school or financial year: both its years
        ("Wer wurde in der Saison 2023/24 Meister?", D(2023, 1, 1), D(2025, 1, 1)),
        ("How much did the club earn in 2019/20?", D(2019, 1, 1), D(2021, 1, 1)),
        ("Was galt am 2023/11/05?", D(2023, 11, 5), D(2023, 11, 6)),  # a date, not a season
        # day and month written with slashes: a day where only one of them can be a month
        ("What happened on 11/25/2023?", D(2023, 11, 25), D(2023, 11, 26)),
        ("What happened on 25/11/2023?", D(2023, 11, 25), D(2023, 11, 26)),
        ("What happened on 5/11/2023?", D(2023, 1, 1), D(2024, 1, 1)),  # either: the year
        ("Was hat sich seit 2023/24 verändert?", D(2023, 1, 1), D(2025, 10, 30)),
    ],
)
def test_time_expressions_resolve_to_ranges(question: str, start: date, end: date) -> None:
    query = when(question, NOW)
    assert (query.start, query.end) == (start, end), query
    assert query.named and query.expression
    assert query.expression.casefold() in question.casefold()  # as written, for the reply


COUNTED_FROM_TODAY = [
    "Was hat der Bundestag heute beschlossen?",
    "Was ist gestern in Berlin passiert?",
    "Wie viele Tote gab es letzte Woche?",
    "Was ist seit Montag passiert?",
    "What happened in the last 2 weeks?",
    "What did the bank decide this month?",
    "Was war letztes Jahr?",
    # An event today, not a state that lasts: the day
    "Which trains run today?",
    "Wer spielt heute?",
]
NAMED_BY_THE_CALENDAR = [
    "Was hat Merz am Dienstag gesagt?",
    "Was geschah im März?",
    "Wie hoch war die Inflation 2019?",
    "Was hat sich seit 2020 verändert?",
    "Was sagte Merz am 27.10.2025?",
    "What happened on March 5, 2024?",
    "Wozu hatte sich Lucke 2014 von der Uni beurlauben lassen?",
]


@pytest.mark.parametrize("question", COUNTED_FROM_TODAY)
def test_ranges_counted_from_today_restrict(question: str) -> None:
    assert when(question, NOW).restricts


@pytest.mark.parametrize("question", NAMED_BY_THE_CALENDAR)
def test_ranges_named_by_the_calendar_are_only_preferred(question: str) -> None:
    query = when(question, NOW)
    assert query.named and not query.restricts
    assert query.covers(D(2011, 1, 1)) and not query.within(D(2011, 1, 1))


@pytest.mark.parametrize(
    "question",
    [
        "Was sind die neuesten Zahlen?",
        "Wie ist die aktuelle Lage?",
        "Was hat die Regierung zuletzt beschlossen?",
        "What is the latest figure?",
        "Who is the president now?",
        "What are the most recent results?",
        # "heute"/"today" as "nowadays": how things are now, not what was published today
        "Welche Teile der Mauer stehen bis heute?",
        "Wird das Schloss bis zum heutigen Tag bewohnt?",
        "Whose wall has fragments visible in places around Newcastle even today?",
        "How much lower was the North Sea in the last cold phase than it is today?",
        "What are the first buildings the university built known as today?",
    ],
)
def test_latest_asks_for_newest_without_a_range(question: str) -> None:
    query = when(question, NOW)
    assert query.newest and not query.restricts


@pytest.mark.parametrize(
    "question",
    [
        "Wer ist der Präsident von Frankreich?",
        "Wann wurde das Gesetz beschlossen?",
        "Was sagt die Studie über die Auswirkungen?",  # "die" is no date (dateparser says it is)
        "What may happen to the rates?",  # "may" the verb
        "Was the march peaceful?",  # "march" the noun
        "How much are Black Friday sales worth?",
        "How many goals did Kane score?",
        "Wie viele der 3000 Befragten stimmten zu?",
        # a time word capitalized inside the sentence begins a name
        "Which CBS This Morning co-host interviewed the voters?",
        "Who hosts Last Week Tonight on HBO?",
        "Was berichtete die Sendung Heute über den Streik?",
    ],
)
def test_questions_without_a_time_name_none(question: str) -> None:
    assert when(question, NOW) == TimeQuery()


@pytest.mark.parametrize(
    ("question", "expression"),
    [
        ("This morning, what happened in Paris?", "This morning"),  # a sentence's start
        ("Gestern: was geschah in Bonn?", "Gestern"),
        ("What Happened Yesterday In Berlin?", "Yesterday"),  # no word in lower case
        ("What did the Today show report last week?", "last week"),  # the name passed over
    ],
)
def test_a_capitalized_time_word_restricts_where_it_is_no_name(
    question: str, expression: str
) -> None:
    query = when(question, NOW)
    assert query.expression == expression and query.restricts


def test_an_impossible_day_falls_back_to_its_year() -> None:
    query = when("Was geschah am 31.02.2025?", NOW)
    assert (query.start, query.end) == (D(2025, 1, 1), D(2026, 1, 1))


def test_the_day_depends_on_the_time_zone() -> None:
    # 23:30 in New York on 28 October is 04:30 on the 29th in Berlin.
    late = datetime(2025, 10, 28, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert when("heute", late.astimezone(BERLIN)).start == D(2025, 10, 29)
    assert when("today", late).start == D(2025, 10, 28)


def test_covers_takes_articles_published_up_to_a_day_later() -> None:
    query = when("Was ist gestern passiert?", NOW)
    assert query.covers(D(2025, 10, 28)) and query.covers(D(2025, 10, 29))
    assert not query.covers(D(2025, 10, 27)) and not query.covers(D(2025, 10, 30))
    assert not query.covers(None)
    assert TimeQuery().covers(None) and TimeQuery().covers(D(1999, 1, 1))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.from_regex(r"(am|seit|im|in|since|on) [0-9.\- ]{0,12}\w*"))
def test_odd_input_never_raises(question: str) -> None:
    query = when(question, NOW)
    if query.named and query.start and query.end:
        assert query.start < query.end


def test_huge_and_non_string_input() -> None:
    assert when("gestern " * 100_000, NOW).start == D(2025, 10, 28)
    assert when(None, NOW) == TimeQuery()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "question",
    [
        "Whose wall has fragments visible in places around Newcastle even today?",
        "How much lower was the North Sea in the last cold phase than it is today?",
        "What are the first buildings the university built known as today?",
        "Wer regiert das Land bis heute?",
        # beside a verb of a state that lasts: who runs it, where people live, what it costs
        "Who runs Aisha's Salon and Spa today?",
        "Wer leitet heute das Unternehmen?",
        "Wie viele Menschen leben heute in Berlin?",
        "How much does a litre of petrol cost today?",
    ],
)
def test_today_meaning_nowadays_restricts_nothing(question: str) -> None:
    found = when(question, NOW)
    assert not found.restricts
    assert found.newest  # it asks how things are now


def test_without_the_range_a_long_question_keeps_all_its_words() -> None:
    """Only finding the range reads the first MAX_CHARS; what the question asks about keeps
    every word after them too."""
    question = "Wie viele Tote gab es gestern " + "beim Hochwasser " * 80 + "in Valencia?"
    about = when(question, NOW).without(question)
    assert "gestern" not in about and about.endswith("in Valencia?")
    assert about == " ".join(question.replace("gestern", " ").split())
