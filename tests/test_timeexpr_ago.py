"""index.timeago through index.timeexpr: time counted back from today ("vor einem Jahr", "a week
ago", "heute vor einem Jahr") and "in the last week" (the last seven days, not the calendar
week), which named no range or the wrong one before."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.timeago import RULES
from index.timeexpr import when

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 10, 29, 12, tzinfo=BERLIN)  # a Wednesday
D = date


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("Was geschah vor 5 Tagen?", D(2025, 10, 24), D(2025, 10, 25)),
        ("What happened 5 days ago?", D(2025, 10, 24), D(2025, 10, 25)),
        ("Was war vor zwei Tagen?", D(2025, 10, 27), D(2025, 10, 28)),  # as "vorgestern"
        # a week: the seven days around the day a week back (22 October)
        ("Was sagte Merz vor einer Woche?", D(2025, 10, 19), D(2025, 10, 26)),
        ("What did the bank say a week ago?", D(2025, 10, 19), D(2025, 10, 26)),
        ("Was geschah vor zwei Wochen?", D(2025, 10, 12), D(2025, 10, 19)),
        ("Was ist vor 3 Stunden passiert?", D(2025, 10, 28), D(2025, 10, 30)),
    ],
)
def test_days_and_weeks_ago_restrict_to_that_time(question: str, start: date, end: date) -> None:
    found = when(question, NOW)
    assert (found.start, found.end, found.restricts) == (start, end, True), found


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("Was geschah vor drei Monaten?", D(2025, 7, 1), D(2025, 8, 1)),
        ("What happened 3 months ago?", D(2025, 7, 1), D(2025, 8, 1)),
        ("Wie hoch war die Inflation vor einem Jahr?", D(2024, 10, 1), D(2024, 11, 1)),
        ("What was the inflation rate a year ago?", D(2024, 10, 1), D(2024, 11, 1)),
        ("Wie viel kostete Butter vor gut einem Jahr?", D(2024, 10, 1), D(2024, 11, 1)),
        ("Was geschah vor zwei Jahren?", D(2023, 10, 1), D(2023, 11, 1)),
        ("Who won two years ago?", D(2023, 10, 1), D(2023, 11, 1)),
        ("Wie war es vor zwölf Monaten?", D(2024, 10, 1), D(2024, 11, 1)),  # as a year
        ("What did it cost this time last year?", D(2024, 10, 1), D(2024, 11, 1)),
    ],
)
def test_months_and_years_ago_prefer_the_month_of_that_day(
    question: str, start: date, end: date
) -> None:
    """Only preferred: an article of today reports on them too ("höher als vor einem Jahr")."""
    found = when(question, NOW)
    assert (found.start, found.end) == (start, end), found
    assert found.named and not found.restricts
    assert found.within(start) and found.covers(D(2025, 10, 29))


@pytest.mark.parametrize(
    ("question", "day"),
    [
        ("Was geschah heute vor einem Jahr?", D(2024, 10, 29)),
        ("Was geschah heute vor zwei Jahren?", D(2023, 10, 29)),
        ("Was war vor genau einem Jahr?", D(2024, 10, 29)),
        ("What happened today a year ago?", D(2024, 10, 29)),
        ("What happened a year ago today?", D(2024, 10, 29)),
        ("What happened on this day last year?", D(2024, 10, 29)),
        ("What happened exactly two years ago?", D(2023, 10, 29)),
        ("Was war heute vor einer Woche?", D(2025, 10, 22)),
    ],
)
def test_today_with_ago_is_the_day_counted_back(question: str, day: date) -> None:
    found = when(question, NOW)
    assert (found.start, found.end) == (day, D.fromordinal(day.toordinal() + 1)), found
    assert not found.within(D(2025, 10, 29))  # not today


def test_a_year_before_29_february_is_28_february() -> None:
    found = when("Was geschah heute vor einem Jahr?", datetime(2024, 2, 29, 12, tzinfo=BERLIN))
    assert found.start == D(2023, 2, 28)
    found = when("What happened a month ago?", datetime(2025, 3, 31, 12, tzinfo=BERLIN))
    assert (found.start, found.end) == (D(2025, 2, 1), D(2025, 3, 1))


@pytest.mark.parametrize(
    ("words", "n"),
    [
        ("einem", 1), ("einer", 1), ("zwei", 2), ("drei", 3), ("vier", 4), ("fünf", 5),
        ("sechs", 6), ("sieben", 7), ("acht", 8), ("neun", 9), ("zehn", 10), ("elf", 11),
        ("zwölf", 12), ("11", 11),
    ],
)  # fmt: skip
def test_german_number_words_up_to_twelve(words: str, n: int) -> None:
    found = when(f"Was geschah vor {words} Tagen?", NOW)
    assert found.start == D.fromordinal(NOW.date().toordinal() - n)


@pytest.mark.parametrize(
    ("words", "n"),
    [
        ("a", 1), ("an", 1), ("one", 1), ("two", 2), ("three", 3), ("four", 4), ("five", 5),
        ("six", 6), ("seven", 7), ("eight", 8), ("nine", 9), ("ten", 10), ("eleven", 11),
        ("twelve", 12), ("12", 12),
    ],
)  # fmt: skip
def test_english_number_words_up_to_twelve(words: str, n: int) -> None:
    unit = "day" if n == 1 else "days"
    found = when(f"What happened {words} {unit} ago?", NOW)
    assert found.start == D.fromordinal(NOW.date().toordinal() - n)


@pytest.mark.parametrize(
    "question",
    [
        "Was ist die neueste Zahl von vor 999999999 Jahren?",
        "What is the latest figure from 999999999999 days ago?",
        "Was ist die neueste Zahl von vor 99999999999999999999 Monaten?",
        "Was ist die aktuelle Lage vor 200 Jahren?",  # before 1900: no range
        "What is the latest from 99999999 weeks ago?",
        "What is the latest from 9999999999 hours ago?",
    ],
)
def test_absurd_counts_name_no_range_and_keep_the_rest(question: str) -> None:
    """A rule that raised would lose "newest" too (when() then answers TimeQuery())."""
    found = when(question, NOW)
    assert not found.named and found.newest


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(
        r"\A(heute |genau )?vor (genau |gut )?(\d{1,25}|einem|zwölf) (stunden|tagen|wochen|"
        r"monaten|jahren)\Z|\A(today |exactly )?(\d{1,25}|a|twelve) (hours|days|weeks|months|"
        r"years) ago( today)?\Z"
    ),
    st.dates(min_value=D(1901, 1, 1), max_value=D(2200, 12, 31)),
)
def test_counting_back_never_raises(text: str, today: date) -> None:
    for pattern, resolve, _ in RULES:
        for match in pattern.finditer(text):
            span = resolve(match, today)
            if span is not None:
                start, end = span
                assert start is not None and end is not None
                assert D(1900, 1, 1) <= start < end <= D.fromordinal(today.toordinal() + 1)


@pytest.mark.parametrize(
    "question",
    [
        "What happened in the last week?",
        "What happened in the past week?",
        "What happened during the past week?",
        "What happened over the last week?",
        "What happened in the past seven days?",
        "Was geschah in den letzten sieben Tagen?",
        "What happened over the last 7 days?",
    ],
)
def test_in_the_last_week_is_the_last_seven_days(question: str) -> None:
    found = when(question, NOW)
    assert (found.start, found.end, found.restricts) == (D(2025, 10, 22), D(2025, 10, 30), True)


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("Was geschah in den vergangenen zwei Wochen?", D(2025, 10, 15)),
        ("What happened in the past two weeks?", D(2025, 10, 15)),
        ("What happened over the last 3 days?", D(2025, 10, 26)),
        ("Was geschah in den letzten zehn Tagen?", D(2025, 10, 19)),
        ("What happened in the last twelve hours?", D(2025, 10, 28)),
    ],
)
def test_the_last_n_days_up_to_today(question: str, start: date) -> None:
    found = when(question, NOW)
    assert (found.start, found.end, found.restricts) == (start, D(2025, 10, 30), True)


def test_last_week_alone_stays_the_calendar_week() -> None:
    for question in ("What happened last week?", "Was geschah in der letzten Woche?"):
        found = when(question, NOW)
        assert (found.start, found.end) == (D(2025, 10, 20), D(2025, 10, 27)), question


def test_the_last_week_of_a_month_is_not_counted_from_today() -> None:
    found = when("What happened in the last week of October?", NOW)
    assert not found.restricts and found.start == D(2025, 10, 1)
    assert not when("Who led in the last week of the campaign?", NOW).named


@pytest.mark.parametrize(
    ("question", "about"),
    [
        ("Was kostete Butter vor einem Jahr in Berlin?", "Was kostete Butter in Berlin?"),
        ("Was geschah heute vor zwei Jahren in Kiew?", "Was geschah in Kiew?"),
        ("What was the rate a year ago today in France?", "What was the rate in France?"),
        ("What happened on this day last year in Paris?", "What happened in Paris?"),
        ("What happened in the past week in Berlin?", "What happened in Berlin?"),
        ("What happened during the last week in Rome?", "What happened in Rome?"),
        ("Was geschah in den letzten sieben Tagen in Kiel?", "Was geschah in Kiel?"),
        ("Wie kalt war der Oktober 2023 in Kiel?", "Wie kalt war in Kiel?"),  # its article too
        ("Wie kalt war es in der letzten Woche?", "Wie kalt war es ?"),
    ],
)
def test_without_takes_the_whole_expression_out(question: str, about: str) -> None:
    assert when(question, NOW).without(question) == about


def test_heute_beside_an_ago_is_not_today() -> None:
    found = when("Was war heute vor einem Jahr?", NOW)
    assert not found.within(D(2025, 10, 29)) and found.expression == "heute vor einem Jahr"
    # "heute" as nowadays still restricts nothing and asks for the newest
    found = when("Was kostete Butter vor einem Jahr im Vergleich zu heute?", NOW)
    assert found.newest and not found.restricts and found.start == D(2024, 10, 1)
