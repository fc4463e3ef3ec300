"""RSS 2.0 / Atom feeds: parse (feedparser), find a site's feed, subscribe, and poll.

Fetching and adding are injected, so this module does no I/O of its own but its state file:
`fetch(url, headers) -> FeedResponse` does a (conditional) GET; the bot and the CLI pass the
library's SSRF-safe fetcher with its byte caps and deadlines. `add(entry)` adds one entry's
article through the library's normal add path (extraction, duplicates, language, index).
"""

from __future__ import annotations

import calendar
import io
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree

from .errors import FeedError
from .feedstore import Feed, FeedStore
from .sources import canonical_url

logger = logging.getLogger(__name__)
MAX_ENTRIES = 500  # entries kept from one feed document (the newest); more is not a news feed
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


@dataclass(frozen=True)
class FeedResponse:
    status: int
    body: bytes
    headers: Mapping[str, str]  # lower-case names
    url: str  # after redirects


Fetch = Callable[[str, Mapping[str, str]], FeedResponse]


@dataclass(frozen=True)
class Entry:
    url: str  # as listed (absolute)
    canonical: str  # index.sources.canonical_url: the key entries are remembered by
    title: str | None
    published: time.struct_time | None  # UTC (feedparser): recency.publication_date(feed=...)


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    entries: list[Entry]


@dataclass(frozen=True)
class Policy:
    """How feeds are polled; the settings FEED_INTERVAL_MINUTES, FEED_BACKFILL, ... fill it."""

    interval: timedelta = timedelta(minutes=30)
    backfill: int = 20  # entries the first poll takes (the newest)
    failure_limit: int = 5  # consecutive failures that pause a feed
    max_backoff: timedelta = timedelta(hours=24)
    jitter: float = 0.1  # +-10% on every delay, so feeds added together spread out
    max_new: int = 50  # entries added per poll at most; the rest wait for the next poll
    entry_attempts: int = 3  # an entry whose article failed is tried this often in all
    # Seconds a poll spends adding one feed's entries; the rest wait for its next poll (one at
    # least is tried each time). A feed whose pages each take the 30 s extraction limit would
    # otherwise hold up every other feed for max_new of them (about 25 minutes).
    entry_seconds: float = 300.0


@dataclass
class PollResult:
    feed: Feed
    status: str  # "new" (200), "not modified" (304), "failed"
    added: list[tuple[Entry, object]] = field(default_factory=list)  # (entry, add's result)
    failed: list[tuple[Entry, str]] = field(default_factory=list)  # (entry, why)
    known: int = 0  # entries skipped without fetching: already in the library
    error: str | None = None  # why the feed itself failed
    paused_now: bool = False  # this failure paused the feed: tell its subscribers (once)


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """A feed document's title, site and entries (newest first where dated); FeedError if the
    document is no feed. Relative links are resolved against `url`; only http(s) links kept."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never a string: feedparser fetches strings that look like URLs itself.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("this is not an RSS or Atom feed")
    entries, seen = [], set()
    for raw in parsed.entries:  # all of them (the fetch's byte cap bounds the document)
        entry = _entry(raw, url)
        if entry is not None and entry.canonical not in seen:
            seen.add(entry.canonical)
            entries.append(entry)
    # Newest first (undated ones keep their feed order after the dated): the backfill takes
    # the first FEED_BACKFILL. sorted() is stable. Cut only then: an archive listed oldest
    # first keeps its newest entries.
    entries.sort(key=lambda e: calendar.timegm(e.published) if e.published else -1, reverse=True)
    del entries[MAX_ENTRIES:]
    info = parsed.get("feed", {})
    return ParsedFeed(_text(info.get("title")), _http(info.get("link"), url), entries)


def _entry(raw: Mapping, base: str) -> Entry | None:
    url = _http(raw.get("link"), base) or _http(raw.get("id"), base)
    canonical = canonical_url(url) if url else None
    if not url or not canonical:
        return None
    published = raw.get("published_parsed") or raw.get("updated_parsed")
    return Entry(url, canonical, _text(raw.get("title")), published)


def _http(value: object, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    url = urljoin(base, value.strip())
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _text(value: object) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text[:300] or None


def discover(html: bytes | str, base_url: str) -> list[str]:
    """The feeds a page advertises with <link rel="alternate" type="application/rss+xml"> (or
    atom+xml), absolute, in page order."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, etree.ParserError):
        return []
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = _http(link.get("href"), base_url)
        if "alternate" in rel and kind in FEED_TYPES and href and href not in found:
            found.append(href)
    return found


def subscribe(
    store: FeedStore, url: str, fetch: Fetch, *, subscriber: str | None, now: datetime
) -> tuple[Feed, bool]:
    """Subscribe to a feed URL, or to the feed a site's page advertises; (feed, created).
    FeedError when neither; the fetcher's errors (RefusedURL, FetchError) pass through."""
    response = fetch(url, {})
    if response.status != 200:
        raise FeedError(f"the server answered HTTP {response.status}")
    try:
        parsed = parse_feed(response.body, response.url, response.headers.get("content-type"))
        feed_url = response.url
    except FeedError:
        candidates = discover(response.body, response.url)
        if not candidates:
            raise FeedError("this is not a feed, and the page names no RSS or Atom feed") from None
        feed_url = candidates[0]
        response = fetch(feed_url, {})
        if response.status != 200:
            raise FeedError(f"the page's feed answered HTTP {response.status}") from None
        parsed = parse_feed(response.body, response.url, response.headers.get("content-type"))
        feed_url = response.url
    return store.add(
        feed_url,
        title=parsed.title,
        site_url=parsed.site_url,
        subscriber=subscriber,
        now=now,
    )
