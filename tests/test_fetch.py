"""fetch against a recording HTTP server on 127.0.0.1 (tests/conftest_fetch.py); nothing else is
touched: a page fetched and extracted, every refusal (bad schemes, private addresses by name,
number, DNS or redirect, a TLS name) with no request reaching the server, and the limits and
errors (redirects, body size, deadline, content type, 404, connection refused)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import fetch as fetch_mod
from index import netguard
from index.errors import FetchError, RefusedURL
from index.extract import Extracted, extract_html
from index.fetch import FetchedPage, fetch
from tests.conftest_fetch import (
    _fake_dns,
    _RecordingServer,
    _serve,
    _treat_as_public,
    _url,
    recording_server,  # noqa: F401 - the `server` fixture
)

# --- happy path -------------------------------------------------------------------------------


def test_fetch_and_extract_with_allow_private(server: _RecordingServer) -> None:
    page = fetch(_url(server, "/article"), allow_private=True)
    assert isinstance(page, FetchedPage)
    assert page.content_type == "text/html"
    assert page.url == _url(server, "/article")
    assert "Storm hits coast" in page.text
    assert server.requests == ["/article"]

    art = extract_html(page.text, page.url)
    assert isinstance(art, Extracted)
    assert art.title == "Storm hits coast"
    assert "three towns were evacuated" in art.text
    assert "Copyright" not in art.text
    assert art.published == "2024-03-05"
    assert art.author == "Jane Roe"
    assert art.source == "Daily News"


def test_relative_redirect_is_followed(server: _RecordingServer) -> None:
    page = fetch(_url(server, "/relative"), allow_private=True)
    assert page.url == _url(server, "/article")
    assert server.requests == ["/relative", "/article"]


def test_response_charset_is_used(server: _RecordingServer) -> None:
    page = fetch(_url(server, "/latin1"), allow_private=True)
    assert "Café crème" in page.text


def test_missing_content_type_is_sniffed(server: _RecordingServer) -> None:
    page = fetch(_url(server, "/untyped"), allow_private=True)
    assert page.content_type == "text/html"
    assert "no type" in page.text


# --- refusals: nothing may reach the server ---------------------------------------------------


def test_same_url_refused_without_allow_private(server: _RecordingServer) -> None:
    with pytest.raises(RefusedURL):
        fetch(_url(server, "/article"))
    assert server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/file.txt",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "gopher://example.com/",
        "ws://example.com/",
        "http:///nohost",
        "http://user:secret@example.com/",
        "not a url at all",
    ],
)
def test_bad_urls_refused(url: str) -> None:
    with pytest.raises(RefusedURL) as info:
        fetch(url, allow_private=True)  # allow_private never lifts the scheme check
    message = str(info.value)
    assert message and "\n" not in message
    assert "secret" not in message


PRIVATE_HOSTS = [
    "127.0.0.1",
    "localhost",
    "0.0.0.0",
    "169.254.169.254",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "2130706433",
    "0x7f.1",
    "017700000001",
    "127.1",
]


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_private_hosts_refused(server: _RecordingServer, host: str) -> None:
    with pytest.raises(RefusedURL):
        fetch(_url(server, "/article", host))
    assert server.requests == []


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_connect_time_guard_refuses_without_check_url(
    server: _RecordingServer, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The syntax pre-check is only a courtesy: with it disabled the backend must still refuse.
    monkeypatch.setattr(fetch_mod, "check_url", lambda url, **options: None)
    with pytest.raises(RefusedURL, match="private"):  # the port is allowed: the address is not
        fetch(_url(server, "/article", host), ports={server.server_address[1]})
    assert server.requests == []


def test_public_name_resolving_to_private_address_refused(
    server: _RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_dns(monkeypatch, {"evil.example": "127.0.0.1"})
    with pytest.raises(RefusedURL, match="private"):
        fetch(_url(server, "/article", "evil.example"), ports={server.server_address[1]})
    assert server.requests == []


@pytest.mark.parametrize("target_host", ["internal.example", "127.0.0.2", "localhost"])
def test_redirect_to_private_address_refused(
    server: _RecordingServer, monkeypatch: pytest.MonkeyPatch, target_host: str
) -> None:
    # "public.example" stands for a public site: it resolves to the test server, and exactly
    # that one address (127.0.0.1 over IPv4) is treated as global. Everything else keeps the
    # real policy, so the redirect hop must be refused by the guard.
    _fake_dns(monkeypatch, {"public.example": "127.0.0.1", "internal.example": "127.0.0.2"})
    _treat_as_public(monkeypatch, "127.0.0.1")
    target = _url(server, "/article", target_host)
    port = {server.server_address[1]}
    page = fetch(_url(server, "/article", "public.example"), ports=port)  # the host itself works
    assert "Storm hits coast" in page.text
    server.requests.clear()

    with pytest.raises(RefusedURL):
        fetch(_url(server, f"/to?{target}", "public.example"), ports=port)
    assert server.requests == [f"/to?{target}"]  # only the redirect itself was served


def test_host_is_resolved_once_and_that_address_used(
    server: _RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding needs a second lookup between check and connect; there must be none.
    lookups = _fake_dns(monkeypatch, {"rebind.example": "127.0.0.1"})
    _treat_as_public(monkeypatch, "127.0.0.1")
    fetch(_url(server, "/article", "rebind.example"), ports={server.server_address[1]})
    assert lookups.count("rebind.example") == 1
    assert server.requests == ["/article"]


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[_RecordingServer, Path]]:
    """An HTTPS server on 127.0.0.1 whose self-signed certificate names only public.example."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=public.example",
         "-addext", "subjectAltName=DNS:public.example"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv = _RecordingServer()
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    for running in _serve(srv):
        yield running, cert


