"""index.feedpoll / feedstore: feeds served from 127.0.0.1 (tests/conftest_feeds.py), polled with
conditional requests, backfill, backoff, pause after N failures, a restart that resumes, an
entry whose article fails retried then given up, and unsubscribing."""

from __future__ import annotations

import random
import stat
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pytest

from index.errors import FetchError
from index.feedpoll import delay, poll, poll_due
from index.feeds import Entry, FeedResponse, Policy
from index.feedstore import FeedStore
from tests.conftest_feeds import (
    T0,
    Route,
    Site,
    feed_site,  # noqa: F401 - the `site` fixture
    feed_store,  # noqa: F401 - the `store` fixture
    fetch,
    rss,
)

POLICY = Policy(interval=timedelta(minutes=30), backfill=20, failure_limit=3, jitter=0.0)


def atom(base: str, items: list[int]) -> bytes:
    entries = "".join(
        f"<entry><title>Report {n}</title><link href='{base}/story/{n}'/><id>urn:story:{n}</id>"
        f"<updated>{(T0 - timedelta(hours=100 - n)).isoformat()}</updated></entry>"
        for n in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Test wire</title><id>urn:feed</id><updated>{T0.isoformat()}</updated>"
        f"{entries}</feed>"
    ).encode()


class Adder:
    """The injected add: records what it was asked to add; fails for URLs in `broken`."""

    def __init__(self) -> None:
        self.added: list[str] = []
        self.broken: set[str] = set()

    def __call__(self, entry: Entry) -> str:
        if entry.canonical in self.broken:
            raise FetchError("the article page answered HTTP 500")
        self.added.append(entry.canonical)
        return f"article for {entry.canonical}"


# -- polling --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_first_poll_backfills_then_conditional_then_only_new(
    kind: str, site: Site, store: FeedStore
) -> None:
    render = rss if kind == "rss" else atom
    route = Route(render(site.base, list(range(1, 26))), etag='"v1"')
    route.content_type = "application/rss+xml" if kind == "rss" else "application/atom+xml"
    site.routes["/feed"] = route
    feed, _ = store.add(site.base + "/feed", title=None, site_url=None, subscriber="a", now=T0)
    adder = Adder()

    first = poll(store, feed, fetch, adder, now=T0, policy=POLICY)
    assert first.status == "new" and len(first.added) == 20
    numbers = sorted(int(u.rsplit("/", 1)[1].split(".")[0]) for u in adder.added)
    assert numbers == list(range(6, 26))  # the 20 newest of 25

    feed = store.get(feed.id)
    assert feed.etag == '"v1"' and feed.next_due == T0 + timedelta(minutes=30)
    assert feed.title == ("Testfeed" if kind == "rss" else "Test wire")
    second = poll(store, feed, fetch, adder, now=T0 + timedelta(minutes=30), policy=POLICY)
    assert second.status == "not modified" and second.added == []
    assert site.requests[-1][1].get("if-none-match") == '"v1"'
    assert len(adder.added) == 20

    route.body, route.etag = render(site.base, list(range(1, 27))), '"v2"'  # one new entry
    third = poll(
        store, store.get(feed.id), fetch, adder, now=T0 + timedelta(hours=1), policy=POLICY
    )
    assert [e.canonical.rsplit("/", 1)[1] for e, _ in third.added] == [
        "26.html" if kind == "rss" else "26"
    ]  # the 5 left out of the backfill stay out
    assert store.get(feed.id).articles_added == 21


def test_entries_already_in_the_library_are_skipped_without_fetching(
    site: Site, store: FeedStore
) -> None:
    site.routes["/feed"] = Route(rss(site.base, [1, 2, 3]))
    feed, _ = store.add(site.base + "/feed", title=None, site_url=None, subscriber="a", now=T0)
    library = {f"{site.base}/artikel/2.html"}  # canonical URL, added earlier by /add
    adder = Adder()
    result = poll(store, feed, fetch, adder, now=T0, policy=POLICY, is_stored=library.__contains__)
    assert result.known == 1 and f"{site.base}/artikel/2.html" not in adder.added
    assert len(adder.added) == 2


