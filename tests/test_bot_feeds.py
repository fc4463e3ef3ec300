"""Feeds end to end: the bot long-polling a fake Bot API on 127.0.0.1, with a real Library, and
a news site on 127.0.0.1 (tests/conftest_news_site.py) serving an RSS 2.0 or Atom feed and its
articles. Subscribe; the first poll adds the backfill; a poll with no change is a conditional
request that adds nothing; a new entry is added and answerable; a failing feed backs off, is
paused and reported once; a restart resumes the schedule; strangers cannot subscribe on any path."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

import bot.feeds
from index.embedder import HashEmbedder
from index.feedstore import FeedStore
from index.library import Library, LibraryConfig
from tests.conftest_bot import ADMIN, STRANGER, StubLibrary, harness, polling_bot
from tests.conftest_news_site import (
    T0,
    TOPICS,
    Entry,
    NewsSite,
    news_site,  # noqa: F401 - the `site` fixture
)
from tests.fakes_telegram import FakeBotAPI, FakeBotAPIServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def api() -> Iterator[tuple[FakeBotAPI, str]]:
    fake = FakeBotAPI()
    with FakeBotAPIServer(fake) as server:
        yield fake, server.url


@pytest.fixture(autouse=True)
def quick_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The job looks for due feeds every 0.2 s instead of every minute."""
    monkeypatch.setattr(bot.feeds, "CHECK_EVERY", 0.2)
    monkeypatch.setattr(bot.feeds, "FIRST_CHECK", 0.1)


FEED_ENV = {
    "ALLOW_PRIVATE_URLS": "1",
    "FEED_BACKFILL": "2",
    "FEED_FAILURE_LIMIT": "2",
    "FEED_DIGEST": "1",
}


def _library(data: Path) -> Library:
    return Library(LibraryConfig(data, allow_private_urls=True), embedder=HashEmbedder())


@asynccontextmanager
async def running(api_url: str, data: Path) -> AsyncIterator[tuple[Application, Library]]:
    library = _library(data)
    try:
        async with polling_bot(api_url, library, **FEED_ENV) as app:
            yield app, library
    finally:
        library.close()


async def polled(fake: FakeBotAPI, data: Path) -> None:
    """Wait until the last poll is recorded (its next due time is in the future): a feed made
    due before that would be set back to the poll's schedule (the 304 is served before the poll
    writes its result), and the next poll never come."""
    await until(fake, lambda: _feed(data).next_due > datetime.now(UTC))


def make_due(data: Path) -> None:
    """Time passes: every feed that is not paused is due now."""
    with sqlite3.connect(data / "feeds.db") as conn:
        conn.execute(
            "UPDATE feeds SET next_due = ? WHERE paused = 0", ("2000-01-01T00:00:00+00:00",)
        )


def _feed(data: Path) -> Any:
    store = FeedStore(data / "feeds.db")
    try:
        return store.list()[0]
    finally:
        store.close()


async def until(fake: FakeBotAPI, predicate: Any) -> Any:
    """fake.wait_until with room for a loaded machine (adds run in worker threads)."""
    return await fake.wait_until(predicate, timeout=90)


def _texts(fake: FakeBotAPI) -> list[str]:
    return [m["text"] for m in fake.bot_messages(ADMIN)]


async def test_an_rss_feed_from_subscribe_to_pause(
    api: tuple[FakeBotAPI, str], site: NewsSite, tmp_path: Path
) -> None:
    fake, url = api
    data = tmp_path / "data"
    admin = fake.user(ADMIN)
    async with running(url, data) as (_, library):
        fake.send(admin, f"/subscribe {site.base}/rss.xml")
        [status] = await fake.replies(
            ADMIN, final=lambda m: not m["text"].startswith("⏳"), timeout=90
        )
        assert status["text"].startswith("✅ Subscribed #1: Coast Times")
        # The first poll (at once) adds the backfill: the 2 newest of 3 entries.
        await until(fake, lambda: library.stats().articles == 2)
        [digest] = await until(
            fake, lambda: [t for t in _texts(fake) if t.startswith("📰")] or None
        )
        assert "Library extended" in digest and "Bridge approved" in digest
        assert "Harbour reopens" not in digest and site.count("/news/story0.html") == 0
        # No change: a conditional request (ETag), answered 304; nothing added.
        await polled(fake, data)
        make_due(data)
        await until(fake, lambda: site.count("/rss.xml", 304) == 1)
        conditional = [h for p, h, s in site.requests if p == "/rss.xml" and s == 304]
        assert conditional[0]["if-none-match"].startswith('"')
        assert library.stats().articles == 2
        # A new entry: added, dated by the feed, and answerable.
        title, sentence = TOPICS[3]
        site.entries.append(Entry("story3", title, sentence, T0 + timedelta(days=1)))
        await polled(fake, data)
        make_due(data)
        await until(fake, lambda: library.stats().articles == 3)
        new = library.list(0, 1)[0]
        assert new.title == "Ferry timetable" and new.published == "2025-11-21"
        assert new.published_from == "feed"
        await until(fake, lambda: sum(t.startswith("📰") for t in _texts(fake)) == 2)
        fake.send(admin, "How often will the new ferry to Lundy run?")
        await until(fake, lambda: "every 90 minutes" in _texts(fake)[-1])
        assert "2025-11-21" in _texts(fake)[-1]  # the quote's date
        # A failing feed: backs off (twice the interval), is paused at 2 failures in a row and
        # its subscriber is told once.
        site.failing = True
        await polled(fake, data)
        make_due(data)
        await until(fake, lambda: _feed(data).failures == 1)
        wait = _feed(data).next_due - datetime.now(UTC)
        assert timedelta(minutes=50) < wait < timedelta(minutes=70), wait
        make_due(data)
        await until(fake, lambda: _feed(data).paused)
        [notice] = await until(fake, lambda: [t for t in _texts(fake) if t.startswith("⏸")] or None)
        assert "#1" in notice and "HTTP 500" in notice and "failed 2 times" in notice
        requests = len(site.requests)
        make_due(data)  # paused: never due
        fake.send(admin, "/feeds")
        await until(fake, lambda: "paused after 2 failures" in _texts(fake)[-1])
        listing = _texts(fake)[-1]
        assert "last error: the site answered HTTP 500" in listing and "3 articles added" in listing
        assert len(site.requests) == requests
        assert sum(t.startswith("⏸") for t in _texts(fake)) == 1
        # /subscribe again resumes it; /unsubscribe removes it.
        site.failing = False
        fake.send(admin, f"/subscribe {site.base}/rss.xml")
        await until(fake, lambda: _texts(fake)[-1].startswith("▶️ #1 was paused"))
        await until(fake, lambda: site.count("/rss.xml", 304) == 2)
        fake.send(admin, "/unsubscribe 1")
        await until(fake, lambda: _texts(fake)[-1] == "🗑 Unsubscribed #1: Coast Times")
    assert not fake.problems


