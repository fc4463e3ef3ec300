"""index.feeds: RSS and Atom feeds parsed (dates, canonical links, a link with no valid port,
what is no feed), feeds discovered in a page, and subscribing to a site page or a feed served from
127.0.0.1 (tests/conftest_feeds.py). Polling them is in test_feeds_polling.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.addresses import check_url
from index.errors import RefusedURL
from index.feeds import FeedError, discover, parse_feed, subscribe
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

FIXTURES = Path(__file__).parent / "fixtures"


# -- parsing and discovery ----------------------------------------------------------------


def test_rss_fixture_parses_with_dates_and_canonical_links() -> None:
    parsed = parse_feed((FIXTURES / "feed_rss.xml").read_bytes(), "https://news.example/rss.xml")
    assert parsed.title == "Beispiel-Nachrichten – Politik"
    assert [e.canonical for e in parsed.entries] == [
        "https://news.example/politik/haushalt-2026-100.html",  # tracking parameters dropped
        "https://news.example/wirtschaft/bahnstreik-99.html",
        "https://news.example/regional/meldung-98.html",  # relative link resolved, undated last
    ]  # the entry without a link is left out
    assert parsed.entries[0].published[:5] == (2025, 11, 27, 15, 5)  # +0100 -> UTC


def test_atom_fixture_parses_with_xml_base_and_updated_dates() -> None:
    parsed = parse_feed((FIXTURES / "feed_atom.xml").read_bytes(), "https://wire.example/w.atom")
    assert parsed.title == "Example Wire: World"
    assert parsed.site_url == "https://wire.example/world"
    assert [e.url for e in parsed.entries] == [
        "https://wire.example/world/morocco-quake-2025",
        "https://wire.example/business/rates-hold",
    ]
    assert parsed.entries[1].published[:4] == (2025, 11, 27, 12)  # <updated> when no <published>


def test_an_entry_whose_link_has_no_valid_port_does_not_break_the_feed() -> None:
    """The link is kept as written (adding it then refuses it, one line for that entry); the
    feed's other entries are read as usual."""
    items = "".join(
        f"<item><title>{n}</title><link>{link}</link></item>"
        for n, link in enumerate(
            ["http://news.example:99999/a", "http://news.example:abc/b", "https://news.example/c"]
        )
    )
    channel = f"<channel><title>T</title>{items}</channel>"
    body = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
    parsed = parse_feed(body.encode(), "https://news.example/rss.xml")
    assert parsed.entries[-1].canonical == "https://news.example/c"
    for entry in parsed.entries[:-1]:
        with pytest.raises(RefusedURL, match="valid URL|not a port number"):
            check_url(entry.url, allow_private=True)


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>Hallo</body></html>", b"\x00\xff\xfe garbage", b"{}" * 1000]
)
def test_what_is_no_feed_is_refused_with_one_message(body: bytes) -> None:
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(body, "https://x.example/")


def test_discover_finds_rss_and_atom_links_in_page_order() -> None:
    page = (
        b'<html><head><link rel="stylesheet" href="/s.css">'
        b'<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed/">'
        b'<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="atom.xml">'
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        b"</head><body></body></html>"
    )
    assert discover(page, "https://site.example/news/") == [
        "https://site.example/feed/",
        "https://site.example/news/atom.xml",
    ]
    assert discover(b"", "https://site.example/") == []


# -- subscribing ----------------------------------------------------------------------------


def test_subscribe_a_site_page_finds_its_feed(site: Site, store: FeedStore) -> None:
    site.routes["/news/"] = Route(
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        b"</head><body>Startseite</body></html>",
        content_type="text/html",
    )
    site.routes["/rss.xml"] = Route(rss(site.base, [1, 2]))
    feed, created = subscribe(store, site.base + "/news/", fetch, subscriber="admin:1", now=T0)
    assert created and feed.url == site.base + "/rss.xml" and feed.title == "Testfeed"
    assert feed.subscribers == ("admin:1",) and feed.next_due == T0
    again, created = subscribe(store, site.base + "/rss.xml", fetch, subscriber="admin:2", now=T0)
    assert not created and again.id == feed.id and again.subscribers == ("admin:1", "admin:2")


def test_subscribe_a_page_without_a_feed_is_refused(site: Site, store: FeedStore) -> None:
    site.routes["/page"] = Route(b"<html><body>Nichts</body></html>", content_type="text/html")
    with pytest.raises(FeedError, match="names no RSS or Atom feed"):
        subscribe(store, site.base + "/page", fetch, subscriber="admin:1", now=T0)
    with pytest.raises(FeedError, match="HTTP 404"):
        subscribe(store, site.base + "/missing", fetch, subscriber="admin:1", now=T0)
    assert store.list() == []
