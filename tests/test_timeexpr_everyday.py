"""index.timeexpr on times news questions name every day: the weekend ("am Wochenende", "last
weekend": the last one restricts, the one named without "last" is preferred, the next names
none), a weekday's evening ("am Sonntagabend"), last night, and "recently" ("kürzlich")."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from index.timeexpr import when

BERLIN = ZoneInfo("Europe/Berlin")
WED = datetime(2025, 10, 29, 12, tzinfo=BERLIN)  # a Wednesday: the last weekend 25-26 October
SAT = datetime(2025, 11, 1, 12, tzinfo=BERLIN)  # a Saturday: this weekend 1-2 November
D = date


@pytest.mark.parametrize(
    ("now", "question", "start", "restricts"),
    [
        (WED, "Was passierte am vergangenen Wochenende in Köln?", D(2025, 10, 25), True),
        (WED, "Wie war das letzte Wochenende?", D(2025, 10, 25), True),
        (WED, "What happened last weekend?", D(2025, 10, 25), True),
        (WED, "What happened this past weekend?", D(2025, 10, 25), True),
        (WED, "Wer gewann am Wochenende?", D(2025, 10, 25), False),
        (WED, "What happened over the weekend?", D(2025, 10, 25), False),
        (SAT, "Was passierte am Wochenende?", D(2025, 11, 1), False),
        (SAT, "What happened last weekend?", D(2025, 10, 25), True),  # not the one going on
        (SAT, "Was ist an diesem Wochenende los?", D(2025, 11, 1), True),
        (WED, "What is on this weekend?", D(2025, 10, 27), True),  # this week's news of it
    ],
)
def test_weekends(now: datetime, question: str, start: date, restricts: bool) -> None:
    found = when(question, now)
    assert (found.start, found.restricts) == (start, restricts)
    end = D(2025, 11, 3) if start >= D(2025, 10, 27) else D(2025, 10, 27)
    assert found.end == end


@pytest.mark.parametrize(
    "question",
    [
        "Was ist am kommenden Wochenende los?",
        "What is planned for next weekend?",
        "Was kostet das Wochenendticket?",  # a word holding it
        "Wie viele Wochenenden hat das Jahr?",
    ],
)
def test_weekends_that_name_no_range(question: str) -> None:
    assert not when(question, WED).named


def test_the_weekend_is_taken_out_of_what_is_asked() -> None:
    question = "Wie viele Besucher kamen am vergangenen Wochenende zum Hafenfest?"
    assert when(question, WED).without(question) == "Wie viele Besucher kamen zum Hafenfest?"


def test_last_weekend_s_report_is_quoted_over_a_newer_one(hash_library) -> None:  # noqa: ANN001
    reports = (
        (
            "2025-10-26",
            "Das Hafenfest in Kiel lockte 200.000 Besucher an. Die Polizei meldete kaum "
            "Zwischenfälle, die Veranstalter sind zufrieden.",
        ),
        (  # newer, and not of the weekend asked about
            "2025-10-29",
            "Bilanz der Saison: Das Hafenfest in Kiel hatte im Herbst 90.000 Besucher. Die Stadt "
            "will das Fest im kommenden Jahr verlängern und mehr Bühnen aufbauen.",
        ),
    )
    for published, text in reports:
        hash_library.add_text(text, title=f"Hafenfest Kiel {published}", published=published)
    hash_library.clock = lambda: WED
    question = "Wie viele Besucher hatte das Hafenfest in Kiel letztes Wochenende?"
    answer = hash_library.ask(question)
    assert "200.000" in answer.quote
    # Without the weekend, the newer report is quoted: the range is what decides.
    assert "90.000" in hash_library.ask("Wie viele Besucher hatte das Hafenfest in Kiel?").quote


@pytest.mark.parametrize(
    ("question", "start", "restricts"),
    [
        ("Was passierte am Sonntagabend in Köln?", D(2025, 10, 26), False),
        ("Was ist seit Montagmorgen passiert?", D(2025, 10, 27), True),
        ("Was passierte letzte Nacht?", D(2025, 10, 28), True),
        # the night that ends on the day: its two days, preferred as "am Sonntag" is
        ("Was brannte in der Nacht zu Sonntag in Köln?", D(2025, 10, 25), False),
        ("Wer wurde in der Nacht auf Samstag festgenommen?", D(2025, 10, 24), False),
    ],
)
def test_a_day_s_evening_and_last_night(question: str, start: date, restricts: bool) -> None:
    found = when(question, WED)
    assert (found.start, found.restricts) == (start, restricts)
    if "Nacht zu" in question or "Nacht auf" in question:
        assert found.end == start + timedelta(days=2)
        assert "Nacht" not in found.without(question)


@pytest.mark.parametrize(
    "question",
    [
        "Was hat die Regierung kürzlich beschlossen?",
        "Was wurde neulich in Köln entschieden?",
        "Welche Regeln gelten neuerdings?",
        "Was hat der Verein vor kurzem gemeldet?",
        "Was gab es in letzter Zeit für Unfälle?",
        "What has the council decided lately?",
        "What are people worried about these days?",
    ],
)
def test_recently_asks_for_the_newest(question: str) -> None:
    found = when(question, WED)
    assert found.newest and not found.named
