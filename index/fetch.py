"""Guarded URL fetching (httpx); extraction of the article from the page is in extract.py.

The bot fetches URLs that strangers send it, so `fetch` is SSRF-safe: only http(s) (checked by
addresses.py before anything is sent), and every TCP connection is made through netguard.py's
guarded client, which checks the address it connects to. Redirects are followed by hand so each
hop goes through the same checks. One deadline covers everything, name lookup included; the body
is decompressed and decoded with bounded memory by codings.py. The request helpers here
(`open_response`, `redirect_target`, `read_body`, `network_errors`) serve feedfetch.py too.
Settings come in as arguments; this module reads no environment.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import httpx

from index import netguard
from index.addresses import check_url
from index.codings import content_codings, decode_text, decoded
from index.errors import FetchError
from index.netguard import guarded_client

logger = logging.getLogger(__name__)

TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8"


@dataclass(frozen=True)
class FetchedPage:
    url: str  # final URL after redirects
    content_type: str  # e.g. "text/html"
    text: str  # decoded body


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    max_bytes: int = 5_000_000,
    timeout: float = 20.0,
    max_redirects: int = 5,
    ports: Collection[int] = (),
) -> FetchedPage:
    """GET `url` within `timeout` seconds in total (DNS included); raises RefusedURL or
    FetchError. `ports`: ports besides 80 and 443 that may be reached (`allow_private`: any)."""
    check_url(url, allow_private=allow_private, ports=ports)
    deadline = time.monotonic() + timeout
    client = guarded_client(allow_private, deadline, timeout, ports, PAGE_ACCEPT)
    with network_errors(timeout, deadline), client:
        return _follow(client, url, allow_private, ports, max_bytes, deadline, max_redirects)


@contextlib.contextmanager
def network_errors(timeout: float, deadline: float) -> Iterator[None]:
    """httpx's errors as one FetchError each (`deadline`: the monotonic time the whole fetch
    must end by, `timeout` seconds after it began)."""
    try:
        yield
    except httpx.ConnectTimeout:
        connect = netguard.CONNECT_SECONDS
        if time.monotonic() < deadline:  # a connection's own limit, not the page's deadline
            raise FetchError(f"the site did not answer within {connect:g} seconds") from None
        raise FetchError(f"the page did not load within {timeout:g} seconds") from None
    except httpx.TimeoutException:
        raise FetchError(f"the page did not load within {timeout:g} seconds") from None
    except httpx.ConnectError:
        raise FetchError("could not connect to the site") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"network error while fetching ({type(exc).__name__})") from None


def _follow(
    client: httpx.Client,
    url: str,
    allow_private: bool,
    ports: Collection[int],
    max_bytes: int,
    deadline: float,
    max_redirects: int,
) -> FetchedPage:
    for _hop in range(max_redirects + 1):
        with open_response(client, url) as response:
            if response.status_code in REDIRECT_CODES:
                url = redirect_target(response)
                check_url(url, allow_private=allow_private, ports=ports)
                continue
            if response.status_code >= 300:
                raise FetchError(f"the site answered HTTP {response.status_code}")
            return _read_page(response, max_bytes, deadline)
    raise FetchError(f"too many redirects (more than {max_redirects})")


@contextlib.contextmanager
def open_response(
    client: httpx.Client, url: str, headers: dict[str, str] | None = None
) -> Iterator[httpx.Response]:
    try:
        response = client.send(client.build_request("GET", url, headers=headers), stream=True)
    except httpx.InvalidURL:
        # httpx parses a redirect's Location even with follow_redirects=False and chokes on
        # some (e.g. "javascript:alert(1)"); nothing was fetched from it.
        raise FetchError("the site redirected to an invalid URL") from None
    try:
        yield response
    finally:
        response.close()


def redirect_target(response: httpx.Response) -> str:
    location = response.headers.get("location")
    if not location:
        raise FetchError(f"the site answered HTTP {response.status_code} without a target")
    try:
        return str(response.url.join(location.strip()))  # relative Locations are legal
    except httpx.InvalidURL:
        raise FetchError("the site redirected to an invalid URL") from None


def _read_page(response: httpx.Response, max_bytes: int, deadline: float) -> FetchedPage:
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type and media_type not in TEXT_TYPES:
        raise FetchError(f"unsupported content type {media_type[:60]}")
    body = read_body(response, max_bytes, deadline)
    if not media_type:
        media_type = _sniff(body)
    text = decode_text(body, _charset(response))
    logger.info("fetched %s: %d bytes of %s", response.url.host, len(body), media_type)
    return FetchedPage(url=str(response.url), content_type=media_type, text=text)


def read_body(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    """The body, decompressed with the byte cap applied to the decoded bytes (codings.py)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the page is larger than {max_bytes} bytes")
    codings = content_codings(response.headers.get("content-encoding", ""))

    def check() -> None:
        # The socket reads are clamped too; this catches time spent decompressing.
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("total time limit reached")

    # iter_raw: the body as sent; httpx's own decoding would inflate each chunk unbounded.
    return decoded(response.iter_raw(CHUNK_SIZE), codings, max_bytes, check)


def _charset(response: httpx.Response) -> str | None:
    try:
        return response.charset_encoding
    except Exception:  # a header httpx cannot parse names no charset we could use
        return None


def _sniff(body: bytes) -> str:
    # No Content-Type header: accept text that looks like HTML or plain text, refuse binary.
    head = body[:2048]
    if b"\x00" in head:
        raise FetchError("unsupported content type (binary data)")
    lowered = head.lstrip().lower()
    return "text/html" if lowered.startswith((b"<!doctype html", b"<html")) else "text/plain"
