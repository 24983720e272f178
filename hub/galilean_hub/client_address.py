"""The address a request really comes from, believing only what the proxy chain says.

The hub sits behind configurable-http-proxy (CHP, started by the hub, which appends the
address that connected to it to X-Forwarded-For),
and in compose behind Traefik too. Tornado's own ``remote_ip`` (JupyterHub runs it with
``xheaders``) believes any X-Real-Ip or X-Forwarded-For a client sends, so a client could
pick the address its failed logins count against. Here the request's address is found
from the right of the chain: the socket's peer; when that is a loopback address (the
hub's CHP), the entry CHP appended; then, while an entry is a configured trusted proxy
(GALILEAN_TRUSTED_PROXIES), the entry before it. The first address not trusted is the
client's: whatever a client wrote further left is never read.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .settings import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$")
# How long a trusted proxy's host name stays resolved (compose may restart Traefik with a
# new address).
RESOLVE_SECONDS = 60.0
UNKNOWN = "unknown"
Resolver = Callable[[str], Iterable[str]]


def parse_ip(text: str) -> IPAddress | None:
    """An address as proxies write it (IPv4-mapped IPv6 made IPv4), or None."""
    text = text.strip().strip("[]")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def resolve_host(name: str) -> list[str]:
    """The addresses a host name has now (none when it does not resolve)."""
    try:
        found = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return [str(info[4][0]) for info in found]


class ProxyTrust:
    """Which hops of the chain are trusted proxies, and so which address is the client's."""

    def __init__(
        self,
        entries: Sequence[str],
        resolve: Resolver = resolve_host,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.networks: list[IPNetwork] = []
        self.names: list[str] = []
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if "/" in entry or ":" in entry or not HOSTNAME.match(entry):
                raise ConfigError(
                    f"GALILEAN_TRUSTED_PROXIES: {entry!r} is not an address, a network "
                    "(e.g. 172.18.0.0/16) or a host name"
                )
            self.names.append(entry)
        self._resolve = resolve
        self._clock = clock
        self._resolved: set[IPAddress] = set()
        self._resolved_at: float | None = None

    def _named(self) -> set[IPAddress]:
        now = self._clock()
        if self.names and (self._resolved_at is None or now - self._resolved_at > RESOLVE_SECONDS):
            found = (parse_ip(a) for name in self.names for a in self._resolve(name))
            self._resolved = {a for a in found if a is not None}
            self._resolved_at = now
        return self._resolved

    def is_trusted(self, address: IPAddress) -> bool:
        return any(address in net for net in self.networks) or address in self._named()

    def client(self, peer: str, forwarded_for: str) -> str:
        """The client's address from the socket's peer and the X-Forwarded-For header."""
        hop = parse_ip(peer)
        if hop is None:
            return peer or UNKNOWN
        chain = [part for part in forwarded_for.split(",") if part.strip()]
        # The hub's own CHP connects from loopback: believe the one entry it appends.
        trusted_peer = hop.is_loopback or self.is_trusted(hop)
        while trusted_peer and chain:
            entry = parse_ip(chain.pop())
            if entry is None:
                break
            hop = entry
            trusted_peer = self.is_trusted(hop)
        return str(hop)


def request_client(trust: ProxyTrust, request: Any) -> str:
    """The client address of a tornado request: its socket's peer, not tornado's
    ``remote_ip`` (which believes any client's X-Forwarded-For or X-Real-Ip)."""
    context = getattr(getattr(request, "connection", None), "context", None)
    address = getattr(context, "address", None)
    peer = str(address[0]) if isinstance(address, tuple) and address else ""
    forwarded = ",".join(request.headers.get_list("X-Forwarded-For"))
    return trust.client(peer, forwarded)
