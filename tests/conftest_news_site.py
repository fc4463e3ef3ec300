"""A news site on 127.0.0.1 for the feed tests of the bot and the command line
(test_bot_feeds.py, test_cli_feeds.py): /rss.xml or /atom.xml listing its entries, a page for
each, a home page naming the Atom feed, 304 for a feed's current ETag, feeds that fail on demand,
and every request recorded; the `site` fixture serves the first three of TOPICS."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.loopback import QuietHandler, base_url, serving

T0 = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
TOPICS = [
    (
        "Harbour reopens",
        "The harbour of Westport reopened after repairs that cost 12 million euros.",
    ),
    ("Bridge approved", "The council approved a bridge over the Elm river for 40 million euros."),
    ("Library extended", "The town library will open on Sundays from March, the mayor said."),
    ("Ferry timetable", "The new ferry to Lundy will run every 90 minutes from May."),
    ("Museum record", "The maritime museum counted 310,000 visitors, a record for the region."),
]


@dataclass
class Entry:
    slug: str
    title: str
    sentence: str
    published: datetime


@dataclass
class NewsSite:
    """A site on 127.0.0.1: /rss.xml or /atom.xml listing `entries`, and a page for each."""

    entries: list[Entry] = field(default_factory=list)
    failing: bool = False
    requests: list[tuple[str, dict[str, str], int]] = field(default_factory=list)
    base: str = ""

    def feed(self, kind: str) -> bytes:
        items = sorted(self.entries, key=lambda e: e.published, reverse=True)
        if kind == "rss":
            rows = "".join(
                f"<item><title>{e.title}</title><link>{self.base}/news/{e.slug}.html</link>"
                f"<pubDate>{format_datetime(e.published)}</pubDate></item>"
                for e in items
            )
            return (
                '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>Coast Times</title><link>{self.base}/</link>{rows}</channel></rss>"
            ).encode()
        rows = "".join(
            f"<entry><title>{e.title}</title><link href='/news/{e.slug}.html'/>"
            f"<id>urn:{e.slug}</id><updated>{e.published.isoformat()}</updated></entry>"
            for e in items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f"xml:base='{self.base}/'><title>Coast Times (Atom)</title><id>urn:coast</id>"
            f"<updated>{T0.isoformat()}</updated>{rows}</feed>"
        ).encode()

    def page(self, slug: str) -> bytes | None:
        entry = next((e for e in self.entries if e.slug == slug), None)
        if entry is None:
            return None
        return (
            f"<html><head><title>{entry.title}</title></head><body><article>"
            f"<h1>{entry.title}</h1><p>{entry.sentence}</p>"
            f"<p>Residents of {entry.slug} welcomed the news on {entry.published:%A}.</p>"
            f"<p>More details about {entry.title.lower()} will follow next week.</p>"
            "</article></body></html>"
        ).encode()

    def count(self, path: str, status: int | None = None) -> int:
        return sum(p == path and status in (None, s) for p, _, s in self.requests)


@pytest.fixture(name="site")
def news_site() -> Iterator[NewsSite]:
    state = NewsSite()

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body, kind = self._answer(headers)
            state.requests.append((self.path, headers, status))
            self.send_response(status)
            if status == 200:
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", f'"{hashlib.sha1(body).hexdigest()[:12]}"')
            else:
                self.send_header("Content-Length", "0")
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

        def _answer(self, headers: dict[str, str]) -> tuple[int, bytes, str]:
            if self.path in ("/rss.xml", "/atom.xml"):
                if state.failing:
                    return 500, b"", ""
                body = state.feed(self.path[1:-4])
                etag = f'"{hashlib.sha1(body).hexdigest()[:12]}"'
                if headers.get("if-none-match") == etag:
                    return 304, b"", ""
                kind = "application/rss+xml" if "rss" in self.path else "application/atom+xml"
                return 200, body, kind
            if self.path == "/":
                atom = f"{state.base}/atom.xml"
                link = f'<link rel="alternate" type="application/atom+xml" href="{atom}">'
                return (
                    200,
                    f"<html><head>{link}</head><body>Coast</body></html>".encode(),
                    "text/html",
                )
            page = state.page(self.path.removeprefix("/news/").removesuffix(".html"))
            return (200, page, "text/html; charset=utf-8") if page else (404, b"", "")

    for n, (title, sentence) in enumerate(TOPICS[:3]):
        state.entries.append(Entry(f"story{n}", title, sentence, T0 + timedelta(hours=n)))
    with serving(Handler) as server:
        state.base = base_url(server)
        yield state
