"""Which hosts a flow may call over HTTP.

On a user's own server a flow may call anything that server can reach. Inside the flows
service it runs next to the hub's API and the database, so the service passes a policy:
public addresses are allowed, private, loopback, link-local and reserved ones (the hub,
cloud metadata at 169.254.169.254, the LAN) only when their host is on the allow-list.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from .issues import NodeError


@dataclass(frozen=True)
class HttpPolicy:
    allow: tuple[str, ...] = ()  # host or host:port entries allowed even if private

    def check(self, url: str) -> None:
        """Raise NodeError unless `url` may be called."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host:
            raise NodeError(f"{url!r} has no host")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if host in self.allow or f"{host}:{port}" in self.allow:
            return
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except OSError:
            raise NodeError(f"cannot resolve {host!r}") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise NodeError(
                    f"{host} is a private or local address ({address}); the flows service "
                    "calls it only if the admin lists it in GALILEAN_FLOWS_HTTP_ALLOW"
                )
