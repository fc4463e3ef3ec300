"""Feed edge cases: entries left for a later poll while the server answers 304, long feeds
listed oldest first, and a server whose ETag is not ASCII."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial
from pathlib import Path

import pytest

from index.errors import FetchError
from index.feedfetch import fetch_feed
from index.feedpoll import Add, poll
from index.feeds import Entry, FeedResponse, Fetch, Policy, parse_feed
from index.feedstore import FeedStore
from tests.loopback import QuietHandler, base_url, serving

T0 = datetime(2025, 11, 28, 10, 0, tzinfo=UTC)
BASE = "https://news.example"
HOUR = timedelta(hours=1)


def rss(items: range | list[int]) -> bytes:
    """Items in document order; item n is n hours newer than item 0."""
    entries = "".join(
        f"<item><title>Meldung {n}</title><link>{BASE}/artikel/{n}</link>"
        f"<pubDate>{format_datetime(T0 - timedelta(hours=10_000 - n))}</pubDate></item>"
        for n in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Testfeed</title>'
        f"<link>{BASE}/</link>{entries}</channel></rss>"
    ).encode()


class Server:
    """A feed that does not change, with an ETag: 304 to a request that sends it back."""

    def __init__(self, body: bytes) -> None:
        self.body, self.etag = body, '"v1"'
        self.statuses: list[int] = []

    def fetch(self, url: str, headers: Mapping[str, str]) -> FeedResponse:
        if headers.get("If-None-Match") == self.etag:
            self.statuses.append(304)
            return FeedResponse(304, b"", {}, url)
        self.statuses.append(200)
        found = {"etag": self.etag, "content-type": "application/rss+xml"}
        return FeedResponse(200, self.body, found, url)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedStore]:
    feeds = FeedStore(tmp_path / "feeds.db")
    yield feeds
    feeds.close()


def poll_times(
    store: FeedStore, feed_id: int, fetch: Fetch, add: Add, policy: Policy, times: int
) -> None:
    """Poll the feed `times` times, an hour apart."""
    for n in range(times):
        poll(store, store.get(feed_id), fetch, add, now=T0 + n * HOUR, policy=policy)


def test_entries_over_max_new_are_added_by_the_next_poll_of_an_unchanged_feed(
    store: FeedStore,
) -> None:
    """With FEED_BACKFILL=100 and at most 50 new entries a poll, the 50 left over are added by
    the next poll, even though the feed did not change; then polls are conditional again."""
    feed, _ = store.add(f"{BASE}/feed", title=None, site_url=None, subscriber="a", now=T0)
    server = Server(rss(range(1, 101)))
    added: list[str] = []
    policy = Policy(backfill=100, max_new=50, jitter=0.0)

    poll_times(store, feed.id, server.fetch, lambda e: added.append(e.url), policy, 3)

    assert len(added) == 100 and len(set(added)) == 100
    assert server.statuses == [200, 200, 304]  # the ETag is kept once nothing waits
    assert store.get(feed.id).etag == '"v1"'


def test_a_poll_spends_at_most_entry_seconds_on_one_feed_and_the_next_goes_on(
    store: FeedStore,
) -> None:
    """Articles that each take long (a hostile site's pages stopped at the extraction limit)
    do not hold up the other feeds: past `entry_seconds` the rest wait for the next poll,
    one entry at least being tried each time, and none is lost."""
    feed, _ = store.add(f"{BASE}/feed", title=None, site_url=None, subscriber="a", now=T0)
    server = Server(rss(range(1, 7)))
    added: list[str] = []

    def slow(entry: Entry) -> None:
        time.sleep(0.05)
        added.append(entry.url)

    policy = Policy(backfill=10, jitter=0.0, entry_seconds=0.08)
    poll_times(store, feed.id, server.fetch, slow, policy, 1)
    assert 1 <= len(added) <= 2  # two sleeps outlast the budget: no third started
    poll_times(store, feed.id, server.fetch, slow, policy, 6)
    assert sorted(added) == sorted(f"{BASE}/artikel/{n}" for n in range(1, 7))
    assert server.statuses[:3] == [200, 200, 200]  # the document again while entries wait


def test_an_entry_whose_article_failed_is_retried_while_the_feed_is_unchanged(
    store: FeedStore,
) -> None:
    """An article that failed to load (a timeout) is tried again by the next polls, up to
    entry_attempts, even though the feed answers with the same ETag; then 304s come back."""
    feed, _ = store.add(f"{BASE}/feed", title=None, site_url=None, subscriber="a", now=T0)
    server = Server(rss([1, 2]))
    tried: list[str] = []

    def add(entry: Entry) -> None:
        tried.append(entry.url)
        if entry.url.endswith("/2"):
            raise FetchError("the page did not load within 20 seconds")

    poll_times(store, feed.id, server.fetch, add, Policy(entry_attempts=3, jitter=0.0), 5)

    assert tried.count(f"{BASE}/artikel/2") == 3 and tried.count(f"{BASE}/artikel/1") == 1
    assert server.statuses == [200, 200, 200, 304, 304]


def test_a_failed_entry_that_loads_on_retry_is_added(store: FeedStore) -> None:
    """A transient failure: the second try adds the article, and the feed is conditional again."""
    feed, _ = store.add(f"{BASE}/feed", title=None, site_url=None, subscriber="a", now=T0)
    server = Server(rss([1, 2]))
    added: list[str] = []
    failures = iter([True])

    def add(entry: Entry) -> None:
        if next(failures, False):
            raise FetchError("the page did not load within 20 seconds")
        added.append(entry.url)

    poll_times(store, feed.id, server.fetch, add, Policy(jitter=0.0), 3)

    assert sorted(added) == [f"{BASE}/artikel/1", f"{BASE}/artikel/2"]
    assert server.statuses == [200, 200, 304]


def test_a_long_feed_listed_oldest_first_keeps_its_newest_entries() -> None:
    """An archive-style feed of 800 entries, oldest first: the newest 500 are the ones read,
    newest first, not the oldest 500 the document starts with."""
    parsed = parse_feed(rss(range(1, 801)), f"{BASE}/feed")

    numbers = [int(e.url.rsplit("/", 1)[1]) for e in parsed.entries]
    assert numbers == list(range(800, 300, -1))


# -- a server whose ETag is not ASCII (obs-text, legal in HTTP) ----------------------------

FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><link>http://x/</link>'
    b"<item><title>A</title><link>http://news.example/a</link></item></channel></rss>"
)


@pytest.fixture
def cafe_site() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A feed served with `ETag: W/"café-1"` as raw UTF-8 bytes; the requests' headers seen."""
    seen: list[dict[str, str]] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(FEED)))
            self._headers_buffer.append('ETag: W/"café-1"\r\n'.encode())  # type: ignore[attr-defined]
            self.end_headers()
            self.wfile.write(FEED)

    with serving(Handler) as server:
        yield f"{base_url(server)}/feed.xml", seen


