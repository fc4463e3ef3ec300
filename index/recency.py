"""Recency: each article's publication date (and where it came from), and the order in which
answering articles are preferred: the newest of those that answer about equally well, only
those of the range a question names ("gestern", "im März", "last week"; index.timeexpr)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import Article
from .timeexpr import TimeQuery

T = TypeVar("T")
Provenance = Literal["feed", "page", "added"]
EARLIEST = date(1995, 1, 1)  # htmldate's own lower bound: earlier "dates" are noise
DEFAULT_TIMEZONE = "Europe/Berlin"


@dataclass(frozen=True)
class Published:
    date: str  # ISO "YYYY-MM-DD", the day in the bot's time zone
    provenance: Provenance  # "added": no date was found, this is when the library got it

    @property
    def day(self) -> date:
        return date.fromisoformat(self.date)


def timezone(name: str | None) -> ZoneInfo:
    """The TIMEZONE setting as a zone (default Europe/Berlin); ValueError naming the bad value."""
    name = (name or "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory
        raise ValueError(f"TIMEZONE={name!r} is not a time zone such as Europe/Berlin") from None


def parse_day(value: object, tz: tzinfo | None = None) -> date | None:
    """A day from a stored "YYYY-MM-DD[...]" string, an aware/naive datetime (aware ones are
    taken in `tz`), a feedparser struct_time (UTC) or a date; None for anything else."""
    try:
        if isinstance(value, time.struct_time):
            value = datetime(*value[:6], tzinfo=UTC)
        if isinstance(value, datetime):
            if value.tzinfo is not None and tz is not None:
                value = value.astimezone(tz)
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and len(value) > 10 and value[10] in "T ":
            # A moment with its offset ("2025-11-01T23:30:00+00:00", a forwarded post's):
            # the day it was in `tz`.
            try:
                return parse_day(datetime.fromisoformat(value), tz)
            except ValueError:
                pass
        if isinstance(value, str) and len(value) >= 10:
            return date.fromisoformat(value[:10])
    except (ValueError, OverflowError, TypeError):
        return None
    return None


def published(article: Article) -> date | None:
    """The article's publication day (the day it was added, when no other was found)."""
    return parse_day(article.published) or parse_day(article.added_at)


def publication_date(
    *,
    added_at: datetime,
    tz: tzinfo,
    page: str | None = None,
    feed: object = None,
    now: datetime | None = None,
) -> Published:
    """The article's date and its provenance: the feed entry's date, else the page's metadata
    (trafilatura/htmldate, index.extract's `published`), else the day it was added.

    The feed's date comes first: it is the publisher's own timestamp for this item, with a time
    of day (so the day is right in `tz`), where the page's is htmldate's reading of the page
    (which may be an "updated" or a copyright date). A date after tomorrow or before 1995 is
    taken as an error in the source and skipped."""
    now = now or datetime.now(tz)
    latest = now.astimezone(tz).date() + timedelta(days=1)
    for value, provenance in ((feed, "feed"), (page, "page")):
        day = parse_day(value, tz)
        if day is not None and EARLIEST <= day <= latest:
            return Published(day.isoformat(), provenance)  # type: ignore[arg-type]
    added = added_at.astimezone(tz).date() if added_at.tzinfo else added_at.date()
    return Published(added.isoformat(), "added")


def rank(
    items: Sequence[T],
    query: TimeQuery,
    *,
    published: Callable[[T], date | None],
    score: Callable[[T], float],
    tolerance: float = 0.1,
    latest_tolerance: float | None = None,
) -> list[T]:
    """`items` (candidate answers) in the order to prefer them.

    A question whose range restricts (TimeQuery.restricts) keeps only the items published in
    it (an empty list: none is from then; items without a date are dropped). Of the rest, those
    scoring within `tolerance` of the best answer about equally well: they go first, those
    published in a preferred range (a year, a month, a day the question names) before the
    others, each newest first. A question asking for the latest ("neueste", "latest",
    "aktuell") widens the band to `latest_tolerance` (None: every item). The others follow by
    score. Stable: equal keys keep the caller's order."""
    kept = [item for item in items if query.covers(published(item))]
    by_score = sorted(kept, key=score, reverse=True)
    if not by_score:
        return []
    best = score(by_score[0])
    width = latest_tolerance if query.newest else tolerance
    cut = len(by_score)
    if width is not None:
        cut = next((n for n, item in enumerate(by_score) if score(item) < best - width), cut)

    def key(item: T) -> tuple[bool, date, float]:
        day = published(item)
        return query.within(day), day or date.min, score(item)

    return sorted(by_score[:cut], key=key, reverse=True) + by_score[cut:]
