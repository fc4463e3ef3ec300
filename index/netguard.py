"""Guarded connections for fetching URLs that strangers send: every TCP connection is checked.

Every connection an httpx client from `guarded_client` makes goes through `_GuardedBackend`,
which resolves the host itself (within the deadline: `_resolve`), refuses the whole host if any
address is not globally routable, and connects to the very address it checked (no second DNS
lookup a rebinding attacker could answer differently), on port 80 or 443 unless told otherwise;
the policy itself is in addresses.py. Every socket operation is clamped to one total deadline
(`_DeadlineStream`). What is requested over such a client (redirects followed by hand, the body
read with bounded memory) is in fetch.py and feedfetch.py. This module reads no environment.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Collection, Iterable
from typing import Any

import httpcore
import httpx

from index.addresses import check_port, is_public_ip
from index.codings import supported_codings
from index.errors import RefusedURL

logger = logging.getLogger(__name__)

USER_AGENT = "articlebot/0.1 (+https://github.com/articlebot)"
DNS_THREADS = 16  # name lookups in flight at once (each may block for the resolver's timeout)
_DNS_SLOTS = threading.BoundedSemaphore(DNS_THREADS)


def _remaining(deadline: float, timeout: float | None, exc: type[Exception]) -> float:
    """`timeout` clamped to what is left of the total deadline; `exc` once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise exc("total time limit reached")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """Clamps every socket operation to the fetch's total deadline, so a slow drip cannot
    keep a read alive past it (httpx's read timeout is per read, not per response)."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limit = _remaining(self._deadline, timeout, httpcore.ReadTimeout)
        return self._inner.read(max_bytes, limit)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limit = _remaining(self._deadline, timeout, httpcore.WriteTimeout)
        self._inner.write(buffer, limit)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host (httpcore passes it), so SNI and certificate
        # checks use the name even though we connected to a bare IP.
        limit = _remaining(self._deadline, timeout, httpcore.ConnectTimeout)
        inner = self._inner.start_tls(ssl_context, server_hostname, limit)
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks and connects in one place, so the checked address is the one used."""

    def __init__(
        self, *, allow_private: bool, deadline: float, ports: Collection[int] = ()
    ) -> None:
        self._allow_private = allow_private
        self._deadline = deadline
        self._ports = ports
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if not self._allow_private:
            check_port(port, self._ports)
        candidates = _resolve(
            host, port, _remaining(self._deadline, timeout, httpcore.ConnectTimeout)
        )
        if not self._allow_private:
            for *_, sockaddr in candidates:
                if not is_public_ip(ipaddress.ip_address(sockaddr[0])):
                    # Refuse the host outright rather than skipping the bad address: a name
                    # that points inside the network is hostile or misconfigured either way.
                    logger.warning("refused connection to %s: non-global address", host)
                    raise RefusedURL("links to local or private addresses are not allowed")
        last_error: Exception | None = None
        for *_, sockaddr in candidates:
            # SyncBackend gets the numeric address: create_connection parses it, no DNS.
            try:
                stream = self._inner.connect_tcp(
                    sockaddr[0],
                    port,
                    timeout=_remaining(self._deadline, timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:  # try the next address, as browsers do
                last_error = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        raise httpcore.ConnectError(f"could not connect: {last_error}")

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise RefusedURL("unix sockets are not allowed")


def _resolve(host: str, port: int, timeout: float) -> list[tuple[Any, ...]]:
    """getaddrinfo within `timeout` seconds: it has no timeout of its own and can block for
    the resolver's (tens of seconds per name). It runs in a daemon thread, as asyncio's and
    anyio's getaddrinfo do; one that outlives its fetch finishes on its own, and at most
    DNS_THREADS run at once, so a flood of slow names cannot pile up threads."""
    end = time.monotonic() + timeout
    if not _DNS_SLOTS.acquire(timeout=timeout):
        raise httpcore.ConnectTimeout("resolving the host name took too long")
    outcome: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            outcome.append(
                socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
            )
        except (OSError, UnicodeError) as exc:
            outcome.append(exc)
        finally:
            _DNS_SLOTS.release()
            done.set()

    threading.Thread(target=lookup, name="articlebot-dns", daemon=True).start()
    if not done.wait(max(0.0, end - time.monotonic())):
        raise httpcore.ConnectTimeout("resolving the host name took too long")
    if isinstance(outcome[0], Exception):
        raise httpcore.ConnectError("could not resolve the host name")
    return outcome[0]


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds; one shared, read-only context is thread-safe.
    return httpx.create_ssl_context(trust_env=False)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport (request mapping, exception mapping) over a guarded pool."""

    def __init__(self, backend: _GuardedBackend) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False, retries=0)
        # Swap in a pool built through httpcore's public `network_backend` argument. Fail
        # closed if httpx ever stops keeping its pool here: an unguarded fetch is worse than none.
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("unsupported httpx version: cannot install the address guard")
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=4,
            retries=0,
            network_backend=backend,
        )


CONNECT_SECONDS = 10.0  # a connection (TLS handshake included) not made by then fails


def guarded_client(
    allow_private: bool, deadline: float, timeout: float, ports: Collection[int], accept: str
) -> httpx.Client:
    """An httpx client whose every connection is checked (see _GuardedBackend)."""
    backend = _GuardedBackend(allow_private=allow_private, deadline=deadline, ports=ports)
    return httpx.Client(
        transport=_GuardedTransport(backend),
        trust_env=False,  # no proxies or certificates from the environment
        follow_redirects=False,  # redirects are re-checked by hand
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_SECONDS)),
        headers={
            "User-Agent": USER_AGENT,
            "Accept": accept,
            # Only what codings.py undoes with bounded memory; the cap counts decoded bytes.
            "Accept-Encoding": ", ".join(supported_codings()),
        },
    )
