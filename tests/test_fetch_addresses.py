"""Where and for how long fetch may connect, against the recording server
(tests/conftest_fetch.py): a slow name lookup and a silent TLS handshake count against the
deadline, ports other than 80 and 443 are refused unless listed, check_url never resolves names,
and which addresses count as public."""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest

from index import addresses
from index.errors import FetchError, RefusedURL
from index.fetch import check_url, fetch
from tests.conftest_fetch import (
    _fake_dns,
    _RecordingServer,
    _treat_as_public,
    _url,
    recording_server,  # noqa: F401 - the `server` fixture
)

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