def test_tls_verifies_the_host_name_not_the_connected_ip(
    tls_server: tuple[_RecordingServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, cert = tls_server
    _fake_dns(monkeypatch, {"public.example": "127.0.0.1"})
    _treat_as_public(monkeypatch, "127.0.0.1")
    monkeypatch.setattr(netguard, "_ssl_context", lambda: ssl.create_default_context(cafile=cert))

    port = {srv.server_address[1]}
    page = fetch(_url(srv, "/article", "public.example", scheme="https"), ports=port)
    assert "Storm hits coast" in page.text
    # Same server and address, but the certificate does not name 127.0.0.1: must fail.
    with pytest.raises(FetchError, match="could not connect"):
        fetch(_url(srv, "/article", "127.0.0.1", scheme="https"), ports=port)
    assert srv.requests == ["/article"]


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("file:///etc/passwd", RefusedURL),
        ("ftp://example.org/", RefusedURL),
        ("gopher://example.org/", RefusedURL),
        ("javascript:alert(1)", FetchError),  # httpx itself rejects this Location
    ],
)
def test_redirect_to_bad_scheme_refused(
    server: _RecordingServer, target: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        fetch(_url(server, f"/to?{target}"), allow_private=True)
    assert server.requests == [f"/to?{target}"]


# --- limits and errors ------------------------------------------------------------------------


def test_too_many_redirects(server: _RecordingServer) -> None:
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(_url(server, "/loop"), allow_private=True, max_redirects=3)
    assert len(server.requests) == 4  # the first request and three redirects


def test_endless_body_cut_at_max_bytes(server: _RecordingServer) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="larger than 100000 bytes"):
        fetch(_url(server, "/endless"), allow_private=True, max_bytes=100_000)
    assert time.monotonic() - start < 5


def test_declared_content_length_over_cap(server: _RecordingServer) -> None:
    with pytest.raises(FetchError, match="larger than"):
        fetch(_url(server, "/declared-big"), allow_private=True, max_bytes=1_000_000)


def test_slow_drip_cut_at_total_deadline(server: _RecordingServer) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="did not load within 1.5 seconds"):
        fetch(_url(server, "/drip"), allow_private=True, timeout=1.5)
    elapsed = time.monotonic() - start
    assert 1.4 < elapsed < 2.5


def test_unsupported_content_type(server: _RecordingServer) -> None:
    with pytest.raises(FetchError, match="unsupported content type image/png"):
        fetch(_url(server, "/image"), allow_private=True)


def test_http_404(server: _RecordingServer) -> None:
    with pytest.raises(FetchError, match="404"):
        fetch(_url(server, "/missing"), allow_private=True)


def test_connection_refused_is_fetch_error() -> None:
    # Bind then close a port so nothing listens there.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match="could not connect"):
        fetch(f"http://127.0.0.1:{port}/", allow_private=True, timeout=3)
