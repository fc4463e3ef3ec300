"""Polling one feed: a conditional GET, the new entries added, the schedule and backoff kept.

`poll_due(store, fetch, add, now=...)` is one pass over the feeds that are due (`articlebot
feeds poll`, or the bot's JobQueue job); `poll(...)` polls one feed. Every outcome is written to
the FeedStore before poll returns, so a restart resumes where the last poll left off.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from .errors import ArticleBotError
from .feeds import Entry, FeedError, FeedResponse, Fetch, Policy, PollResult, parse_feed
from .feedstore import Feed, FeedStore

logger = logging.getLogger(__name__)
Add = Callable[[Entry], object]
IsStored = Callable[[str], bool]  # canonical URL -> already in the library


def delay(policy: Policy, failures: int, rng: random.Random) -> timedelta:
    """The wait before the next poll: the interval, doubled per consecutive failure up to
    max_backoff, +-jitter."""
    cap = max(policy.max_backoff, policy.interval).total_seconds()
    seconds = min(policy.interval.total_seconds() * 2 ** min(failures, 60), cap)
    return timedelta(seconds=seconds * (1 + rng.uniform(-policy.jitter, policy.jitter)))


def poll_due(
    store: FeedStore,
    fetch: Fetch,
    add: Add,
    *,
    now: Callable[[], datetime],
    policy: Policy | None = None,
    is_stored: IsStored | None = None,
    rng: random.Random | None = None,
) -> list[PollResult]:
    """Poll every feed that is due, most overdue first."""
    policy = policy or Policy()
    rng = rng or random.Random()
    return [
        poll(store, feed, fetch, add, now=now(), policy=policy, is_stored=is_stored, rng=rng)
        for feed in store.due(now())
    ]


def poll(
    store: FeedStore,
    feed: Feed,
    fetch: Fetch,
    add: Add,
    *,
    now: datetime,
    policy: Policy | None = None,
    is_stored: IsStored | None = None,
    rng: random.Random | None = None,
) -> PollResult:
    """Fetch `feed` (conditionally), add its new entries, record the outcome and next poll."""
    policy = policy or Policy()
    rng = rng or random.Random()
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        response = fetch(feed.url, headers)
        if response.status == 304:
            store.record_success(
                feed.id, now=now, next_due=now + delay(policy, 0, rng), not_modified=True
            )
            return PollResult(feed, "not modified")
        if response.status != 200:
            raise FeedError(f"HTTP {response.status}")
        parsed = parse_feed(response.body, response.url, response.headers.get("content-type"))
    except ArticleBotError as exc:
        return _failed(store, feed, str(exc), now, policy, rng)
    except Exception as exc:  # an injected fetcher's bug must not stop the other feeds
        logger.warning("feed %s: %s", feed.id, type(exc).__name__, exc_info=True)
        return _failed(store, feed, f"unexpected error ({type(exc).__name__})", now, policy, rng)
    result = PollResult(feed, "new")
    pending = _add_entries(store, feed, parsed.entries, add, result, now, policy, is_stored)
    # While entries wait (over max_new) or are to be retried, no validators are kept: the next
    # poll must get the document again, not a 304 that would hold them until the feed changes.
    store.record_success(
        feed.id,
        now=now,
        next_due=now + delay(policy, 0, rng),
        etag=None if pending else _header(response, "etag"),
        last_modified=None if pending else _header(response, "last-modified"),
        title=parsed.title,
        added=len(result.added),
    )
    return result


def _header(response: FeedResponse, name: str) -> str | None:
    """A validator to send back next time; None for one that could not be sent (not ASCII)."""
    value = response.headers.get(name)
    return value[:500] if value and value.isascii() and value.isprintable() else None


def _failed(
    store: FeedStore, feed: Feed, error: str, now: datetime, policy: Policy, rng: random.Random
) -> PollResult:
    wait = delay(policy, feed.failures + 1, rng)
    failures, paused = store.record_failure(
        feed.id, now=now, error=error, next_due=now + wait, limit=policy.failure_limit
    )
    logger.info("feed %s failed (%d in a row): %s", feed.id, failures, error)
    return PollResult(feed, "failed", error=error, paused_now=paused)


def _add_entries(
    store: FeedStore,
    feed: Feed,
    entries: list[Entry],
    add: Add,
    result: PollResult,
    now: datetime,
    policy: Policy,
    is_stored: IsStored | None,
) -> int:
    """Add the entries not seen before (the first poll: only the newest `backfill`); the number
    left for a later poll (over `max_new`, or failed with attempts left)."""
    seen = store.entries(feed.id, [e.canonical for e in entries])
    fresh = [
        e
        for e in entries
        if e.canonical not in seen
        or seen[e.canonical][0] == "failed"
        and seen[e.canonical][1] < policy.entry_attempts
    ]
    if feed.last_success is None:  # first poll: the rest are remembered, never added
        for entry in fresh[policy.backfill :]:
            store.mark(feed.id, entry.canonical, "skipped", now=now)
        fresh = fresh[: policy.backfill]
    pending = max(len(fresh) - policy.max_new, 0)
    started = time.monotonic()
    for tried, entry in enumerate(fresh[: policy.max_new]):
        if tried and time.monotonic() - started >= policy.entry_seconds:
            pending += min(len(fresh), policy.max_new) - tried  # the next poll goes on
            break
        if is_stored is not None and is_stored(entry.canonical):
            store.mark(feed.id, entry.canonical, "known", now=now)
            result.known += 1
            continue
        try:
            outcome = add(entry)
        except ArticleBotError as exc:
            _entry_failed(store, feed, entry, str(exc), result, now)
        except Exception as exc:  # one broken article must not stop the feed
            logger.warning("feed %s entry: %s", feed.id, type(exc).__name__, exc_info=True)
            _entry_failed(
                store, feed, entry, f"unexpected error ({type(exc).__name__})", result, now
            )
        else:
            store.mark(feed.id, entry.canonical, "added", now=now)
            result.added.append((entry, outcome))
            continue
        attempts = seen[entry.canonical][1] + 1 if entry.canonical in seen else 1
        pending += attempts < policy.entry_attempts
    return pending


def _entry_failed(
    store: FeedStore, feed: Feed, entry: Entry, why: str, result: PollResult, now: datetime
) -> None:
    store.mark(feed.id, entry.canonical, "failed", now=now, error=why[:500])
    result.failed.append((entry, why))
