"""The feed tests' site on 127.0.0.1 (test_feeds*.py): it serves the routes a test gives it
(a feed, a page, an error status; 304 for a known ETag) and records every request; the `site` and
`store` fixtures, a plain conditional GET and an RSS feed of numbered entries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from index.errors import FetchError
from index.feeds import FeedResponse
from index.feedstore import FeedStore
from tests.loopback import QuietHandler, base_url, serving

T0 = datetime(2025, 11, 28, 10, 0, tzinfo=UTC)


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Site:
    """What the test server serves, and the requests it saw."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""


@pytest.fixture(name="site")
def feed_site() -> Iterator[Site]:
    state = Site()

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            state.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.status != 200:
                self.send_error(route.status)
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.end_headers()
                return
            headers = {"ETag": route.etag, "Last-Modified": route.last_modified}
            self.send_body(
                route.body, route.content_type, headers={k: v for k, v in headers.items() if v}
            )

    with serving(Handler) as server:
        state.base = base_url(server)
        yield state


def fetch(url: str, headers: Mapping[str, str]) -> FeedResponse:
    """A plain conditional GET (the bot passes the library's guarded fetcher instead)."""
    try:
        with httpx.Client(timeout=5, follow_redirects=True) as client:
            r = client.get(url, headers=dict(headers))
    except httpx.HTTPError as exc:
        raise FetchError(f"could not fetch the feed: {type(exc).__name__}") from None
    return FeedResponse(
        r.status_code, r.content, {k.lower(): v for k, v in r.headers.items()}, str(r.url)
    )


def rss(base: str, items: list[int]) -> bytes:
    entries = "".join(
        f"<item><title>Meldung {n}</title><link>{base}/artikel/{n}.html?utm_source=rss</link>"
        f"<pubDate>{format_datetime(T0 - timedelta(hours=100 - n))}</pubDate></item>"
        for n in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Testfeed</title>'
        f"<link>{base}/</link>{entries}</channel></rss>"
    ).encode()


@pytest.fixture(name="store")
def feed_store(tmp_path: Path) -> Iterator[FeedStore]:
    feeds = FeedStore(tmp_path / "feeds.db")
    yield feeds
    feeds.close()
