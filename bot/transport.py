"""Requests to the Bot API that survive a passing 502/503/504 or a dropped connection.

PTB's AIORateLimiter already waits out "429 Too Many Requests" (retry_after), and its polling
loop keeps calling getUpdates after any network error. A reply, though, is sent once: a single
Bad Gateway from Telegram's front end would lose the answer. RetryingRequest sends such a
request again, twice at most, when Telegram cannot have processed it: a 502/503/504 from the
gateway, a connection refused, or a connection closed before any answer (e.g. a stale
keep-alive connection). A timeout is not retried: the message may have been delivered, and
a duplicate answer is worse than the one-line warning the error handler logs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({502, 503, 504})
# The start-up check (app.reach_api) retries getMe itself, with one log line per attempt.
NOT_RETRIED = frozenset({"getMe"})
# httpx errors raised before Telegram saw the request (PTB wraps them in NetworkError).
NOT_SENT = (httpx.ConnectError, httpx.RemoteProtocolError)


def method_name(url: str) -> str:
    """The Bot API method of a request URL, never the token: ".../bot<token>/sendMessage"."""
    return "a file download" if "/file/bot" in url else url.rsplit("/", 1)[-1]


class RetryingRequest(BaseRequest):
    """`inner` with up to `retries` more tries after a gateway error or a connection that failed
    before any answer, `backoff`, 2 x `backoff`, ... seconds apart."""

    def __init__(self, inner: BaseRequest, *, retries: int = 2, backoff: float = 0.5) -> None:
        self.inner = inner
        self.retries = retries
        self.backoff = backoff

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        retries = 0 if method_name(url) in NOT_RETRIED else self.retries
        for attempt in range(retries + 1):
            last = attempt == retries
            try:
                code, payload = await self.inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            except NetworkError as exc:
                if last or isinstance(exc, TimedOut) or not isinstance(exc.__cause__, NOT_SENT):
                    raise
                what = type(exc.__cause__).__name__
            else:
                if last or code not in RETRY_STATUSES:
                    return code, payload
                what = f"HTTP {code}"
            delay = self.backoff * 2**attempt
            logger.warning(
                "Telegram answered %s to %s; trying again in %.1f s", what, method_name(url), delay
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # the last attempt returns or raises