def test_a_feed_with_a_non_ascii_etag_keeps_being_polled(
    cafe_site: tuple[str, list[dict[str, str]]], store: FeedStore
) -> None:
    """A server that sends a non-ASCII ETag does not break its feed: every poll works (as an
    unconditional GET), the feed is never counted as failing or paused."""
    url, seen = cafe_site
    feed, _ = store.add(url, title=None, site_url=None, subscriber="a", now=T0)
    fetch = partial(fetch_feed, allow_private=True)
    policy = Policy(failure_limit=2, jitter=0.0)

    results = [
        poll(store, store.get(feed.id), fetch, lambda e: None, now=T0 + n * HOUR, policy=policy)
        for n in range(3)
    ]

    assert [(r.status, r.error) for r in results] == [("new", None)] * 3
    assert len(seen) == 3 and not any("if-none-match" in h for h in seen)
    after = store.get(feed.id)
    assert after.etag is None and after.failures == 0 and not after.paused


def test_a_stored_non_ascii_etag_is_not_sent(
    cafe_site: tuple[str, list[dict[str, str]]], store: FeedStore
) -> None:
    """A feed whose saved state already holds a non-ASCII ETag (and Last-Modified) is fetched
    without them rather than failing at every poll until it is paused."""
    url, seen = cafe_site
    feed, _ = store.add(url, title=None, site_url=None, subscriber="a", now=T0)
    store.record_success(
        feed.id, now=T0, next_due=T0, etag='W/"café-1"', last_modified="Fri, 28 Növ 2025"
    )
    fetch = partial(fetch_feed, allow_private=True)

    result = poll(store, store.get(feed.id), fetch, lambda e: None, now=T0 + HOUR)

    assert (result.status, result.error) == ("new", None)
    assert not any(k in seen[0] for k in ("if-none-match", "if-modified-since"))
