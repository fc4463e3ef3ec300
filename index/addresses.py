"""Which URLs may be fetched: the SSRF policy as pure functions (no DNS, no I/O).

`check_url` is the cheap syntax check made before anything is fetched; netguard.py's guarded
backend applies `is_public_ip` and `check_port` again to the very address and port it connects to.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Collection

import httpx

from .errors import RefusedURL

ALLOWED_SCHEMES = frozenset({"http", "https"})
WEB_PORTS = frozenset({80, 443})
_LEGACY_IPV4 = re.compile(r"[0-9a-fA-FxX.]+")  # decimal/hex/octal forms inet_aton accepts

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_ip(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses."""
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 address can smuggle an IPv4 one (::ffff:127.0.0.1, 6to4 2002:7f00:1::):
        # judge the embedded IPv4 address, which is where the packets would really go.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return is_public_ip(embedded)
        if ip.is_site_local:  # deprecated fec0::/10, which is_global still calls global
            return False
    # is_global alone lets multicast (224.0.0.0/4) and some reserved ranges through.
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback)


def ip_literal(host: str) -> IPAddress | None:
    """The address a host string denotes without DNS (incl. 2130706433, 0x7f.1), else None."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host):
        try:  # inet_aton parses, it never resolves: same forms getaddrinfo would accept
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def check_url(url: str, *, allow_private: bool = False, ports: Collection[int] = ()) -> None:
    """Cheap syntax check (no DNS): http(s), a host, no credentials, no obviously local host, a
    port of 80, 443 or one of `ports` (any port with `allow_private`).

    The authoritative address and port checks happen at connect time in `_GuardedBackend`.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise RefusedURL("this is not a valid URL") from None
    if parsed.scheme.lower() not in ALLOWED_SCHEMES:
        raise RefusedURL("only http:// and https:// links can be fetched")
    if parsed.userinfo:
        raise RefusedURL("links with a user name or password are not allowed")
    host = parsed.host.rstrip(".").lower()
    if not host:
        raise RefusedURL("the link has no host name")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise RefusedURL(f"the link's port {parsed.port} is not a port number (1-65535)")
    if allow_private:
        return
    if host == "localhost" or host.endswith(".localhost"):
        raise RefusedURL("links to local or private addresses are not allowed")
    ip = ip_literal(host)
    if ip is not None and not is_public_ip(ip):
        raise RefusedURL("links to local or private addresses are not allowed")
    check_port(parsed.port, ports)


def parse_ports(value: str) -> frozenset[int]:
    """The ports of a setting such as "8080, 8443"; ValueError naming a bad one."""
    ports = set()
    for item in re.split(r"[,\s]+", value.strip()):
        if not item:
            continue
        if not item.isdigit() or not 0 < int(item) < 65536:
            raise ValueError(f"must be comma-separated port numbers (1-65535), not {item!r}")
        ports.add(int(item))
    return frozenset(ports)


def check_port(port: int | None, ports: Collection[int]) -> None:
    """RefusedURL unless `port` is 80, 443, one of `ports` or None (the scheme's default)."""
    if port is not None and port not in WEB_PORTS and port not in ports:
        raise RefusedURL(
            f"links to port {port} are not allowed (only 80 and 443, and the ports listed in "
            "ALLOWED_URL_PORTS)"
        )