def test_a_failing_feed_backs_off_pauses_and_reports_once(site: Site, store: FeedStore) -> None:
    site.routes["/feed"] = Route(b"", status=503)
    feed, _ = store.add(site.base + "/feed", title=None, site_url=None, subscriber="a", now=T0)
    adder, clock, waits, reports = Adder(), [T0], [], []
    for _ in range(5):
        now = clock[0]
        result = poll_due(store, fetch, adder, now=lambda: clock[0], policy=POLICY)
        if not result:
            break
        assert result[0].status == "failed" and "503" in (result[0].error or "")
        reports.append(result[0].paused_now)
        feed = store.get(feed.id)
        waits.append(feed.next_due - now)
        clock[0] = feed.next_due
    now = clock[0]
    assert waits == [timedelta(minutes=m) for m in (60, 120, 240)]  # doubled per failure
    assert reports == [False, False, True]  # paused at the 3rd failure, told once
    assert store.get(feed.id).paused and store.due(now + timedelta(days=30)) == []
    assert store.next_due() is None

    site.routes["/feed"] = Route(rss(site.base, [1]))  # fixed; an admin resumes it
    assert store.resume(feed.id, now)
    (result,) = poll_due(store, fetch, adder, now=lambda: now, policy=POLICY)
    assert result.status == "new" and store.get(feed.id).failures == 0


def test_backoff_is_capped_and_jittered() -> None:
    policy = Policy(interval=timedelta(minutes=30), max_backoff=timedelta(hours=24), jitter=0.1)
    rng = random.Random(1)
    for failures in range(40):
        wait = delay(policy, failures, rng)
        base = (
            timedelta(minutes=30) * 2 ** min(failures, 6) if failures < 6 else timedelta(hours=24)
        )
        assert base * 0.9 <= wait <= base * 1.1


def test_a_restart_resumes_from_the_saved_state(site: Site, tmp_path: Path) -> None:
    route = Route(rss(site.base, [1, 2, 3]), etag='"abc"', last_modified="Fri, 28 Nov 2025")
    site.routes["/feed"] = route
    path = tmp_path / "feeds.db"
    first = FeedStore(path)
    feed, _ = first.add(site.base + "/feed", title=None, site_url=None, subscriber="a", now=T0)
    poll(store=first, feed=feed, fetch=fetch, add=Adder(), now=T0, policy=POLICY)
    first.close()

    again = FeedStore(path)  # the bot restarted
    assert again.due(T0 + timedelta(minutes=29)) == []
    assert again.next_due() == T0 + timedelta(minutes=30)
    (feed,) = again.due(T0 + timedelta(minutes=30))
    adder = Adder()
    route.etag = '"abc2"'  # changed: the server sends it all again, nothing in it is new
    result = poll(again, feed, fetch, adder, now=T0 + timedelta(minutes=30), policy=POLICY)
    headers = site.requests[-1][1]
    assert (
        headers["if-none-match"] == '"abc"' and headers["if-modified-since"] == "Fri, 28 Nov 2025"
    )
    assert result.status == "new" and adder.added == []
    again.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_entry_whose_article_fails_is_retried_then_given_up(
    site: Site, store: FeedStore
) -> None:
    site.routes["/feed"] = Route(rss(site.base, [1, 2]))
    feed, _ = store.add(site.base + "/feed", title=None, site_url=None, subscriber="a", now=T0)
    adder = Adder()
    adder.broken.add(f"{site.base}/artikel/1.html")
    tries = []
    for n in range(5):
        result = poll(
            store, store.get(feed.id), fetch, adder, now=T0 + n * timedelta(hours=1), policy=POLICY
        )
        tries.append(len(result.failed))
    assert tries == [1, 1, 1, 0, 0]  # Policy.entry_attempts = 3
    assert adder.added == [f"{site.base}/artikel/2.html"]
    assert result.status == "new" and store.get(feed.id).failures == 0


def test_an_unreachable_feed_and_a_broken_fetcher_count_as_failures(store: FeedStore) -> None:
    feed, _ = store.add(
        "http://127.0.0.1:9/feed", title=None, site_url=None, subscriber="a", now=T0
    )
    result = poll(store, feed, fetch, Adder(), now=T0, policy=POLICY)
    assert result.status == "failed" and "could not fetch" in (result.error or "")

    def broken(url: str, headers: Mapping[str, str]) -> FeedResponse:
        raise RuntimeError("bug")

    result = poll(store, store.get(feed.id), broken, Adder(), now=T0, policy=POLICY)
    assert result.error == "unexpected error (RuntimeError)"
    assert store.get(feed.id).failures == 2


def test_unsubscribe_forgets_the_feed_and_its_entries(site: Site, store: FeedStore) -> None:
    site.routes["/feed"] = Route(rss(site.base, [1]))
    feed, _ = store.add(site.base + "/feed", title=None, site_url=None, subscriber="a", now=T0)
    poll(store, feed, fetch, Adder(), now=T0, policy=POLICY)
    assert store.remove(feed.id) and not store.remove(feed.id)
    assert (
        store.get(feed.id) is None and store.entries(feed.id, [f"{site.base}/artikel/1.html"]) == {}
    )
