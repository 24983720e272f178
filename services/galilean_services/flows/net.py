"""Where a flow may connect: HTTP calls and database servers.

On a user's own server a flow may call anything that server can reach (no policy). Inside
the flows service it runs next to the hub's API and the database, so the service passes a
policy: public addresses are allowed; private, loopback, link-local and reserved ones (the
hub, cloud metadata at 169.254.169.254, the LAN) only when their host (or host:port) is on
the admin's allow-list.

The check holds for the address actually connected to: the URL is parsed once, the way
urllib3 (which requests uses) reads it, and anything another parser could read otherwise
(user info, backslashes, odd characters) is refused; the host is resolved once, every
address it resolves to is checked, and the connection goes to the first of those checked
addresses, never to a second lookup (no DNS rebinding). HTTPS still sends the host name
(SNI) and checks the certificate against it. Every call has connect and read timeouts.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .issues import NodeError

if TYPE_CHECKING:  # imported when a call is made: most flows make none
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool

CONNECT_TIMEOUT = 10  # seconds to open a connection (HTTP)
READ_TIMEOUT = 30  # seconds an HTTP server may stay silent
SQL_TIMEOUT = 900  # seconds a database statement may take (or stay silent) in a service run
SCHEMES = {"http": 80, "https": 443}
# A name or an IP literal, nothing a resolver or another URL parser could read twice.
HOST = re.compile(r"[a-z0-9_.-]+|[0-9a-f:.]+")
ALLOW_HINT = (
    "the flows service connects to it only if the admin lists it in GALILEAN_FLOWS_HTTP_ALLOW"
)


@dataclass(frozen=True)
class Target:
    """A checked http(s) URL: its scheme, host (lower case, no brackets) and port, and the
    one address the call connects to."""

    scheme: str
    host: str
    port: int
    address: str

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == SCHEMES[self.scheme] else f"{name}:{self.port}"


def shown(url: str) -> str:
    """The URL for a message: scheme, host, port and path, never user info or a query
    (either may carry a token)."""
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    try:
        parts = parse_url(url)
    except LocationParseError:
        return "the URL"
    if not parts.host:
        return "the URL"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'http'}://{parts.host}{port}{parts.path or ''}"


def where(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; NodeError for anything that could be read
    two ways or is not plain http(s)."""
    if "\\" in url:
        raise NodeError(f"{shown(url)}: a backslash is not allowed in a URL")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise NodeError(f"{shown(url)}: spaces and control characters are not allowed in a URL")
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    try:
        parts = parse_url(url)
    except LocationParseError:
        raise NodeError("not a valid URL") from None
    scheme = (parts.scheme or "").lower()
    if scheme not in SCHEMES:
        raise NodeError(f"{shown(url)}: only http:// and https:// URLs")
    if parts.auth is not None:
        raise NodeError(
            f"{shown(url)}: a user name or password in the URL is not allowed "
            "(send credentials in a header)"
        )
    host = (parts.host or "").lower()
    if host.startswith("["):
        host = host[1:-1]
    if not host or not HOST.fullmatch(host):
        raise NodeError(f"{shown(url)}: not a host name or address")
    return scheme, host, parts.port or SCHEMES[scheme]


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class HttpPolicy:
    allow: tuple[str, ...] = ()  # host or host:port entries allowed even if private
    sql_timeout: float = SQL_TIMEOUT  # a database statement's limit in runs under this policy

    def _listed(self, name: str, port: int) -> bool:
        allowed = {entry.strip().lower().rstrip(".") for entry in self.allow}
        bracketed = f"[{name}]" if ":" in name else name
        return bool({name, f"{bracketed}:{port}"} & allowed)

    def address(self, host: str, port: int) -> str:
        """Resolve `host` once and check every address it has; the one to connect to.
        NodeError names the host (and the address) when it may not be reached."""
        host = host.lower().rstrip(".")
        if not host:
            raise NodeError("no host to connect to")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, ValueError):
            raise NodeError(f"cannot resolve {host!r}") from None
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not found:
            raise NodeError(f"cannot resolve {host!r}")
        for text in found:
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise NodeError(f"{host} resolves to {text!r}, not an address") from None
            if _is_public(address) or any(
                self._listed(name, port) for name in (host, str(address))
            ):
                continue
            listed = f"[{host}]" if ":" in host else host
            raise NodeError(
                f"{host} is a private or local address ({text}); {ALLOW_HINT}"
                f" (as {listed} or {listed}:{port})"
            )
        return found[0]

    def check(self, url: str) -> Target:
        """The checked target of `url`; NodeError unless it may be called."""
        scheme, host, port = where(url)
        return Target(scheme, host, port, self.address(host, port))


@cache
def _adapter_class() -> Callable[[Target], HTTPAdapter]:
    """PinnedAdapter, defined on first use (requests is imported only then)."""
    import requests
    from requests.adapters import HTTPAdapter

    class PinnedAdapter(HTTPAdapter):
        """Sends requests for one checked target to its checked address: the Host header and
        (for HTTPS) SNI and the certificate check still use the host name."""

        def __init__(self, target: Target) -> None:
            self.target = target
            super().__init__(max_retries=0)

        def get_connection_with_tls_context(
            self,
            request: requests.PreparedRequest,
            verify: bool | str | None,
            proxies: Mapping[str, str] | None = None,
            cert: str | tuple[str, str] | None = None,
        ) -> HTTPConnectionPool:
            target = self.target
            try:
                same = where(request.url or "") == (target.scheme, target.host, target.port)
            except NodeError:
                same = False
            if not same:  # requests rebuilt the URL into something else: do not guess
                raise requests.exceptions.InvalidURL("the URL changed after it was checked")
            _, built = self.build_connection_pool_key_attributes(
                request, True if verify is None else verify, cert
            )
            pool_kwargs: dict[str, Any] = dict(built)
            if target.scheme == "https":
                pool_kwargs["server_hostname"] = target.host
            return self.poolmanager.connection_from_host(
                target.address, target.port, target.scheme, pool_kwargs=pool_kwargs
            )

        def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
            request.headers["Host"] = self.target.host_header

    return PinnedAdapter


@contextmanager
def http_request(
    policy: HttpPolicy | None, method: str, url: str, **kwargs: Any
) -> Iterator[requests.Response]:
    """One HTTP call with connect and read timeouts (`kwargs` go to requests). Under a
    policy: to the checked address only, no redirects (one could lead past the check), no
    proxy or .netrc from the environment. Failing to connect raises NodeError."""
    import requests

    with requests.Session() as session:
        if policy is not None:
            adapter = _adapter_class()(policy.check(url))
            session.trust_env = False
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        try:
            reply = session.request(
                method,
                url,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                allow_redirects=policy is None,
                **kwargs,
            )
        except requests.RequestException as exc:
            raise NodeError(f"cannot reach {shown(url)}: {type(exc).__name__}") from None
        with reply:
            yield reply
