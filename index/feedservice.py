"""One library's feed subscriptions, as the bot and `articlebot feeds` use them: the FeedStore in
DATA_DIR/feeds.db, fetching through the library's SSRF-safe fetcher and settings, new entries
added through the library's normal add path (`Library.add_url`: extraction, duplicates, agency
copies, language, index) with the entry's date as the publication date.

One polling pass at a time per data dir, across processes (`feeds.lock`): a pass that finds
another running is skipped, not queued; the feeds it would have polled are still due next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .errors import LockBusy, NotFound
from .feedfetch import fetch_feed
from .feedpoll import poll_due
from .feeds import Entry, FeedResponse, Policy, PollResult, subscribe
from .feedstore import Feed, FeedStore
from .locking import write_lock
from .models import AddResult

if TYPE_CHECKING:
    from .library import Library

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedSettings:
    """FEED_INTERVAL_MINUTES, FEED_BACKFILL, FEED_FAILURE_LIMIT, FEED_DIGEST (read in the entry
    points: bot/settings.py, index/cli_feeds.py)."""

    interval_minutes: int = 30
    backfill: int = 20
    failure_limit: int = 5
    digest: bool = False

    def policy(self) -> Policy:
        return Policy(
            interval=timedelta(minutes=max(1, self.interval_minutes)),
            backfill=self.backfill,
            failure_limit=max(1, self.failure_limit),
        )


class FeedService:
    def __init__(self, library: Library, settings: FeedSettings | None = None) -> None:
        self.library = library
        self.settings = settings or FeedSettings()
        self.path = library.data_dir / "feeds.db"
        self._store: FeedStore | None = None

    @property
    def exists(self) -> bool:
        """Whether any feed was ever subscribed here (the file is made on the first)."""
        return self._store is not None or self.path.exists()

    @property
    def store(self) -> FeedStore:
        if self._store is None:
            self._store = FeedStore(self.path)
        return self._store

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> FeedResponse:
        config = self.library.config
        return fetch_feed(
            url,
            headers,
            allow_private=config.allow_private_urls,
            max_bytes=config.fetch_max_bytes,
            timeout=config.fetch_timeout,
            ports=config.url_ports,
        )

    def subscribe(self, url: str, subscriber: str | None) -> tuple[Feed, bool]:
        """(feed, created); a paused feed subscribed again is resumed (due at once)."""
        feed, created = subscribe(
            self.store, url.strip(), self.fetch, subscriber=subscriber, now=_now()
        )
        if feed.paused:
            self.store.resume(feed.id, _now())
            feed = self.store.get(feed.id) or feed
        return feed, created

    def feeds(self) -> list[Feed]:
        return self.store.list() if self.exists else []

    def remove(self, feed_id: int) -> Feed:
        feed = self.store.get(feed_id) if self.exists else None
        if feed is None or not self.store.remove(feed_id):
            raise NotFound(f"there is no feed with id {feed_id}")
        return feed

    def due(self) -> bool:
        """Whether some feed is due now (cheap: one query; False before the first feed)."""
        if not self.exists:
            return False
        due = self.store.next_due()
        return due is not None and due <= _now()

    def poll(self, stopping: Callable[[], bool] | None = None) -> list[PollResult] | None:
        """One pass over the feeds that are due; None when another pass is running (here or in
        another process). `stopping`: asked before each new article; when it says so (the bot
        is shutting down) the pass ends after the article in hand, and the feed, not recorded
        as polled, is polled again at the next start (the articles added are not)."""
        if not self.exists:
            return []

        def add(entry: Entry) -> AddResult:
            if stopping is not None and stopping():
                raise _Stopped
            return self.library.add_url(entry.url, added_by="feed", feed_date=entry.published)

        try:
            with write_lock(self.library.data_dir / "feeds.lock", timeout=0):
                return poll_due(
                    self.store,
                    self.fetch,
                    add,
                    now=_now,
                    policy=self.settings.policy(),
                    is_stored=self._is_stored,
                )
        except LockBusy:
            logger.info("a feed pass is already running; this one is skipped")
            return None
        except _Stopped:
            logger.info("the feed pass stopped for the shutdown; it goes on at the next start")
            return []

    def _is_stored(self, canonical: str) -> bool:
        return self.library.backend.find_duplicate(canonical, "") is not None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


class _Stopped(BaseException):
    """Ends a pass between two articles (a BaseException: feedpoll counts every Exception
    from adding as that article's failure)."""


def _now() -> datetime:
    return datetime.now(UTC)
