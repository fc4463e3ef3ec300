"""Fetching a feed: a conditional GET (ETag / If-Modified-Since) through the same SSRF-safe
client as page fetching (index.netguard: every address checked at connect time, ports 80/443
unless allowed, one deadline with name lookups; index.fetch: every redirect checked again, the
byte cap on the decoded body). A 304 is an answer, not an error."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping

from .addresses import check_url
from .errors import FetchError
from .feeds import FeedResponse
from .fetch import REDIRECT_CODES, network_errors, open_response, read_body
from .fetch import redirect_target as _redirect_target
from .netguard import guarded_client

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.5, */*;q=0.1"
)
# Feeds are XML (often served as text/html or application/octet-stream by careless servers);
# a site's page (to find its feed) is HTML. Images, video and the like are refused unread.
REFUSED_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")
CONDITIONAL = ("If-None-Match", "If-Modified-Since")


def fetch_feed(
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    allow_private: bool = False,
    max_bytes: int = 5_000_000,
    timeout: float = 20.0,
    max_redirects: int = 5,
    ports: Collection[int] = (),
) -> FeedResponse:
    """GET `url` with the conditional `headers` (If-None-Match, If-Modified-Since; others are
    dropped); a 304 comes back as FeedResponse(304, b"", ...). RefusedURL or FetchError else."""
    check_url(url, allow_private=allow_private, ports=ports)
    # A validator that is not printable ASCII (a server's obs-text ETag) cannot be sent: httpx
    # would raise on it at every poll. Left out, the GET is unconditional.
    sent = {
        k: v
        for k, v in (headers or {}).items()
        if k in CONDITIONAL and v and v.isascii() and v.isprintable()
    }
    deadline = time.monotonic() + timeout
    client = guarded_client(allow_private, deadline, timeout, ports, FEED_ACCEPT)
    with network_errors(timeout, deadline), client:
        for _hop in range(max_redirects + 1):
            with open_response(client, url, sent) as response:
                if response.status_code in REDIRECT_CODES:
                    url = _redirect_target(response)
                    check_url(url, allow_private=allow_private, ports=ports)
                    continue
                found = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code == 304:
                    return FeedResponse(304, b"", found, str(response.url))
                if response.status_code >= 300:
                    raise FetchError(f"the site answered HTTP {response.status_code}")
                kind = found.get("content-type", "").split(";", 1)[0].strip().lower()
                if kind.startswith(REFUSED_TYPES):
                    raise FetchError(f"unsupported content type {kind[:60]}")
                body = read_body(response, max_bytes, deadline)
                logger.info("fetched feed %s: %d bytes", response.url.host, len(body))
                return FeedResponse(200, body, found, str(response.url))
    raise FetchError(f"too many redirects (more than {max_redirects})")
