"""fetch/extract tests against a recording HTTP server on 127.0.0.1; nothing else is touched."""

from __future__ import annotations

import functools
import gzip
import ipaddress
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote

import brotli
import pytest
import zstandard

from index import addresses, codings, netguard
from index import fetch as fetch_mod
from index.errors import ExtractionError, FetchError, RefusedURL
from index.extract import Extracted, extract_html
from index.fetch import FetchedPage, check_url, fetch

ARTICLE = b"""<!doctype html><html><head><title>Storm hits coast</title>
<meta name="author" content="Jane Roe">
<meta property="og:site_name" content="Daily News">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Storm hits coast</h1>
<p>A powerful storm reached the northern coast on Tuesday, bringing heavy rain and strong wind.</p>
<p>Officials said three towns were evacuated and schools stayed closed for the whole day.</p>
<p>Forecasters expect the weather to calm down by the end of the week.</p>
</article><footer>Copyright 2024 Daily News</footer></body></html>"""


BOMB_BYTES = 100_000_000  # what a bomb decodes to; the fetch's cap is 5 MB
ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda data: gzip.compress(data, 9),
    "deflate": lambda data: zlib.compress(data, 9),  # zlib-wrapped, as RFC 9110 says
    "raw-deflate": lambda data: zlib.compress(data, 9, wbits=-15),  # as some servers send it
    "br": lambda data: brotli.compress(data, quality=5),
    "zstd": lambda data: zstandard.ZstdCompressor(level=3).compress(data),
}
CHARSET_BODIES = {
    "utf8": "<p>Café crème</p>".encode(),
    "latin1": (
        "<p>Die Bürgermeisterin äußerte sich am Dienstag über die Größe der Brücke. Sie sagte, "
        "die Straßen würden später geöffnet, weil die Prüfung länger dauere.</p>"
    ).encode("latin-1"),
    "binary": bytes(range(256)) * 8,
}


@functools.cache
def _bomb(codings: str) -> bytes:
    """Zeros that decode to BOMB_BYTES through `codings` (applied in order), made without
    holding the decoded bytes."""
    first, *rest = [c.strip() for c in codings.split(",")]
    block = bytes(1 << 20)
    if first == "br":
        packer = brotli.Compressor(quality=1)
        body = b"".join(packer.process(block) for _ in range(BOMB_BYTES >> 20)) + packer.finish()
    elif first == "zstd":
        writer = zstandard.ZstdCompressor(level=1).compressobj()
        body = b"".join(writer.compress(block) for _ in range(BOMB_BYTES >> 20)) + writer.flush()
    else:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31 if first == "gzip" else 15)
        body = b"".join(packer.compress(block) for _ in range(BOMB_BYTES >> 20)) + packer.flush()
    for coding in rest:
        body = ENCODERS[coding](body)
    return body


class _Handler(BaseHTTPRequestHandler):
    server: _RecordingServer

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        with self.server.lock:
            self.server.requests.append(self.path)
        route = self.path.split("?", 1)[0]
        if route == "/article":
            self._send(200, "text/html; charset=utf-8", ARTICLE)
        elif route == "/relative":
            self._redirect("article")
        elif route == "/loop":
            self._redirect("/loop")
        elif route == "/to":
            self._redirect(self.path.split("?", 1)[1])
        elif route == "/latin1":
            self._send(200, "text/html; charset=iso-8859-1", "<p>Café crème</p>".encode("latin-1"))
        elif route == "/untyped":
            self._send(200, "", b"<!doctype html><html><body><p>no type</p></body></html>")
        elif route == "/image":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
        elif route == "/declared-big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
        elif route == "/endless":
            self._stream(b"<p>" + b"x" * 16_000 + b"</p>", delay=0.0)
        elif route == "/drip":
            self._stream(b"x", delay=0.1)
        elif route == "/coded":  # /coded?CODINGS[&charset=X]: the article, encoded so
            query = dict(parse_qsl(self.path.split("?", 1)[1]))
            self._coded(query["codings"], ARTICLE, query.get("charset", "utf-8"))
        elif route == "/bomb":  # /bomb?CODINGS: zeros that decode to BOMB_BYTES
            query = dict(parse_qsl(self.path.split("?", 1)[1]))
            self._send(200, "text/html", _bomb(query["codings"]), query["codings"])
        elif route == "/charset":  # /charset?label=X&body=utf8|latin1|binary
            query = dict(parse_qsl(self.path.split("?", 1)[1], keep_blank_values=True))
            body = CHARSET_BODIES[query["body"]]
            self._send(200, f"text/html; charset={query['label']}", body)
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, content_type: str, body: bytes, coding: str = "") -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if coding:
            self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _coded(self, codings: str, body: bytes, charset: str) -> None:
        for coding in codings.split(","):
            body = ENCODERS[coding.strip()](body)
        self._send(200, f"text/html; charset={charset}", body, codings.replace("raw-", ""))

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream(self, piece: bytes, delay: float) -> None:
        # No Content-Length: an HTTP/1.0 body that only ends when the connection closes.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        end = time.monotonic() + 10
        try:
            while time.monotonic() < end and not self.server.stopping.is_set():
                self.wfile.write(piece)
                self.wfile.flush()
                if delay:
                    time.sleep(delay)
        except OSError:  # the client hung up, which is what the test wants
            pass


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()


