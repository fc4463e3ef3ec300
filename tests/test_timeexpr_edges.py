"""index.timeexpr at its edges (found in review, 2026-12-05): wordings that restricted a question
to the wrong articles, so that an answer in the library got "not found", and dates resolved to
the wrong day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from index.timeexpr import when

BERLIN = ZoneInfo("Europe/Berlin")
WED = datetime(2025, 10, 29, 12, tzinfo=BERLIN)  # a Wednesday
MON = datetime(2025, 10, 27, 9, tzinfo=BERLIN)  # a Monday
D = date


@pytest.mark.parametrize(
    "question",
    [
        "Wie viele Stunden arbeiten Lehrer in der Woche?",  # per week
        "An welchem Tag der Woche ist der Markt geöffnet?",
        "Are more people unemployed today than last year?",  # today as nowadays, compared
        "Wie hoch ist die Arbeitslosigkeit heute im Vergleich zu 2019?",
    ],
)
def test_wordings_that_restrict_nothing(question: str) -> None:
    assert not when(question, WED).restricts


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("Was ist seit vorgestern passiert?", D(2025, 10, 27)),
        ("What has happened since last month?", D(2025, 9, 1)),
        ("What has changed since last year?", D(2024, 1, 1)),
        ("Was ist seit dem 1. Oktober passiert?", D(2025, 10, 1)),
        ("What happened since October 1?", D(2025, 10, 1)),
    ],
)
def test_since_runs_from_the_range_up_to_today(question: str, start: date) -> None:
    found = when(question, WED)
    assert (found.start, found.end) == (start, D(2025, 10, 30))


@pytest.mark.parametrize(
    "question",
    ["What happened last Monday?", "Was geschah letzten Montag?", "Was war am vergangenen Montag?"],
)
def test_last_monday_asked_on_a_monday_is_a_week_ago(question: str) -> None:
    found = when(question, MON)
    assert (found.start, found.end) == (D(2025, 10, 20), D(2025, 10, 21))


def test_this_weekday_is_this_week_s_and_none_still_to_come() -> None:
    assert not when("What happened this Friday?", WED).named  # Friday is still to come
    found = when("Was war diesen Montag?", WED)
    assert (found.start, found.end) == (D(2025, 10, 27), D(2025, 10, 28))


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("Was geschah am 5.5.1850?", None),  # a year out of range names no day
        ("What happened on May 5, 2035?", None),
        ("Was geschah am 5.5.99?", D(1999, 5, 5)),
        ("Was geschah am 5.5.24?", D(2024, 5, 5)),
        ("Was geschah am 29. Februar?", D(2024, 2, 29)),  # the latest one
        ("Officials say 15 may have died. How many died?", None),  # "may" is no month
        ("What happened on 15 May?", D(2025, 5, 15)),
        ("Wie viel kosten 2024 Euro?", None),  # an amount, not a year
        ("Wie viele der 2000 Einwohner stimmten zu?", None),  # a count
        ("Wie viele Babys wurden 2023 geboren?", D(2023, 1, 1)),
    ],
)
def test_days_and_years_named(question: str, start: date | None) -> None:
    assert when(question, WED).start == start


def test_29_february_asked_before_it_comes_is_the_last_leap_year_s() -> None:
    found = when("Was geschah am 29. Februar?", datetime(2024, 1, 15, 12, tzinfo=BERLIN))
    assert found.start == D(2020, 2, 29)


def test_an_answer_is_found_where_the_time_words_restricted_wrongly(hash_library) -> None:  # noqa: ANN001
    hash_library.add_text(
        "Lehrkräfte in Deutschland arbeiten deutlich mehr als vereinbart. Nach einer neuen "
        "Studie arbeiten Lehrer im Schnitt 48 Stunden in der Woche.",
        title="Lehrer arbeiten zu viel",
        published="2025-06-01",
    )
    hash_library.add_text(
        "Der Stadtrat von Neustadt hat heute den Haushalt mit 31 Millionen Euro beschlossen. "
        "Die Opposition stimmte dagegen.",
        title="Neustadt beschließt Haushalt",
        published="2025-10-29",
    )
    hash_library.clock = lambda: WED
    for question in (
        "Wie viele Stunden arbeiten Lehrer in der Woche?",
        "Was hat der Stadtrat von Neustadt seit vorgestern beschlossen?",
    ):
        assert not hash_library.ask(question).abstained, question


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("Was ist in den letzten 24 Stunden passiert?", D(2025, 10, 28), D(2025, 10, 30)),
        ("Was ist seit letzter Woche passiert?", D(2025, 10, 20), D(2025, 10, 30)),
        ("Was war in der vergangenen Woche los?", D(2025, 10, 20), D(2025, 10, 27)),
    ],
)
def test_hours_and_since_last_week(question: str, start: date, end: date) -> None:
    found = when(question, WED)
    assert (found.start, found.end, found.restricts) == (start, end, True)


def test_a_version_number_is_no_date() -> None:
    assert not when("Was ist neu in iOS 18.1.1?", WED).named
    assert when("Was geschah am 18.1.2024?", WED).start == D(2024, 1, 18)


def test_without_takes_the_expression_out_as_whole_words() -> None:
    found = when("Wie viele der 12019 Anträge kamen 2019 an?", WED)
    assert found.expression == "2019"
    assert found.without("Wie viele der 12019 Anträge kamen 2019 an?") == (
        "Wie viele der 12019 Anträge kamen an?"
    )


def test_without_takes_a_season_out_whole() -> None:
    """ "2023/24" is one expression: its "/24" is no number the question names (index.figures)."""
    question = "Wer wurde in der Saison 2023/24 Meister?"
    assert when(question, WED).without(question) == "Wer wurde in der Saison Meister?"


def test_a_day_and_month_after_am_without_the_final_dot() -> None:
    assert when("Was geschah am 3.10?", WED).start == D(2025, 10, 3)
    assert not when("Was ist neu in Version 3.10?", WED).named