async def test_an_atom_feed_survives_a_restart(
    api: tuple[FakeBotAPI, str], site: NewsSite, tmp_path: Path
) -> None:
    fake, url = api
    data = tmp_path / "data"
    admin = fake.user(ADMIN, language_code="de")
    async with running(url, data) as (_, library):
        fake.send(admin, f"/subscribe {site.base}/")  # the site's page names its Atom feed
        await until(fake, lambda: _texts(fake) and _texts(fake)[0].startswith("✅ Abonniert"))
        await until(fake, lambda: library.stats().articles == 2)
        assert {a.published_from for a in library.list()} == {"feed"}
    due = _feed(data).next_due
    assert due > datetime.now(UTC) + timedelta(minutes=25)  # the next poll, ± jitter
    fetched = site.count("/atom.xml")
    async with running(url, data) as (_, library):
        # Not due yet: the restarted bot waits, as the schedule says.
        for _ in range(5):
            await bot_ticks()
        assert site.count("/atom.xml") == fetched and _feed(data).next_due == due
        # Due: polled conditionally with the saved ETag, nothing added twice.
        make_due(data)
        await until(fake, lambda: site.count("/atom.xml", 304) == 1)
        title, sentence = TOPICS[4]
        site.entries.append(Entry("story4", title, sentence, T0 + timedelta(days=2)))
        await polled(fake, data)
        make_due(data)
        await until(fake, lambda: library.stats().articles == 3)
        assert library.list(0, 1)[0].title == "Museum record"
    assert site.count("/news/story0.html") == 0  # beyond the backfill, never fetched
    assert not fake.problems


async def bot_ticks() -> None:
    await asyncio.sleep(bot.feeds.CHECK_EVERY)


async def test_strangers_cannot_subscribe_on_any_path(site: NewsSite, tmp_path: Path) -> None:
    library = StubLibrary()
    async with harness(library, actions_per_minute=4) as chat:
        api = chat.api
        stranger, admin = api.user(STRANGER), api.user(ADMIN)
        feed = f"{site.base}/rss.xml"
        for command in (f"/subscribe {feed}", "/feeds", "/unsubscribe 1"):
            [refusal] = await chat.say(stranger, command)
            assert "only admins" in refusal["text"] and str(STRANGER) in refusal["text"]
        # A forwarded "/subscribe" is content (asked as a question), even from an admin.
        origin = {"type": "user", "sender_user": stranger, "date": 1761523200}
        await chat.say(admin, f"/subscribe {feed}", forward_origin=origin)
        assert library.asked == [(f"/subscribe {feed}", None)]
        # An edited /subscribe is never run; another bot's command gets no reaction.
        sent = api.send(admin, "hello")
        await chat.run(sent)
        before = len(api.bot_messages(ADMIN))
        await chat.run(api.edit(sent, f"/subscribe {feed}"))
        [edited] = api.bot_messages(ADMIN)[before:]
        assert edited["text"].startswith("Edited commands are not run again")
        assert await chat.say(admin, f"/subscribe@other_bot {feed}") == []
        assert await chat.say(stranger, f"/subscribe@other_bot {feed}") == []
        # Refusals are throttled: one notice, then silence.
        for _ in range(5):
            await chat.say(stranger, f"/subscribe {feed}")
        texts = [m["text"] for m in api.bot_messages(STRANGER)]
        assert texts.count("Too many requests. Please wait 60 s.") == 1
        assert len(texts) == 4 + 1
    assert site.requests == []  # nothing of theirs was fetched
    assert not (library.data_dir / "feeds.db").exists()