def _serve(srv: _RecordingServer) -> Iterator[_RecordingServer]:
    thread = threading.Thread(target=srv.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield srv
    srv.stopping.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def server() -> Iterator[_RecordingServer]:
    yield from _serve(_RecordingServer())


def _url(srv: _RecordingServer, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
    return f"{scheme}://{host}:{srv.server_address[1]}{path}"


def _fake_dns(monkeypatch: pytest.MonkeyPatch, mapping: dict[str, str]) -> list[str]:
    """Make made-up host names resolve to chosen loopback addresses; others resolve normally.

    Returns the list of names looked up, so tests can count resolutions.
    """
    real = socket.getaddrinfo
    lookups: list[str] = []

    def fake(host: object, port: object, *args: object, **kwargs: object) -> list:
        lookups.append(str(host))
        if isinstance(host, str) and host in mapping:
            return real(mapping[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return lookups


def _treat_as_public(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """Let exactly one loopback address count as global; every other address keeps the policy."""
    real_policy = addresses.is_public_ip
    allowed = ipaddress.ip_address(address)
    for module in (addresses, netguard):  # check_url's copy and the connect-time guard's
        monkeypatch.setattr(module, "is_public_ip", lambda ip: ip == allowed or real_policy(ip))


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


# --- compressed bodies: every layer decoded with bounded memory (issue 13, item 1) ------------


@pytest.mark.parametrize(
    "codings", ["gzip", "deflate", "raw-deflate", "br", "zstd", "gzip, gzip", "gzip, br"]
)
def test_compressed_pages_are_decoded(server: _RecordingServer, codings: str) -> None:
    page = fetch(_url(server, f"/coded?codings={quote(codings)}"), allow_private=True)
    assert "three towns were evacuated" in page.text


@pytest.mark.parametrize("codings", ["gzip, gzip", "gzip", "br", "zstd", "deflate"])
def test_compression_bombs_are_cut_at_the_cap_with_bounded_memory(
    server: _RecordingServer, codings: str
) -> None:
    # Before: httpx inflated each 64 KiB network chunk in one step, every layer, and the cap was
    # checked after; 945 bytes of "gzip, gzip" decoding to 500 MB took 1.9 GB and 6 s.
    wire = len(_bomb(codings))
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(FetchError, match="larger than 5000000 bytes"):
            fetch(_url(server, f"/bomb?codings={quote(codings)}"), allow_private=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert wire < 400_000  # a bomb: 100 MB decoded from this little on the wire
    assert peak < 30_000_000, f"{peak / 1e6:.0f} MB held while decoding {codings}"
    assert time.monotonic() - start < 5


def test_more_than_two_stacked_codings_are_refused(server: _RecordingServer) -> None:
    with pytest.raises(FetchError, match="compressed 3 times over"):
        fetch(_url(server, "/coded?codings=gzip,gzip,gzip"), allow_private=True)


def test_a_coding_without_a_bounded_decoder_is_refused(
    server: _RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # brotli < 1.2 cannot limit one call's output: br is then neither asked for nor read.
    monkeypatch.setattr(codings, "_bounded_brotli", lambda: False)
    assert "br" not in codings.supported_codings()
    with pytest.raises(FetchError, match="compressed with br"):
        fetch(_url(server, "/coded?codings=br"), allow_private=True)


# --- charsets (issue 13, item 2) --------------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["idna", "punycode", "undefined", "base64", "rot13", "x-nonsense", "unicode_escape"]
)
def test_a_charset_that_is_no_charset_falls_back_to_detection(
    server: _RecordingServer, label: str
) -> None:
    # Before: idna, punycode and undefined raised UnicodeError out of fetch (a traceback).
    page = fetch(_url(server, f"/charset?label={label}&body=utf8"), allow_private=True)
    assert "Café crème" in page.text
    page = fetch(_url(server, f"/charset?label={label}&body=latin1"), allow_private=True)
    assert "Bürgermeisterin äußerte" in page.text and "Prüfung länger" in page.text


@pytest.mark.parametrize("label", ["idna", "undefined", ""])
def test_undecodable_bytes_with_no_usable_charset_are_one_clear_error(
    server: _RecordingServer, label: str
) -> None:
    with pytest.raises(FetchError, match="character set could not be recognized"):
        fetch(_url(server, f"/charset?label={label}&body=binary"), allow_private=True)


# --- DNS inside the deadline, ports (issue 13, item 3) ----------------------------------------


def test_a_slow_name_lookup_counts_against_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def slow(host: object, *args: object, **kwargs: object) -> list:
        if host == "slow.example":
            time.sleep(4)
            host = "127.0.0.1"  # never a real lookup
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    start = time.monotonic()
    with pytest.raises(FetchError, match="did not load within 1 seconds"):
        fetch("http://slow.example/article", timeout=1)
    assert time.monotonic() - start < 1.6  # before: 4 s, the lookup's own time


def test_a_site_that_never_answers_the_handshake_is_said_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """https:// to a port that accepts and stays silent: the connection's own limit, not the
    page's deadline, is what ran out, and the message says which."""
    from index import netguard

    monkeypatch.setattr(netguard, "CONNECT_SECONDS", 0.5)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        port = silent.getsockname()[1]
        with pytest.raises(FetchError, match="did not answer within 0.5 seconds"):
            fetch(f"https://127.0.0.1:{port}/", allow_private=True, timeout=5)
    finally:
        silent.close()


def test_ports_other_than_80_and_443_are_refused_unless_listed(
    server: _RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_dns(monkeypatch, {"public.example": "127.0.0.1"})
    _treat_as_public(monkeypatch, "127.0.0.1")
    port = server.server_address[1]
    with pytest.raises(RefusedURL, match=f"port {port} are not allowed"):
        fetch(_url(server, "/article", "public.example"))
    # A redirect from an allowed port to another one is refused too.
    elsewhere = _url(server, "/article", "public.example").replace(str(port), "8081")
    with pytest.raises(RefusedURL, match="port 8081"):
        fetch(_url(server, f"/to?{elsewhere}", "public.example"), ports={port})
    assert server.requests == [f"/to?{elsewhere}"]
    assert "Storm" in fetch(_url(server, "/article", "public.example"), ports={port}).text
    assert "Storm" in fetch(_url(server, "/article"), allow_private=True).text


def test_check_url_ports() -> None:
    check_url("http://example.com:80/")
    check_url("https://example.com:443/")
    check_url("http://example.com:8080/", ports={8080})
    check_url("http://example.com:8080/", allow_private=True)
    for url in ("http://example.com:8080/", "https://example.com:22/"):
        with pytest.raises(RefusedURL, match="not allowed"):
            check_url(url)
    for url in ("http://example.com:0/", "http://example.com:99999/"):  # private URLs or not
        for allow_private in (False, True):
            with pytest.raises(RefusedURL, match="not a port number"):
                check_url(url, allow_private=allow_private)


# --- check_url and the address policy ---------------------------------------------------------


def test_check_url_accepts_public_urls_without_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise AssertionError("check_url must not resolve names")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    check_url("https://example.com/news/1?x=1")
    check_url("http://93.184.216.34/")
    check_url("http://localhost:8080/", allow_private=True)
    with pytest.raises(RefusedURL):
        check_url("http://10.0.0.1/")


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "224.0.0.1",
        "255.255.255.255",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "::7f00:1",
        "fe80::1",
        "fec0::1",
        "fc00::1",
        "ff02::1",
        "64:ff9b::7f00:1",
    ],
)
def test_non_global_addresses_are_not_public(address: str) -> None:
    assert not addresses.is_public_ip(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_global_addresses_are_public(address: str) -> None:
    assert addresses.is_public_ip(ipaddress.ip_address(address))


# --- extraction -------------------------------------------------------------------------------


def test_extract_small_article() -> None:
    html = (
        "<html><head><title>T</title></head><body><article><h1>T</h1>"
        "<p>The council approved the new budget after a long debate on Monday.</p>"
        "<p>It includes more money for schools and for repairing local roads.</p>"
        "</article></body></html>"
    )
    art = extract_html(html)
    assert art.title == "T"
    assert "new budget" in art.text and "local roads" in art.text
    assert "\n" in art.text  # paragraphs are kept apart


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Only a title</title></head></html>",
        "<html><head><title>Empty</title></head><body></body></html>",
        "",
        "   ",
        "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World</a></li></ul>"
        "</nav><footer><p>Copyright 2024 Example Media. All rights reserved.</p></footer>"
        "</body></html>",
    ],
)
def test_extract_without_article_text(html: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(ExtractionError, match="no article text"):
        extract_html(html)
    # One clear error to the caller; not also a burst of trafilatura lines in the log.
    assert [r for r in caplog.records if r.name.startswith("trafilatura")] == []
