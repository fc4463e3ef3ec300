"""index.recency: the newer of two answering articles first, time-restricted questions keep only
their range, publication dates with their provenance."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from index.recency import Published, parse_day, publication_date, rank, timezone
from index.timeexpr import when

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 10, 29, 12, 0, tzinfo=BERLIN)


@dataclass(frozen=True)
class Candidate:
    quote: str
    published: date | None
    score: float


def _order(question: str, candidates: list[Candidate], tolerance: float = 0.1) -> list[str]:
    ranked = rank(
        candidates,
        when(question, NOW),
        published=lambda c: c.published,
        score=lambda c: c.score,
        tolerance=tolerance,
    )
    return [c.quote for c in ranked]


# (question, older quote, newer quote, older date, newer date): the same question answered by
# an older and a newer figure; the retrieval scores differ a little, either way round.
PAIRS = [
    ("Wie hoch ist die Inflation?", "2,6 Prozent", "2,3 Prozent", "2024-10-30", "2025-10-30"),
    ("Wie viele Arbeitslose gibt es?", "2,8 Mio.", "3,0 Mio.", "2025-01-31", "2025-09-30"),
    ("Wie hoch ist der Leitzins?", "4,0 Prozent", "2,0 Prozent", "2023-09-14", "2025-06-05"),
    ("Wie viele Menschen starben?", "mindestens 12", "mindestens 18", "2025-10-27", "2025-10-28"),
    ("Wie viele Einwohner hat Berlin?", "3,7 Mio.", "3,9 Mio.", "2019-12-31", "2024-12-31"),
    ("What is the inflation rate?", "3.2 percent", "2.6 percent", "2024-04-10", "2025-04-10"),
    ("How many were evacuated?", "400 residents", "1,200 residents", "2025-10-26", "2025-10-27"),
    ("What is the Bank of England rate?", "5.25%", "4.0%", "2024-03-21", "2025-08-07"),
    ("How many homes were destroyed?", "at least 50", "more than 500", "2025-01-08", "2025-01-10"),
    ("What is the death toll?", "820 dead", "2,900 dead", "2023-09-09", "2023-09-12"),
]


@pytest.mark.parametrize(("question", "old", "new", "old_day", "new_day"), PAIRS)
@pytest.mark.parametrize("older_scores_higher", [True, False])
def test_the_newer_of_two_answering_articles_comes_first(
    question: str, old: str, new: str, old_day: str, new_day: str, older_scores_higher: bool
) -> None:
    scores = (0.81, 0.76) if older_scores_higher else (0.76, 0.81)
    candidates = [
        Candidate(old, date.fromisoformat(old_day), scores[0]),
        Candidate(new, date.fromisoformat(new_day), scores[1]),
    ]
    assert _order(question, candidates)[0] == new


def test_a_much_better_older_answer_stays_first_unless_the_latest_is_asked() -> None:
    candidates = [
        Candidate("2,6 Prozent", date(2024, 10, 30), 0.9),
        Candidate("2,3 Prozent", date(2025, 10, 30), 0.5),  # answers something else, probably
    ]
    assert _order("Wie hoch ist die Inflation?", candidates)[0] == "2,6 Prozent"
    assert _order("Wie hoch ist die Inflation aktuell?", candidates)[0] == "2,3 Prozent"
    assert _order("What is the latest inflation rate?", candidates)[0] == "2,3 Prozent"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Counted from today: only the articles published then.
        ("Wie hoch ist die Inflation in diesem Jahr?", ["2,3 Prozent"]),
        ("What was the inflation rate yesterday?", ["2,3 Prozent"]),  # published today: lag
        ("Wie hoch war die Inflation letzte Woche?", []),
        # Named by the calendar: preferred, not required (articles report on a year long after).
        ("Wie hoch war die Inflation 2024?", ["2,6 Prozent", "2,3 Prozent", "undatiert"]),
        ("Wie war die Inflation im Oktober 2024?", ["2,6 Prozent", "2,3 Prozent", "undatiert"]),
        ("What was the inflation rate in 2019?", ["2,3 Prozent", "2,6 Prozent", "undatiert"]),
        ("Wie hoch ist die Inflation?", ["2,3 Prozent", "2,6 Prozent", "undatiert"]),
    ],
)
def test_a_time_restricted_question_uses_only_matching_articles(
    question: str, expected: list[str]
) -> None:
    candidates = [
        Candidate("2,6 Prozent", date(2024, 10, 30), 0.8),
        Candidate("undatiert", None, 0.79),
        Candidate("2,3 Prozent", date(2025, 10, 29), 0.78),
    ]
    assert _order(question, candidates) == expected


def test_rank_is_stable_and_keeps_everything_without_a_time() -> None:
    candidates = [Candidate(str(n), None, 0.5) for n in range(5)]
    assert _order("Wer ist es?", candidates) == ["0", "1", "2", "3", "4"]
    assert _order("Wer ist es?", []) == []


def test_publication_date_prefers_the_feed_then_the_page_then_the_add() -> None:
    added = datetime(2025, 10, 29, 9, 0, tzinfo=UTC)
    # 23:30 UTC on the 27th is already the 28th in Berlin.
    entry = time.struct_time((2025, 10, 27, 23, 30, 0, 0, 300, 0))
    assert publication_date(added_at=added, tz=BERLIN, feed=entry, page="2025-10-20", now=NOW) == (
        Published("2025-10-28", "feed")
    )
    assert publication_date(added_at=added, tz=BERLIN, page="2025-10-20", now=NOW) == Published(
        "2025-10-20", "page"
    )
    assert publication_date(added_at=added, tz=BERLIN, now=NOW) == Published("2025-10-29", "added")


@pytest.mark.parametrize("bad", ["2031-01-01", "1970-01-01", "garbage", "", "2025-13-45", 12])
def test_implausible_or_broken_dates_fall_back(bad: object) -> None:
    added = datetime(2025, 10, 29, 9, 0, tzinfo=UTC)
    got = publication_date(added_at=added, tz=BERLIN, page=bad, feed=bad, now=NOW)  # type: ignore[arg-type]
    assert got == Published("2025-10-29", "added")
    assert got.day == date(2025, 10, 29)


def test_parse_day_reads_what_the_store_and_feedparser_hold() -> None:
    assert parse_day("2025-10-27") == date(2025, 10, 27)
    assert parse_day("2025-10-27T23:30:00+00:00") == date(2025, 10, 27)
    assert parse_day(datetime(2025, 10, 27, 23, 30, tzinfo=UTC), BERLIN) == date(2025, 10, 28)
    assert parse_day(None) is None and parse_day("27.10.2025") is None


def test_timezone_setting() -> None:
    assert timezone(None) == ZoneInfo("Europe/Berlin")
    assert timezone("America/New_York") == ZoneInfo("America/New_York")
    for bad in ("Mars/Olympus", "../etc/passwd", "Europe"):
        with pytest.raises(ValueError, match="TIMEZONE"):
            timezone(bad)
