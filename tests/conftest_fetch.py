"""The recording HTTP server of the fetch tests (test_fetch*.py) on 127.0.0.1: an article,
redirects, streamed, compressed and mislabelled bodies, each request recorded; the `server`
fixture; and made-up host names resolving to loopback addresses, one of them treated as public."""

from __future__ import annotations

import functools
import gzip
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import brotli
import pytest
import zstandard

from index import addresses, netguard

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


@pytest.fixture(name="server")
def recording_server() -> Iterator[_RecordingServer]:
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
