"""index.feeds / feedpoll / feedstore: feeds served from 127.0.0.1, polled with conditional
requests, backfill, backoff, pause after N failures, and a restart that resumes."""

from __future__ import annotations

import random
import stat
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from index.addresses import check_url
from index.errors import FetchError, RefusedURL
from index.feedpoll import delay, poll, poll_due
from index.feeds import Entry, FeedError, FeedResponse, Policy, discover, parse_feed, subscribe
from index.feedstore import FeedStore

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2025, 11, 28, 10, 0, tzinfo=UTC)
POLICY = Policy(interval=timedelta(minutes=30), backfill=20, failure_limit=3, jitter=0.0)


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


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
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
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedStore]:
    feeds = FeedStore(tmp_path / "feeds.db")
    yield feeds
    feeds.close()


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
